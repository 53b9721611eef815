"""Failures → dead-letter rows: one per reference, naming the stage and the error in one line."""

import datetime
from collections.abc import Callable, Iterable
from typing import Any

import apache_beam as beam

from transforms.schema import DEAD_LETTER_FIELDS, conform


def error_message(failure: tuple[type, str, list[str]]) -> tuple[str, str]:
    """(error type, one-line message) from Beam's dead-letter tuple (type, repr, traceback lines)."""
    error_type, error_repr, traceback_lines = failure
    last = traceback_lines[-1].strip() if traceback_lines else error_repr
    _, _, message = last.partition(": ")
    return error_type.__name__, (message or last).splitlines()[0]


def dead_letter_row(uri: str, id_: str, stage: str, error_type: str, error: str) -> dict[str, Any]:
    """A dead-letter row shaped by the one schema."""
    row = {
        "uri": uri,
        "id": id_,
        "stage": stage,
        "error_type": error_type,
        "error": error,
        "failed_at": datetime.datetime.now(datetime.UTC),
    }
    return conform(row, DEAD_LETTER_FIELDS)


class ToDeadLetters(beam.PTransform):
    """Turns a stage's failed elements into dead-letter rows, one per image reference they hold."""

    def __init__(self, stage: str, references: Callable[[Any], Iterable[Any]]) -> None:
        """`references` lists the ImageRef/ImageMeta values inside one failed element."""
        super().__init__()
        self._stage, self._references = stage, references

    def expand(self, failed: beam.PCollection) -> beam.PCollection:
        """Emits the rows."""
        stage, references = self._stage, self._references

        def rows(bad: tuple[Any, tuple]) -> Iterable[dict[str, Any]]:
            element, failure = bad
            error_type, error = error_message(failure)
            return [dead_letter_row(ref.uri, ref.id, stage, error_type, error) for ref in references(element)]

        return failed | beam.FlatMap(rows)
