"""Recommendations: ranking by style affinity, diversity, cold start, explanations, and ``image-style recommend``."""

import datetime
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from models.affinity import CatalogueImage, Engagement, rank_for_affinity, rank_popular
from pipeline.cli import main
from transforms.schema import IMAGE_ENGAGEMENT_FIELDS, IMAGE_FIELDS, USER_PROFILE_FIELDS, arrow_schema, conform

STYLES = ("rosy_graceful", "happy_vivid", "future_tech")
T1 = datetime.datetime(2025, 3, 2, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def _image(uri: str, **scores: float) -> CatalogueImage:
    styles = {style: scores.get(style, 0.0) for style in STYLES}
    return CatalogueImage(uri, f"id-{uri}", max(styles, key=styles.get), styles)


CATALOGUE = [
    _image("rosy_1", rosy_graceful=0.9, happy_vivid=0.1),
    _image("rosy_2", rosy_graceful=0.85, happy_vivid=0.1, future_tech=0.05),
    _image("rosy_3", rosy_graceful=0.8, future_tech=0.2),
    _image("happy_1", happy_vivid=0.9, rosy_graceful=0.1),
    _image("tech_1", future_tech=0.95, rosy_graceful=0.05),
]
AFFINITY = {"rosy_graceful": 0.6, "happy_vivid": 0.3, "future_tech": 0.1}


def test_without_diversity_images_rank_by_the_dot_product_with_the_affinity() -> None:
    picks = rank_for_affinity(AFFINITY, reversed(CATALOGUE), 5, 0.0)
    assert [p.uri for p in picks] == ["rosy_1", "rosy_2", "rosy_3", "happy_1", "tech_1"]
    # rosy_1: 0.6 × 0.9 + 0.3 × 0.1; rosy_2: 0.6 × 0.85 + 0.3 × 0.1 + 0.1 × 0.05; ...
    assert [p.score for p in picks] == pytest.approx([0.57, 0.545, 0.5, 0.33, 0.125])
    assert picks[0].reason == "matches your rosy_graceful 0.60 (image 0.90)"
    assert picks[3].reason == "matches your happy_vivid 0.30 (image 0.90)"
    assert [p.style for p in picks] == ["rosy_graceful"] * 3 + ["happy_vivid", "future_tech"]
    assert [p.uri for p in rank_for_affinity(AFFINITY, CATALOGUE, 2, 0.0)] == ["rosy_1", "rosy_2"]


def test_diversity_keeps_one_style_from_filling_the_list_and_says_so() -> None:
    picks = rank_for_affinity(AFFINITY, CATALOGUE, 3, 0.5)
    # After rosy_1, rosy_2 is 0.998 similar to it: 0.5 × 0.545 - 0.5 × 0.998 loses to happy_1's
    # 0.5 × 0.33 - 0.5 × 0.22, then to tech_1's 0.5 × 0.125 - 0.5 × 0.05.
    assert [p.uri for p in picks] == ["rosy_1", "happy_1", "tech_1"]
    assert picks[1].reason == "for variety: happy_vivid 0.90, unlike the picks above (yours 0.30)"
    assert picks[2].reason == "for variety: future_tech 0.95, unlike the picks above (yours 0.10)"
    assert [p.uri for p in rank_for_affinity(AFFINITY, CATALOGUE, 5, 0.5)][3:] == ["rosy_2", "rosy_3"]
    # A little diversity changes nothing where the match gap is wide.
    assert [p.uri for p in rank_for_affinity(AFFINITY, CATALOGUE, 3, 0.1)] == ["rosy_1", "rosy_2", "rosy_3"]
    # All diversity still starts from the closest match.
    assert rank_for_affinity(AFFINITY, CATALOGUE, 1, 1.0)[0].uri == "rosy_1"
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError):
            rank_for_affinity(AFFINITY, CATALOGUE, 3, bad)
    assert rank_for_affinity(AFFINITY, [], 3, 0.3) == []


