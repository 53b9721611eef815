"""Streaming: Pub/Sub messages to references, windowed Parquet files, the Pub/Sub emulator and --watch end to end."""

import shutil
import threading
import time
from pathlib import Path

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.io import PubsubMessage
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_stream import TestStream as BeamTestStream
from apache_beam.transforms.window import TimestampedValue
from conftest import PubSubTopic, wait_until

from pipeline.options import ImageStyleOptions
from pipeline.tagging import build_pipeline, run
from transforms.dead_letters import dead_letter_row
from transforms.images import ImageRef
from transforms.references import message_reference, parse_message
from transforms.schema import DEAD_LETTER_FIELDS
from transforms.sinks import WriteWindowedParquetTable

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_messages_carry_a_uri_json_or_a_gcs_notification() -> None:
    assert parse_message(PubsubMessage(b" /img/a.jpg\n", {})) == [ImageRef("/img/a.jpg", "/img/a.jpg")]
    assert parse_message(PubsubMessage(b'{"uri": "gs://b/x.png", "id": "sku-1"}', {})) == [
        ImageRef("gs://b/x.png", "sku-1")
    ]
    notification = {"bucketId": "b", "objectId": "new/x.jpg", "eventType": "OBJECT_FINALIZE", "objectGeneration": "7"}
    assert parse_message(PubsubMessage(b"{...json body...}", notification)) == [ImageRef("gs://b/new/x.jpg", "7")]
    assert parse_message(PubsubMessage(b"", {**notification, "eventType": "OBJECT_DELETE"})) == []
    for bad in (b"", b'{"id": "no uri"}'):
        with pytest.raises(ValueError):
            parse_message(PubsubMessage(bad, {}))
    assert message_reference(PubsubMessage(b'{"id": "no uri"}', {}, message_id="m1")).id == "m1"


def test_streaming_rows_are_written_one_set_of_files_per_window(tmp_path: Path) -> None:
    rows = [dead_letter_row(f"/img/{i}.jpg", str(i), "read", "ImageReadError", "not found") for i in range(3)]
    stream = (
        BeamTestStream()
        .add_elements([TimestampedValue(rows[0], 1), TimestampedValue(rows[1], 2)])
        .advance_watermark_to(70)
        .add_elements([TimestampedValue(rows[2], 75)])
        .advance_watermark_to_infinity()
    )
    with beam.Pipeline(options=PipelineOptions(streaming=True)) as pipeline:
        _ = pipeline | stream | WriteWindowedParquetTable(str(tmp_path), "dead_letters", DEAD_LETTER_FIELDS, 60)
    files = sorted((tmp_path / "dead_letters").glob("*.parquet"))
    assert len(files) == 2
    assert sorted(len(pq.read_table(f)) for f in files) == [1, 2]
    assert {r["uri"] for f in files for r in pq.read_table(f).to_pylist()} == {r["uri"] for r in rows}


def _rows(folder: Path) -> list[dict]:
    return [row for f in sorted(folder.glob("*.parquet")) for row in pq.read_table(f).to_pylist()]


def test_pubsub_stream_end_to_end_on_the_emulator(pubsub_topic: PubSubTopic, tmp_path: Path) -> None:
    subscription = pubsub_topic.subscription
    options = ImageStyleOptions(
        ["--streaming", "--input_subscription", subscription, "--output", str(tmp_path), "--window_seconds", "2"]
    )
    pipeline = beam.Pipeline(options=options)
    build_pipeline(pipeline, options)
    result = pipeline.run()
    try:
        messages = [
            str(SAMPLES / "rocket.jpg").encode(),
            f'{{"uri": "{SAMPLES / "coffee.webp"}", "id": "sku-2"}}'.encode(),
            f'{{"uri": "{SAMPLES / "missing.jpg"}", "id": "sku-3"}}'.encode(),
            b'{"id": "sku-4"}',
        ]
        for data in messages:
            pubsub_topic.publish(data)
        wait_until(lambda: len(_rows(tmp_path / "images")) >= 2 and len(_rows(tmp_path / "dead_letters")) >= 2)
        images, dead_letters = _rows(tmp_path / "images"), _rows(tmp_path / "dead_letters")
        assert sorted(r["id"] for r in images) == sorted([str(SAMPLES / "rocket.jpg"), "sku-2"])
        assert all(r["style"] and len(r["styles"]) == 8 for r in images)
        assert sorted((r["stage"], r["uri"]) for r in dead_letters) == [
            ("message", '{"id": "sku-4"}'),
            ("read", str(SAMPLES / "missing.jpg")),
        ]
        assert next(r for r in dead_letters if r["stage"] == "read")["id"] == "sku-3"
    finally:
        pubsub_topic.publish(b"/dev/null/last")  # lets cancel() return promptly
        result.cancel()


