"""Runs a job to the end: locally on the DirectRunner with two threads unless the arguments say otherwise."""

from collections.abc import Callable
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions


def run_job(
    build: Callable[[beam.Pipeline, Any], Any],
    argv: list[str],
    options_class: type[PipelineOptions] = PipelineOptions,
    workers: int = 2,
) -> beam.runners.runner.PipelineResult:
    """Builds the job with `build(pipeline, options)` and runs it to the end (a stream: until it is stopped).

    Args:
        build: adds the job's transforms to the pipeline (``build_pipeline``, ``build_profile_pipeline``).
        argv: pipeline arguments; a ``--runner`` or ``--direct_*`` flag here overrides the local defaults.
        options_class: the options view `build` reads.
        workers: DirectRunner threads by default (measured fastest: two threads, not processes).
    """
    defaults = ["--runner=DirectRunner", "--direct_running_mode=multi_threading", f"--direct_num_workers={workers}"]
    options = options_class([*defaults, *argv])
    pipeline = beam.Pipeline(options=options)
    build(pipeline, options)
    result = pipeline.run()
    result.wait_until_finish()
    return result