def test_cold_start_takes_popular_images_one_style_at_a_time() -> None:
    engagement = {"rosy_1": Engagement(10.0, 3), "rosy_2": Engagement(8.0, 2), "happy_1": Engagement(5.0, 1)}
    picks = rank_popular(CATALOGUE, engagement, 4)
    assert [p.uri for p in picks] == ["rosy_1", "happy_1", "tech_1", "rosy_2"]
    assert [p.score for p in picks] == [10.0, 5.0, 0.0, 8.0]
    assert picks[0].reason == "popular in rosy_graceful: 3 events, engagement 10.00"
    assert picks[1].reason == "popular in happy_vivid: 1 event, engagement 5.00"
    assert picks[2].reason == "a typical future_tech image (0.95), not engaged with yet"
    assert [p.uri for p in rank_popular(CATALOGUE, engagement, 10)] == [
        "rosy_1",
        "happy_1",
        "tech_1",
        "rosy_2",
        "rosy_3",
    ]
    # No engagement at all: the most typical image of each style, styles in name order.
    assert [p.uri for p in rank_popular(CATALOGUE, {}, 3)] == ["tech_1", "happy_1", "rosy_1"]


def _write(folder: Path, table: str, fields: tuple, rows: list[dict]) -> None:
    (folder / table).mkdir(parents=True)
    conformed = [conform(row, fields) for row in rows]
    pq.write_table(pa.Table.from_pylist(conformed, schema=arrow_schema(fields)), folder / table / "part-0.parquet")


def _label_scores(scores: dict[str, float]) -> list[dict]:
    return [{"label": label, "score": score} for label, score in sorted(scores.items(), key=lambda i: -i[1])]


@pytest.fixture()
def output(tmp_path: Path) -> Path:
    """A folder with an images table, a stream's worth of profile rows and engagement rows."""
    images = [
        {"uri": i.uri, "image_id": i.image_id, "style": i.style, "styles": _label_scores(i.styles)} for i in CATALOGUE
    ]
    _write(tmp_path, "images", IMAGE_FIELDS, [{**row, "processed_at": T1} for row in images])
    happy = {"happy_vivid": 0.9, "rosy_graceful": 0.05, "future_tech": 0.05}
    profiles = [  # a stream writes a row per event: the newest is the profile
        {"user_id": "alice", "style_affinity": _label_scores(happy), "n_events": 1, "updated_at": T1 - DAY},
        {"user_id": "alice", "style_affinity": _label_scores(AFFINITY), "n_events": 2, "updated_at": T1},
    ]
    _write(tmp_path, "user_profiles", USER_PROFILE_FIELDS, [{**row, "top_style": "?"} for row in profiles])
    engagement = [
        {"uri": "rosy_1", "n_events": 1, "engagement": 1.0, "updated_at": T1 - DAY},
        {"uri": "rosy_1", "n_events": 3, "engagement": 4.0, "updated_at": T1},
        {"uri": "happy_1", "n_events": 2, "engagement": 6.0, "updated_at": T1 - DAY},  # 3.0 a day later
    ]
    _write(tmp_path, "image_engagement", IMAGE_ENGAGEMENT_FIELDS, [{**r, "half_life_days": 1.0} for r in engagement])
    return tmp_path


def test_recommend_prints_one_line_per_pick_from_the_newest_profile(
    output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["recommend", "--user", "alice", "--output", str(output), "-k", "3", "--diversity", "0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "user alice: 2 events; rosy_graceful 0.60, happy_vivid 0.30, future_tech 0.10"
    assert len(lines) == 4
    assert lines[1] == "  1. rosy_1  rosy_graceful  0.570  matches your rosy_graceful 0.60 (image 0.90)"
    assert [line.split()[1] for line in lines[1:]] == ["rosy_1", "rosy_2", "rosy_3"]


def test_recommend_json_for_a_user_without_history(output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", "--user", "nobody", "--output", str(output), "-k", "4", "--format", "json"]) == 0
    picks = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(p["rank"], p["uri"], p["cold_start"], p["user_id"]) for p in picks] == [
        (1, "rosy_1", True, "nobody"),  # 4.0 now beats happy_1's 6.0 of a day ago, halved
        (2, "happy_1", True, "nobody"),
        (3, "tech_1", True, "nobody"),
        (4, "rosy_2", True, "nobody"),
    ]
    assert picks[0]["reason"] == "popular in rosy_graceful: 3 events, engagement 4.00"
    assert picks[1]["reason"] == "popular in happy_vivid: 2 events, engagement 3.00"
    assert set(picks[0]) == {"rank", "user_id", "cold_start", "uri", "style", "score", "reason"}


def test_recommend_without_tagged_images_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", "--user", "alice", "--output", str(tmp_path)]) == 2
    assert "no tagged images" in capsys.readouterr().err
