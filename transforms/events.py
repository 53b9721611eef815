"""User events → checked events → joined with the catalogue → per-user style affinity and per-image engagement.

Events come from files (CSV with a header, JSON lines or Parquet, chosen by suffix; globs allowed)
or from Pub/Sub messages (one JSON object each), all with the keys ``user_id``, ``uri`` and/or
``image_id``, ``event`` and ``timestamp`` (ISO-8601, naive meaning UTC, or epoch seconds). Each event
ends as exactly one contribution to its user's profile and its image's engagement, or as one dead
letter: ``event`` (unparsable, no user, no image, unknown event type, bad or too late timestamp)
or ``join`` (image not in the catalogue), its error naming the file and line or the message.
"""

import csv
import datetime
import io
import json
import math
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any, BinaryIO, NamedTuple

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.coders import PickleCoder
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from models.affinity import CatalogueImage, DecayedSum, catalogue_image
from transforms.dead_letters import ToDeadLetters
from transforms.images import ImageRef
from transforms.schema import IMAGE_ENGAGEMENT_FIELDS, USER_PROFILE_FIELDS, conform

KeyedValue = tuple[str, Any]  # typed so that per-key state gets a deterministic key coder
CSV_EXTRA_FIELDS = "<fields beyond the header>"  # where csv.DictReader puts a line's surplus fields


class RawEvent(NamedTuple):
    """One event as read, before any check: where it came from (file:line or message) and its fields or JSON text."""

    source: str
    record: Any  # a dict (CSV, Parquet), or JSON text as str or bytes (JSON lines, Pub/Sub)


class Event(NamedTuple):
    """A checked event: who did what to which image (uri and/or image_id), when (epoch seconds), with what weight."""

    user_id: str
    uri: str | None
    image_id: str | None
    event: str
    weight: float
    time: float
    source: str


class Contribution(NamedTuple):
    """An event joined with its image: what it adds to its user's profile and to the image's engagement."""

    user_id: str
    uri: str
    time: float
    weight: float
    styles: dict[str, float]


def read_csv_events(path: str, handle: BinaryIO) -> Iterator[RawEvent]:
    """The rows of a CSV file with a header line, as dicts."""
    reader = csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8", newline=""), restkey=CSV_EXTRA_FIELDS)
    for row in reader:
        yield RawEvent(f"{path}:{reader.line_num}", row)


def read_json_events(path: str, handle: BinaryIO) -> Iterator[RawEvent]:
    """The non-blank lines of a JSON-lines file, as text (parsed by `parse_event`, so a bad line fails alone)."""
    for number, line in enumerate(io.TextIOWrapper(handle, encoding="utf-8"), 1):
        if line.strip():
            yield RawEvent(f"{path}:{number}", line)


def read_parquet_events(path: str, handle: BinaryIO) -> Iterator[RawEvent]:
    """The rows of a Parquet file, as dicts, one record batch in memory at a time."""
    rows = (row for batch in pq.ParquetFile(handle).iter_batches() for row in batch.to_pylist())
    for number, row in enumerate(rows, 1):
        yield RawEvent(f"{path}:row {number}", row)


EVENT_READERS: dict[str, Callable[[str, BinaryIO], Iterator[RawEvent]]] = {
    ".csv": read_csv_events,
    ".jsonl": read_json_events,
    ".ndjson": read_json_events,
    ".json": read_json_events,
    ".parquet": read_parquet_events,
}


def event_reader(pattern: str) -> Callable[[str, BinaryIO], Iterator[RawEvent]]:
    """The reader for the files a path or glob names, chosen by its suffix.

    Raises:
        ValueError: when the suffix is not one of EVENT_READERS'.
    """
    suffix = PurePosixPath(pattern).suffix.lower()
    if suffix not in EVENT_READERS:
        raise ValueError(f"events {pattern}: the name must end in one of {', '.join(EVENT_READERS)}")
    return EVENT_READERS[suffix]


def event_fields(record: Any) -> dict:
    """A raw event's fields: a row as it is, JSON text parsed.

    Raises:
        ValueError: when the text is not UTF-8 or not one JSON object.
    """
    if isinstance(record, bytes):
        record = record.decode("utf-8")
    if isinstance(record, str):
        try:
            record = json.loads(record)
        except json.JSONDecodeError as error:
            raise ValueError(f"not JSON: {error}") from None
    if not isinstance(record, dict):
        raise ValueError(f"not a JSON object but {type(record).__name__}")
    return record


