"""The batch Beam pipeline end to end on the DirectRunner: every reference ends as exactly one row."""

import io
from pathlib import Path

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.testing.util import assert_that
from PIL import Image

from pipeline.cli import main
from pipeline.options import ImageStyleOptions
from pipeline.query import connect
from pipeline.tagging import build_pipeline
from transforms.schema import DEAD_LETTER_FIELDS, IMAGE_FIELDS, arrow_schema, bigquery_schema, conform


def _photo(size: tuple[int, int] = (160, 120)) -> Image.Image:
    rng = np.random.default_rng(5)
    base = np.linspace(0, 255, size[0], dtype=np.uint8)[None, :, None].repeat(size[1], 0).repeat(3, 2)
    return Image.fromarray((base // 2 + rng.integers(0, 120, base.shape, dtype=np.uint8)).astype(np.uint8))


def _save(image: Image.Image, path: Path, fmt: str, **options) -> Path:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture(scope="module")
def mixed_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str], dict[str, str]]:
    """A references file over valid images of every kind and bad inputs of every kind."""
    folder = tmp_path_factory.mktemp("inputs")
    photo = _photo()
    exif = Image.Exif()
    exif[0x0112] = 6
    valid = [
        _save(photo, folder / "photo.jpg", "JPEG"),
        _save(photo, folder / "photo.png", "PNG"),
        _save(photo, folder / "photo.webp", "WEBP"),
        _save(photo.convert("P"), folder / "photo.gif", "GIF"),
        _save(photo, folder / "photo.bmp", "BMP"),
        _save(photo.convert("CMYK"), folder / "cmyk.jpg", "JPEG"),
        _save(Image.fromarray(np.full((64, 64), 40000, np.uint16)), folder / "grey16.png", "PNG"),
        _save(photo.convert("P", palette=Image.Palette.ADAPTIVE), folder / "palette.png", "PNG"),
        _save(photo.convert("RGBA"), folder / "alpha.png", "PNG"),
        _save(photo, folder / "rotated.jpg", "JPEG", exif=exif.tobytes()),
    ]
    jpeg = (folder / "photo.jpg").read_bytes()
    corrupt = bytearray((folder / "photo.png").read_bytes())
    corrupt[len(corrupt) // 2 : len(corrupt) // 2 + 64] = b"\xff" * 64
    (folder / "corrupt.png").write_bytes(bytes(corrupt))
    (folder / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 3])
    (folder / "empty.png").write_bytes(b"")
    (folder / "notes.jpg").write_text("not an image at all")
    bad = {
        str(folder / "corrupt.png"): "decode",
        str(folder / "truncated.jpg"): "decode",
        str(folder / "empty.png"): "decode",
        str(folder / "notes.jpg"): "decode",
        str(folder / "missing.jpg"): "read",
    }
    listing = folder / "references.txt"
    listing.write_text("# mixed inputs\n" + "\n".join([*map(str, valid), *bad, ""]))
    return listing, {str(p) for p in valid}, bad


def test_every_reference_ends_as_exactly_one_row(mixed_inputs, tmp_path: Path) -> None:
    listing, valid, bad = mixed_inputs
    options = ImageStyleOptions(["--input", str(listing), "--output", str(tmp_path), "--batch_size", "4"])
    with beam.Pipeline(options=options) as pipeline:
        outputs = build_pipeline(pipeline, options)

        def images_are_the_valid_ones(rows: list[dict]) -> None:
            assert sorted(r["uri"] for r in rows) == sorted(valid)
            for row in rows:
                assert row["style"] == row["styles"][0]["label"] and len(row["styles"]) == 8
                assert abs(sum(s["score"] for s in row["styles"]) - 1.0) < 1e-3
                assert row["palette"] and row["objects"] and row["image_id"] and row["model_version"]

        def dead_letters_are_the_bad_ones(rows: list[dict]) -> None:
            assert {r["uri"]: r["stage"] for r in rows} == bad
            assert len(rows) == len(bad) and all(r["error"] and r["error_type"] for r in rows)

        assert_that(outputs["images"], images_are_the_valid_ones, label="Images")
        assert_that(outputs["dead_letters"], dead_letters_are_the_bad_ones, label="DeadLetters")

    tables = connect(str(tmp_path))
    assert tables.execute("SELECT count(*) FROM images").fetchone()[0] == len(valid)
    assert tables.execute("SELECT count(*) FROM dead_letters").fetchone()[0] == len(bad)
    rotated = tables.execute("SELECT width, height FROM images WHERE uri LIKE '%rotated.jpg'").fetchone()
    assert rotated == (120, 160)
    missing = tables.execute("SELECT error_type, error FROM dead_letters WHERE stage = 'read'").fetchone()
    assert missing[0] == "ImageReadError" and missing[1].startswith("not found")


