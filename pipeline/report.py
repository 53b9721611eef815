"""``image-style report``: one self-contained HTML catalogue of a run's images, styles and dead letters."""

import base64
import io
import json
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from PIL import Image

from pipeline.query import connect, fetch_dicts, views

DATA_TOKEN = "__REPORT_DATA__"
# Debian's Chromium as the test and the benchmark open the report: headless, as root, and without the
# background connections a closed network refuses.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
JPEG_QUALITY = 70  # at 96 px this keeps a thumbnail near 2-3 KB, so 10,000 distinct ones stay far below 100 MB
READ_THREADS = 8  # gs:// reads wait on the network, so a few run at once

_IMAGES_SQL = """
SELECT uri, image_id, width, height, format, coalesce(style, 'unknown') AS style, styles, tags, explanation,
       list_transform(palette, lambda c: {'hex': c.hex, 'fraction': c.fraction, 'name': c.name}) AS palette,
       model_version
FROM images
"""
_DEAD_LETTERS_SQL = "SELECT uri, stage, error_type, error, failed_at FROM dead_letters ORDER BY failed_at, uri"


@dataclass(frozen=True)
class ReportSummary:
    """What a written report holds."""

    path: str
    images: int
    dead_letters: int
    styles: dict[str, int] = field(default_factory=dict)  # images per top style
    thumbnails: int = 0  # distinct thumbnails embedded
    placeholders: int = 0  # distinct images that could not be read or decoded
    size_bytes: int = 0