def event_time(value: Any) -> float:
    """Epoch seconds of a timestamp: a datetime, epoch seconds (number or text) or ISO-8601 text (naive: UTC).

    Raises:
        ValueError: when there is none or it is none of those.
    """
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            value = float(text)
        except ValueError:
            try:
                value = datetime.datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(f"bad timestamp {text!r}: give ISO-8601 or epoch seconds") from None
    if isinstance(value, datetime.datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=datetime.UTC)).timestamp()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("no timestamp" if value in (None, "") else f"bad timestamp {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"bad timestamp {value!r}")
    return float(value)


def utc(seconds: float) -> datetime.datetime:
    """Epoch seconds as an aware UTC datetime."""
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_event(raw: RawEvent, weights: dict[str, float], as_of: float | None = None) -> Event:
    """Checks a raw event against the known event types (`weights`) and, in batch, the time profiles are as of.

    Raises:
        ValueError: naming the event's source and what is wrong with it.
    """
    try:
        fields = event_fields(raw.record)
        if fields.get(CSV_EXTRA_FIELDS):
            raise ValueError(f"{len(fields[CSV_EXTRA_FIELDS])} more fields than the header")
        user_id = _text(fields.get("user_id"))
        if not user_id:
            raise ValueError("no user_id")
        uri, image_id = _text(fields.get("uri")), _text(fields.get("image_id"))
        if not (uri or image_id):
            raise ValueError("names no image: give uri or image_id")
        event = _text(fields.get("event")).lower()
        if not event:
            raise ValueError("no event type")
        if event not in weights:
            raise ValueError(f"unknown event type {event!r} (known: {', '.join(weights)})")
        time = event_time(fields.get("timestamp"))
        if as_of is not None and time > as_of:
            raise ValueError(f"event at {utc(time).isoformat()} is after --as_of {utc(as_of).isoformat()}")
    except ValueError as error:
        raise ValueError(f"{raw.source}: {error}") from None
    return Event(user_id, uri or None, image_id or None, event, weights[event], time, raw.source)


def raw_event_reference(raw: RawEvent) -> ImageRef:
    """What a dead letter names for a raw event: its image (else its source), and its user where readable."""
    try:
        fields = event_fields(raw.record)
    except ValueError:
        fields = {}
    image = _text(fields.get("uri")) or _text(fields.get("image_id")) or raw.source
    return ImageRef(image, _text(fields.get("user_id")))


def read_catalogue_rows(handle: BinaryIO) -> Iterator[dict]:
    """The columns of an ``images`` Parquet file that the join needs, one record batch in memory at a time."""
    columns = ["uri", "image_id", "style", "styles"]
    for batch in pq.ParquetFile(handle).iter_batches(columns=columns):
        yield from batch.to_pylist()


def catalogue_keys(row: dict) -> list[tuple[tuple[str, str], CatalogueImage]]:
    """An ``images`` row under the keys an event may name it by: ``("uri", uri)`` and ``("image_id", image_id)``."""
    image = catalogue_image(row)
    return [(("uri", image.uri), image)] + ([(("image_id", image.image_id), image)] if image.image_id else [])


def join_catalogue(event: Event, catalogue: dict[tuple[str, str], CatalogueImage]) -> Contribution:
    """The event with its image's style scores, found by uri, else by image_id (the content hash).

    Raises:
        LookupError: when the catalogue has neither.
    """
    image = catalogue.get(("uri", event.uri)) or catalogue.get(("image_id", event.image_id))
    if image is None:
        raise LookupError(f"{event.source}: image {event.uri or event.image_id} is not in the catalogue")
    return Contribution(event.user_id, image.uri, event.time, event.weight, image.styles)


def profile_row(user_id: str, total: DecayedSum, as_of: float) -> dict[str, Any]:
    """A ``user_profiles`` row: the user's normalised style affinity, its top style and event count."""
    affinity = total.affinity()
    row = {
        "user_id": user_id,
        "style_affinity": affinity,
        "top_style": affinity[0]["label"],
        "n_events": total.count,
        "updated_at": utc(as_of),
    }
    return conform(row, USER_PROFILE_FIELDS)


def engagement_row(uri: str, total: DecayedSum, as_of: float) -> dict[str, Any]:
    """An ``image_engagement`` row: the image's Σ weight × decay as of `as_of`, and its event count."""
    row = {
        "uri": uri,
        "n_events": total.count,
        "engagement": total.weight_at(as_of),
        "half_life_days": total.half_life_days,
        "updated_at": utc(as_of),
    }
    return conform(row, IMAGE_ENGAGEMENT_FIELDS)


def read_matched_file(file: fileio.ReadableFile, reader: Callable[[str, BinaryIO], Iterator[Any]]) -> Iterator[Any]:
    """What `reader` makes of one matched file, closing the file after."""
    with file.open() as handle:
        yield from reader(file.metadata.path, handle)


class ReadFileRecords(beam.PTransform):
    """What `reader` makes of each file a glob matches; one worker streams each file, so split big ones.

    Read with fileio rather than a bounded source such as ReadFromParquet: the local runner cannot
    stream a bounded source.
    """

    def __init__(self, pattern: str, reader: Callable[[str, BinaryIO], Iterator[Any]]) -> None:
        super().__init__()
        self._pattern, self._reader = pattern, reader

    def expand(self, pipeline: beam.pvalue.PBegin) -> beam.PCollection:
        """The records of every matched file."""
        return (
            pipeline
            | "Match" >> fileio.MatchFiles(self._pattern)
            | "Open" >> fileio.ReadMatches(compression=CompressionTypes.UNCOMPRESSED)
            | "Read" >> beam.FlatMap(read_matched_file, self._reader)
        )


class ReadEvents(beam.PTransform):
    """Raw events from a file or glob, the format chosen by suffix."""

    def __init__(self, pattern: str) -> None:
        super().__init__()
        self._pattern, self._reader = pattern, event_reader(pattern)

    def expand(self, pipeline: beam.pvalue.PBegin) -> beam.PCollection:
        """One RawEvent per row or line."""
        return pipeline | "ReadFiles" >> ReadFileRecords(self._pattern, self._reader)


class ReadEventsFromPubSub(beam.PTransform):
    """Raw events from a Pub/Sub subscription or topic, one JSON object per message."""

    def __init__(self, subscription: str | None = None, topic: str | None = None) -> None:
        super().__init__()
        self._subscription, self._topic = subscription, topic

    def expand(self, pipeline: beam.pvalue.PBegin) -> beam.PCollection:
        """One RawEvent per message."""
        return (
            pipeline
            | "ReadPubSub"
            >> beam.io.ReadFromPubSub(topic=self._topic, subscription=self._subscription, with_attributes=True)
            | "ToRawEvent" >> beam.Map(lambda message: RawEvent(f"message {message.message_id}", message.data))
        )


class ReadCatalogue(beam.PTransform):
    """The tagged images of an output folder as (key, CatalogueImage) pairs: see `catalogue_keys`."""

    def __init__(self, output: str) -> None:
        super().__init__()
        self._pattern = f"{output.rstrip('/')}/images/*.parquet"

    def expand(self, pipeline: beam.pvalue.PBegin) -> beam.PCollection:
        """Each images row under its keys."""
        return (
            pipeline
            | "ReadFiles" >> ReadFileRecords(self._pattern, lambda _path, handle: read_catalogue_rows(handle))
            | "Key" >> beam.FlatMap(catalogue_keys)
        )


class DecayedSumFn(beam.CombineFn):
    """Combines (time, weight, vector) values into one DecayedSum."""

    def __init__(self, half_life_days: float) -> None:
        self._half_life_days = half_life_days

    def create_accumulator(self) -> DecayedSum:
        """An empty sum."""
        return DecayedSum(self._half_life_days)

    def add_input(self, total: DecayedSum, value: tuple[float, float, dict[str, float]]) -> DecayedSum:
        """Adds one event."""
        total.add(*value)
        return total

    def merge_accumulators(self, totals: list[DecayedSum]) -> DecayedSum:
        """Adds partial sums together."""
        merged = self.create_accumulator()
        for total in totals:
            merged.merge(total)
        return merged

    def extract_output(self, total: DecayedSum) -> DecayedSum:
        """The sum itself; rows are made from it by the caller."""
        return total


class RunningSum(beam.DoFn):
    """Streaming: adds each value to its key's DecayedSum, kept in state, and emits the updated row.

    No timers: a row per event, so the local runner's missing real-time timers do not matter.
    """

    TOTAL = ReadModifyWriteStateSpec("total", PickleCoder())

    def __init__(self, half_life_days: float, to_row: Callable[[str, DecayedSum, float], dict]) -> None:
        self._half_life_days, self._to_row = half_life_days, to_row

    def process(
        self,
        element: tuple[str, tuple[float, float, dict[str, float]]],
        total=beam.DoFn.StateParam(TOTAL),  # noqa: B008 (Beam finds state by this default)
    ) -> Iterator[dict]:
        """Updates the key's sum; the row is as of the key's newest event."""
        key, value = element
        running = total.read() or DecayedSum(self._half_life_days)
        running.add(*value)
        total.write(running)
        yield self._to_row(key, running, running.time)


class SumPerKey(beam.PTransform):
    """Per key, the decayed sum of its (time, weight, vector) values as a row: once in batch, per event streaming."""

    def __init__(
        self, half_life_days: float, to_row: Callable[[str, DecayedSum, float], dict], as_of: float | None
    ) -> None:
        """`as_of`: batch, the time every row is as of; None: streaming, each row as of its key's newest event."""
        super().__init__()
        self._half_life_days, self._to_row, self._as_of = half_life_days, to_row, as_of

    def expand(self, keyed: beam.PCollection) -> beam.PCollection:
        """The rows."""
        to_row, as_of = self._to_row, self._as_of
        if as_of is None:
            return keyed | "Running" >> beam.ParDo(RunningSum(self._half_life_days, to_row))
        return (
            keyed
            | "Combine" >> beam.CombinePerKey(DecayedSumFn(self._half_life_days))
            | "ToRow" >> beam.MapTuple(lambda key, total: to_row(key, total, as_of))
        )


class ProfileEvents(beam.PTransform):
    """Raw events → ``user_profiles``, ``image_engagement`` and ``profile_dead_letters`` rows, via the catalogue.

    The catalogue is a side input: every image's style scores must fit in each worker's memory
    (about 2 KB an image under its two keys, so 2 GB for a million images).
    """

    def __init__(
        self, catalogue: beam.PCollection, weights: dict[str, float], half_life_days: float, as_of: float | None
    ) -> None:
        """`catalogue` holds ReadCatalogue's pairs; `as_of` as for SumPerKey (None: streaming)."""
        super().__init__()
        self._catalogue, self._weights, self._half_life_days, self._as_of = catalogue, weights, half_life_days, as_of

    def expand(self, raw_events: beam.PCollection) -> "dict[str, beam.PCollection]":  # quoted: Beam warns otherwise
        """Parses, joins and sums; every event ends as one contribution or one dead letter."""
        half_life, as_of = self._half_life_days, self._as_of
        events, unparsed = raw_events | "Parse" >> beam.Map(parse_event, self._weights, as_of).with_exception_handling()
        contributions, unmatched = (
            events | "Join" >> beam.Map(join_catalogue, beam.pvalue.AsDict(self._catalogue)).with_exception_handling()
        )
        profiles = (
            contributions
            | "ByUser" >> beam.Map(lambda c: (c.user_id, (c.time, c.weight, c.styles))).with_output_types(KeyedValue)
            | "Profiles" >> SumPerKey(half_life, profile_row, as_of)
        )
        engagement = (
            contributions
            | "ByImage" >> beam.Map(lambda c: (c.uri, (c.time, c.weight, {}))).with_output_types(KeyedValue)
            | "Engagement" >> SumPerKey(half_life, engagement_row, as_of)
        )
        dead_letters = (
            unparsed | "EventFailed" >> ToDeadLetters("event", lambda raw: [raw_event_reference(raw)]),
            unmatched | "JoinFailed" >> ToDeadLetters("join", lambda e: [ImageRef(e.uri or e.image_id, e.user_id)]),
        ) | "AllDeadLetters" >> beam.Flatten()
        return {"user_profiles": profiles, "image_engagement": engagement, "profile_dead_letters": dead_letters}
