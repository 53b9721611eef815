"""The batch tagging pipeline: references → bytes → image → RunInference → records → Parquet.

Every reference ends as exactly one row: a tagged image in ``images`` or a dead letter naming
the stage (read, decode, inference, postprocess) and the error in ``dead_letters``.
"""

import logging
from typing import Any

import apache_beam as beam

from models.element_detector import INPUT_SIZE
from pipeline.options import ImageStyleOptions
from transforms.dead_letters import ToDeadLetters
from transforms.images import DecodeImage, ReadImageBytes
from transforms.inference import style_inference
from transforms.references import ReadReferences
from transforms.schema import DEAD_LETTER_FIELDS, IMAGE_FIELDS
from transforms.sinks import WriteBigQueryTable, WriteParquetTable


def tag_images(references: beam.PCollection, options: ImageStyleOptions) -> dict[str, beam.PCollection]:
    """Tags a PCollection of ImageRef; returns the ``images`` and ``dead_letters`` rows."""
    read, read_failed = (
        references | "ReadBytes" >> beam.ParDo(ReadImageBytes(options.max_bytes)).with_exception_handling()
    )
    decoded, decode_failed = (
        read
        | "Decode"
        >> beam.ParDo(DecodeImage(INPUT_SIZE, options.max_bytes, options.max_pixels)).with_exception_handling()
    )
    images, failed = decoded | "Infer" >> style_inference(options.model, options.batch_size)
    dead_letters = [
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
    """Adds the batch job to `pipeline` and returns its PCollections so tests can assert on them."""
    outputs = tag_images(pipeline | "References" >> ReadReferences(options.input), options)
    if not (options.output or options.output_table):
        raise ValueError("give --output (Parquet folder) and/or --output_table (BigQuery)")
    if options.output:
        output = options.output
        outputs["images"] | "WriteImages" >> WriteParquetTable(output, "images", IMAGE_FIELDS)
        outputs["dead_letters"] | "WriteDeadLetters" >> WriteParquetTable(output, "dead_letters", DEAD_LETTER_FIELDS)
    if options.output_table:
        dead_letter_table = options.dead_letter_table or f"{options.output_table}_dead_letters"
        outputs["images"] | "ImagesToBigQuery" >> WriteBigQueryTable(options.output_table, IMAGE_FIELDS)
        outputs["dead_letters"] | "DeadLettersToBigQuery" >> WriteBigQueryTable(dead_letter_table, DEAD_LETTER_FIELDS)
    return outputs


def run(argv: list[str]) -> beam.runners.runner.PipelineResult:
    """Runs the batch job; locally on the DirectRunner with two threads unless told otherwise."""
    # Beam 2.77's RunInference imports torch to find `resource`; without torch it warns on every bundle.
    logging.getLogger().addFilter(lambda record: "Resource module is not available" not in record.getMessage())
    defaults = ["--runner=DirectRunner", "--direct_running_mode=multi_threading", "--direct_num_workers=2"]
    options = ImageStyleOptions([*defaults, *argv])
    pipeline = beam.Pipeline(options=options)
    build_pipeline(pipeline, options)
    result = pipeline.run()
    result.wait_until_finish()
    return result
