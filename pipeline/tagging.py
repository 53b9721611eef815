"""The tagging pipeline: references → bytes → image → RunInference → records → Parquet / BigQuery.

Batch reads a references file or a glob; streaming reads Pub/Sub messages and writes one set of
files per window. Every reference ends as exactly one row: a tagged image in ``images`` or a
dead letter naming the stage (message, read, decode, inference, postprocess) and the error in
``dead_letters``.
"""

import logging
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions
from apache_beam.transforms import window

from models.element_detector import INPUT_SIZE
from pipeline.options import ImageStyleOptions
from pipeline.runner import run_job
from transforms.dead_letters import ToDeadLetters
from transforms.images import DecodeImage, ReadImageBytes
from transforms.inference import style_inference
from transforms.read import HttpPolicy
from transforms.references import ReadReferences, ReadReferencesFromPubSub, WatchReferences, message_reference
from transforms.schema import DEAD_LETTER_FIELDS, IMAGE_FIELDS
from transforms.sinks import write_tables

STREAMING_BATCH_WAIT_SECS = 1.0  # a streaming batch waits at most this long to fill


def http_policy(options: ImageStyleOptions) -> HttpPolicy:
    """Whether and how http(s) references are fetched."""
    return HttpPolicy(options.allow_http, options.allow_private_addresses, options.http_timeout)


def read_references(pipeline: beam.Pipeline, options: ImageStyleOptions) -> tuple[beam.PCollection, list]:
    """The references from the one source given, and dead letters for messages that name no image."""
    sources = [name for name in ("input", "watch", "input_subscription", "input_topic") if getattr(options, name)]
    if len(sources) != 1:
        raise ValueError("give exactly one of --input, --watch, --input_subscription, --input_topic")
    if options.input:
        return pipeline | "References" >> ReadReferences(options.input), []
    if options.watch:
        watch = WatchReferences(options.watch, options.watch_interval, options.watch_seconds)
        return pipeline | "WatchReferences" >> watch, []
    references, failed = pipeline | "PubSubReferences" >> ReadReferencesFromPubSub(
        options.input_subscription, options.input_topic
    )
    return references, [failed | "MessageFailed" >> ToDeadLetters("message", lambda m: [message_reference(m)])]


def tag_images(
    references: beam.PCollection, options: ImageStyleOptions, earlier_dead_letters: list | None = None
) -> dict[str, beam.PCollection]:
    """Tags a PCollection of ImageRef; returns the ``images`` and ``dead_letters`` rows."""
    streaming = options.view_as(StandardOptions).streaming
    read, read_failed = (
        references
        | "ReadBytes" >> beam.ParDo(ReadImageBytes(options.max_bytes, http_policy(options))).with_exception_handling()
    )
    decoded, decode_failed = (
        read
        | "Decode"
        >> beam.ParDo(DecodeImage(INPUT_SIZE, options.max_bytes, options.max_pixels)).with_exception_handling()
    )
    # Batches wait for stragglers only on a message stream: that wait is a real-time timer, and the local
    # runner cannot run one beside the Watch of --watch (on Dataflow a watch's bundles are small anyway).
    wait = STREAMING_BATCH_WAIT_SECS if streaming and not options.watch else None
    inference = style_inference(
        options.model, options.batch_size, wait, options.share_model, options.model_watch, options.model_watch_interval
    )
    images, failed = decoded | "Infer" >> inference
    dead_letters = [
        *(earlier_dead_letters or []),
        read_failed | "ReadFailed" >> ToDeadLetters("read", lambda ref: [ref]),
        decode_failed | "DecodeFailed" >> ToDeadLetters("decode", lambda element: [element[0]]),
        failed.failed_inferences
        | "InferenceFailed" >> ToDeadLetters("inference", lambda batch: [meta for meta, _ in batch]),
    ]
    dead_letters += [
        bad | f"PostprocessFailed{i}" >> ToDeadLetters("postprocess", lambda element: [element[0]])
        for i, bad in enumerate(failed.failed_postprocessing)
    ]
    return {"images": images, "dead_letters": dead_letters | "AllDeadLetters" >> beam.Flatten()}


def build_pipeline(pipeline: beam.Pipeline, options: ImageStyleOptions) -> dict[str, Any]:
    """Adds the job to `pipeline` and returns its PCollections so tests can assert on them."""
    if not (options.output or options.output_table):
        raise ValueError("give --output (Parquet folder) and/or --output_table (BigQuery)")
    if options.watch:  # a watched glob is unbounded: its records are written by window
        options.view_as(StandardOptions).streaming = True
    streaming = options.view_as(StandardOptions).streaming
    references, message_dead_letters = read_references(pipeline, options)
    if streaming:  # windowed from the start, so batches of images keep their window and event time
        references = references | "Window" >> beam.WindowInto(window.FixedWindows(options.window_seconds))
    outputs = tag_images(references, options, message_dead_letters)
    tables = (("images", IMAGE_FIELDS), ("dead_letters", DEAD_LETTER_FIELDS))
    bigquery_tables = options.output_table and {
        "images": options.output_table,
        "dead_letters": options.dead_letter_table or f"{options.output_table}_dead_letters",
    }
    write_tables(outputs, tables, options.output, bigquery_tables, streaming, options.window_seconds)
    return outputs


def run(argv: list[str]) -> beam.runners.runner.PipelineResult:
    """Runs the job to the end (a stream: until stopped); locally on the DirectRunner with two threads by default."""
    # Beam 2.77's RunInference imports torch to find `resource`; without torch it warns on every bundle.
    logging.getLogger().addFilter(lambda record: "Resource module is not available" not in record.getMessage())
    # The local runner's two workers would split a Watch's polling and end it, so --watch runs on one.
    workers = 1 if ImageStyleOptions(argv).watch else 2
    return run_job(build_pipeline, argv, ImageStyleOptions, workers)
