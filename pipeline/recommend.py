"""``image-style recommend``: catalogue images for one user, ranked by style affinity, each with why.

Reads an output folder's tables through DuckDB: the user's newest ``user_profiles`` row (a stream
writes one per event), the newest ``images`` row per uri and the newest ``image_engagement`` row
per uri; the ranking itself is models/affinity.py's. A user without a profile gets popular images,
one style at a time.
"""

import json
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from models.affinity import Engagement, Pick, catalogue_image, decay, rank_for_affinity, rank_popular
from pipeline.query import connect, fetch_dicts, views


@dataclass(frozen=True)
class Recommendations:
    """The picks for one user, and the profile they came from (None: no history, popular picks)."""

    user_id: str
    profile: dict[str, Any] | None
    picks: list[Pick]


def read_engagement(connection: duckdb.DuckDBPyConnection) -> dict[str, Engagement]:
    """Each image's engagement, brought to one common time (the newest row's) so rows of a stream compare."""
    rows = fetch_dicts(
        connection,
        "SELECT uri, n_events, engagement, half_life_days, updated_at FROM image_engagement "
        "QUALIFY row_number() OVER (PARTITION BY uri ORDER BY updated_at DESC, n_events DESC) = 1",
    )
    newest = max((row["updated_at"] for row in rows), default=None)
    return {
        row["uri"]: Engagement(
            row["engagement"] * decay((newest - row["updated_at"]).total_seconds(), row["half_life_days"]),
            row["n_events"],
        )
        for row in rows
    }


def recommend(output: str, user_id: str, k: int, diversity: float) -> Recommendations:
    """The `k` catalogue images of `output` for `user_id`.

    Raises:
        ValueError: when the folder has no tagged images, or `diversity` is outside 0..1.
    """
    connection = connect(output)
    tables = views(connection)
    if "images" not in tables:
        raise ValueError(f"no tagged images in {output}/images: run `image-style run --output` there first")
    images = [
        catalogue_image(row)
        for row in fetch_dicts(
            connection,
            "SELECT uri, image_id, style, styles FROM images "
            "QUALIFY row_number() OVER (PARTITION BY uri ORDER BY processed_at DESC) = 1",
        )
    ]
    profiles = []
    if "user_profiles" in tables:
        sql = "SELECT * FROM user_profiles WHERE user_id = ? ORDER BY updated_at DESC, n_events DESC LIMIT 1"
        profiles = fetch_dicts(connection, sql, [user_id])
    if profiles:
        affinity = {item["label"]: item["score"] for item in profiles[0]["style_affinity"]}
        return Recommendations(user_id, profiles[0], rank_for_affinity(affinity, images, k, diversity))
    engagement = read_engagement(connection) if "image_engagement" in tables else {}
    return Recommendations(user_id, None, rank_popular(images, engagement, k))


def format_text(recommendations: Recommendations) -> str:
    """A line about the user, then one line per pick: rank, uri, style, score and why."""
    profile = recommendations.profile
    if profile is None:
        header = f"user {recommendations.user_id}: no history; popular images, one style at a time"
    else:
        top = ", ".join(f"{item['label']} {item['score']:.2f}" for item in profile["style_affinity"][:3])
        header = f"user {recommendations.user_id}: {profile['n_events']} events; {top}"
    lines = [header]
    lines += [
        f"{rank:>3}. {pick.uri}  {pick.style}  {pick.score:.3f}  {pick.reason}"
        for rank, pick in enumerate(recommendations.picks, 1)
    ]
    return "\n".join(lines)


def format_json(recommendations: Recommendations) -> str:
    """One JSON object per pick: rank, user_id, cold_start, uri, style, score, reason."""
    cold_start = recommendations.profile is None
    return "\n".join(
        json.dumps({"rank": rank, "user_id": recommendations.user_id, "cold_start": cold_start, **asdict(pick)})
        for rank, pick in enumerate(recommendations.picks, 1)
    )