def test_watch_tags_files_already_there_and_files_that_appear(tmp_path: Path) -> None:
    drop, output = tmp_path / "drop", tmp_path / "out"
    drop.mkdir()
    shutil.copy(SAMPLES / "rocket.jpg", drop / "early.jpg")

    def drop_more_files() -> None:
        time.sleep(8)
        shutil.copy(SAMPLES / "coffee.webp", drop / "late.webp")
        (drop / "late_bad.png").write_bytes(b"not an image")

    dropper = threading.Thread(target=drop_more_files)
    dropper.start()
    started = time.monotonic()
    run(["--watch", f"{drop}/*", "--watch_interval", "1", "--watch_seconds", "16", "--output", str(output)])
    dropper.join()
    assert time.monotonic() - started >= 16  # the watch kept polling after the first match
    images, dead_letters = _rows(output / "images"), _rows(output / "dead_letters")
    assert sorted(r["uri"] for r in images) == [str(drop / "early.jpg"), str(drop / "late.webp")]
    assert [(r["stage"], r["uri"]) for r in dead_letters] == [("decode", str(drop / "late_bad.png"))]


def _model_version(folder: Path, version: str) -> Path:
    """A copy of the bundled style classifier that stamps `version` on its records."""
    import tensorflow as tf

    from models.paths import STYLE_CLASSIFIER_DIR

    model = tf.saved_model.load(str(STYLE_CLASSIFIER_DIR))
    model.version.assign(version)
    tf.saved_model.save(model, str(folder))
    return folder


def test_watched_model_switches_to_the_newest_version_and_survives_a_broken_one(tmp_path: Path) -> None:
    import tensorflow as tf

    from models.paths import STYLE_CLASSIFIER_DIR
    from transforms.inference import WatchedModel

    def version(model: WatchedModel) -> str:
        return model.serve(tf.zeros([1, 32, 32, 3], tf.uint8))["version"].numpy()[0].decode()

    bundled = tf.saved_model.load(str(STYLE_CLASSIFIER_DIR)).version.numpy().decode()
    model = WatchedModel(f"{tmp_path}/*/saved_model.pb", 0.0, str(STYLE_CLASSIFIER_DIR))
    assert version(model) == bundled  # nothing matches yet: the fallback serves
    _model_version(tmp_path / "v2", "v2-test")
    assert version(model) == "v2-test" and model.path == str(tmp_path / "v2")
    broken = tmp_path / "v3"
    broken.mkdir()
    (broken / "saved_model.pb").write_bytes(b"half copied")
    assert version(model) == "v2-test"  # the newer match does not load: the current model goes on

    slow = WatchedModel(f"{tmp_path}/*/saved_model.pb", 3600.0, str(STYLE_CLASSIFIER_DIR))
    assert version(slow) == "v2-test"  # at the start too: the newest that loads
    _model_version(tmp_path / "v4", "v4-test")
    assert version(slow) == "v2-test"  # not checked again before the interval


def test_streaming_job_picks_up_a_new_model_without_a_restart(pubsub_topic: PubSubTopic, tmp_path: Path) -> None:
    subscription = pubsub_topic.subscription
    models, output = tmp_path / "models", tmp_path / "out"
    _model_version(models / "v1", "v1-test")
    arguments = ["--streaming", "--input_subscription", subscription, "--output", str(output)]
    arguments += ["--window_seconds", "2", "--model_watch", f"{models}/*/saved_model.pb", "--model_watch_interval", "1"]
    options = ImageStyleOptions(arguments)
    pipeline = beam.Pipeline(options=options)
    build_pipeline(pipeline, options)
    result = pipeline.run()

    def versions_when(count: int) -> dict[str, str]:
        wait_until(lambda: len(_rows(output / "images")) >= count)
        return {Path(r["uri"]).name: r["model_version"] for r in _rows(output / "images")}

    try:
        pubsub_topic.publish(str(SAMPLES / "rocket.jpg").encode())
        assert versions_when(1) == {"rocket.jpg": "v1-test"}
        _model_version(models / "v2", "v2-test")
        time.sleep(1.5)  # one check interval
        pubsub_topic.publish(str(SAMPLES / "coffee.webp").encode())
        assert versions_when(2) == {"rocket.jpg": "v1-test", "coffee.webp": "v2-test"}
    finally:
        pubsub_topic.publish(b"/dev/null/last")  # lets cancel() return promptly
        result.cancel()