def test_run_command_over_a_glob_prints_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _save(_photo(), folder / "a.jpg", "JPEG")
    (folder / "b.jpg").write_text("nope")
    assert main(["run", "--input", f"{folder}/*.jpg", "--output", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "tagged images: 1" in printed and "dead letters: 1" in printed and "b.jpg: not an image" in printed
    assert main(["query", "--output", str(tmp_path / "out"), "SELECT count(*) AS n FROM images"]) == 0
    assert "1" in capsys.readouterr().out


def test_one_schema_gives_parquet_and_bigquery_schemas() -> None:
    arrow, bigquery = arrow_schema(IMAGE_FIELDS), bigquery_schema(IMAGE_FIELDS)
    assert arrow.names == [f["name"] for f in bigquery["fields"]]
    styles = next(f for f in bigquery["fields"] if f["name"] == "styles")
    assert styles["mode"] == "REPEATED" and [f["name"] for f in styles["fields"]] == ["label", "score"]
    assert str(arrow.field("styles").type) == "list<item: struct<label: string, score: double>>"
    assert arrow.field("uri").nullable is False
    assert [f["name"] for f in bigquery_schema(DEAD_LETTER_FIELDS)["fields"]] == [
        "uri", "id", "stage", "error_type", "error", "failed_at",
    ]  # fmt: skip


def test_conform_keeps_exactly_the_schema_fields() -> None:
    row = conform({"uri": "x", "extra": 1, "styles": [{"label": "a", "score": 1.0, "junk": 2}]}, IMAGE_FIELDS)
    assert set(row) == {f.name for f in IMAGE_FIELDS}
    assert row["styles"] == [{"label": "a", "score": 1.0}] and row["tags"] == [] and row["measures"] is None


def test_bigquery_rows_are_json_ready_and_follow_the_schema() -> None:
    import datetime
    import json

    from transforms.dead_letters import dead_letter_row
    from transforms.sinks import bigquery_row

    row = bigquery_row(dead_letter_row("gs://b/x.jpg", "x", "read", "ImageReadError", "not found"), DEAD_LETTER_FIELDS)
    assert datetime.datetime.fromisoformat(row["failed_at"]).tzinfo is not None
    image = conform(
        {
            "uri": "u",
            "styles": [{"label": "a", "score": 0.5}],
            "areas": [{"box": {"x_min": 0.1}, "objects": [{"label": "cup", "score": 0.9}]}],
            "processed_at": datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC),
        },
        IMAGE_FIELDS,
    )
    converted = json.loads(json.dumps(bigquery_row(image, IMAGE_FIELDS)))
    assert converted["processed_at"] == "2026-01-02T00:00:00+00:00"
    assert converted["areas"][0]["objects"] == [{"label": "cup", "score": 0.9}]


def test_output_table_adds_bigquery_writes_with_the_derived_schema(mixed_inputs) -> None:
    listing, _, _ = mixed_inputs
    options = ImageStyleOptions(["--input", str(listing), "--output_table", "proj:ds.images"])
    pipeline = beam.Pipeline(options=options)
    build_pipeline(pipeline, options)
    labels = {t.full_label for t in pipeline.transforms_stack[0].parts}
    assert {"ImagesToBigQuery", "DeadLettersToBigQuery"} <= labels
    assert not any(label.startswith("WriteImages") for label in labels)
    with pytest.raises(ValueError, match="--output"):
        build_pipeline(beam.Pipeline(), ImageStyleOptions(["--input", str(listing)]))


def test_model_handler_batches_and_sharing() -> None:
    from transforms.inference import StyleModelHandler

    batch = StyleModelHandler("m", max_batch_size=8)
    assert batch.batch_elements_kwargs() == {"min_batch_size": 1, "max_batch_size": 8}
    assert not batch.share_model_across_processes()
    streaming = StyleModelHandler("m", max_batch_duration_secs=1.0, share_across_processes=True)
    assert streaming.batch_elements_kwargs()["max_batch_duration_secs"] == 1.0
    assert streaming.share_model_across_processes()


def test_shared_model_run(tmp_path: Path) -> None:
    samples = Path(__file__).resolve().parent.parent / "samples"
    assert main(["run", "--input", str(samples / "rocket.jpg"), "--output", str(tmp_path), "--share_model"]) == 0
    assert connect(str(tmp_path)).execute("SELECT count(*) FROM images").fetchone()[0] == 1