def gather(output: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The image rows and dead letters of a run, with only the columns the report shows.

    Raises:
        FileNotFoundError: the folder has neither ``images/*.parquet`` nor ``dead_letters/*.parquet``.
    """
    connection = connect(output)
    tables = views(connection)
    if not tables:
        raise FileNotFoundError(f"no Parquet tables under {output}/images or {output}/dead_letters")
    images = fetch_dicts(connection, _IMAGES_SQL) if "images" in tables else []
    dead_letters = fetch_dicts(connection, _DEAD_LETTERS_SQL) if "dead_letters" in tables else []
    return images, dead_letters


def make_thumbnail(uri: str, size: int) -> str:
    """A JPEG data URI of the image at `uri`, its longer side `size` pixels, read like the pipeline reads.

    Raises:
        ImageReadError: missing or unreadable reference.
        ImageDecodeError: the bytes are not a usable image.
    """
    from transforms.read import read_image

    # read_image handles every mode, EXIF orientation and the caps but returns a square,
    # so the aspect ratio is restored from the original size it reports.
    image = read_image(uri, size)
    scale = size / max(image.width, image.height)
    box = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    buffer = io.BytesIO()
    Image.fromarray(image.pixels).resize(box, Image.Resampling.LANCZOS).save(buffer, "JPEG", quality=JPEG_QUALITY)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _thumbnail_or_none(uri: str, size: int) -> str | None:
    try:
        return make_thumbnail(uri, size)
    except (OSError, ValueError):  # ImageReadError and ImageDecodeError: the card shows a placeholder instead
        return None


def thumbnail_key(row: dict[str, Any]) -> str:
    """Rows with the same content (``image_id``, the sha256 of the bytes) or the same uri share one thumbnail."""
    return row.get("image_id") or row["uri"]


def make_thumbnails(rows: Iterable[dict[str, Any]], size: int) -> dict[str, str | None]:
    """One thumbnail (or None where unreadable) per distinct key of `rows`, read from its first uri."""
    first_uri: dict[str, str] = {}
    for row in rows:
        first_uri.setdefault(thumbnail_key(row), row["uri"])
    with ThreadPoolExecutor(READ_THREADS) as pool:
        thumbnails = pool.map(lambda uri: _thumbnail_or_none(uri, size), first_uri.values())
        return dict(zip(first_uri, thumbnails, strict=True))


def _style_order(images: list[dict[str, Any]]) -> list[str]:
    """Every style named in the rows, the most frequent top style first."""
    counts = Counter(row["style"] for row in images)
    labels = {row["style"] for row in images} | {s["label"] for row in images for s in row["styles"] or []}
    return sorted(labels, key=lambda label: (-counts[label], label))


def _top_score(row: dict[str, Any]) -> float:
    return max((s["score"] for s in row["styles"] or [] if s["label"] == row["style"]), default=0.0)


def page_data(
    output: str,
    images: list[dict[str, Any]],
    dead_letters: list[dict[str, Any]],
    thumbnails: dict[str, str | None],
    thumbnail_size: int,
) -> dict[str, Any]:
    """The JSON the page renders from: compact rows grouped by style, lookup lists, thumbnails once each."""
    styles = _style_order(images)
    style_index = {label: i for i, label in enumerate(styles)}
    tag_counts = Counter(tag for row in images for tag in set(row["tags"] or []))
    tags = sorted(tag_counts, key=lambda tag: (-tag_counts[tag], tag))
    tag_index = {tag: i for i, tag in enumerate(tags)}
    thumbs = [uri for uri in thumbnails.values() if uri]
    thumb_index = {data: i for i, data in enumerate(thumbs)}

    def compact(row: dict[str, Any]) -> dict[str, Any]:
        scores = [0.0] * len(styles)
        for s in row["styles"] or []:
            scores[style_index[s["label"]]] = round(s["score"], 3)
        thumbnail = thumbnails.get(thumbnail_key(row))
        return {
            "u": row["uri"],
            "s": style_index[row["style"]],
            "p": scores,
            "t": sorted(tag_index[tag] for tag in set(row["tags"] or [])),
            "e": list(row["explanation"] or []),
            "c": [[c["hex"], round(c["fraction"], 3), c["name"]] for c in row["palette"] or []],
            "i": thumb_index[thumbnail] if thumbnail else -1,
            "w": row["width"],
            "h": row["height"],
            "f": row["format"],
        }

    ordered = sorted(images, key=lambda r: (style_index[r["style"]], -_top_score(r), r["uri"]))
    return {
        "output": output,
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "models": sorted({row["model_version"] for row in images if row["model_version"]}),
        "thumbnailSize": thumbnail_size,
        "styles": styles,
        "tags": tags,
        "thumbs": thumbs,
        "images": [compact(row) for row in ordered],
        "dead": [
            [
                d["uri"],
                d["stage"],
                d["error_type"],
                d["error"],
                d["failed_at"] and d["failed_at"].isoformat(timespec="seconds"),
            ]
            for d in dead_letters
        ],
    }


def render(data: dict[str, Any]) -> str:
    """The HTML page: the bundled template with `data` embedded as JSON."""
    template = resources.files("pipeline").joinpath("report_template.html").read_text(encoding="utf-8")
    # "<" only occurs inside JSON strings, where \u003c is the same character and cannot close the script element.
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return template.replace(DATA_TOKEN, payload)


def write_report(output: str, html_path: str, thumbnail_size: int = 96, thumbnails: bool = True) -> ReportSummary:
    """Writes the HTML catalogue of the run in `output` to `html_path`.

    Args:
        output: the run's output folder (``images/*.parquet``, ``dead_letters/*.parquet``).
        html_path: the file to write; its folder is created.
        thumbnail_size: longer side of each thumbnail in pixels.
        thumbnails: False leaves images out and shows placeholders (fast, small, no reads).

    Raises:
        FileNotFoundError: `output` holds no tables.
        ValueError: `thumbnail_size` is not positive.
    """
    if thumbnail_size < 1:
        raise ValueError(f"thumbnail size must be positive, got {thumbnail_size}")
    images, dead_letters = gather(output)
    made = make_thumbnails(images, thumbnail_size) if thumbnails else {}
    html = render(page_data(output, images, dead_letters, made, thumbnail_size))
    path = Path(html_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return ReportSummary(
        path=str(path),
        images=len(images),
        dead_letters=len(dead_letters),
        styles=dict(Counter(row["style"] for row in images)),
        thumbnails=sum(1 for data in made.values() if data),
        placeholders=sum(1 for data in made.values() if not data),
        size_bytes=path.stat().st_size,
    )
