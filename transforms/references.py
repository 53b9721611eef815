"""Where references come from: a text file or a glob in batch; Pub/Sub messages or a watched glob in streaming."""

import json
import time

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystems import FileSystems
from apache_beam.io.watch import PollResult, Watch, after_total_of, never
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Timestamp

from transforms.decode import IMAGE_SUFFIXES
from transforms.images import ImageRef

GLOB_CHARACTERS = "*?["


def parse_reference(line: str) -> list[ImageRef]:
    """One line of a references file: the uri itself; blank lines and # comments give none."""
    uri = line.strip()
    return [] if not uri or uri.startswith("#") else [ImageRef(uri, uri)]


class ReadReferences(beam.PTransform):
    """Image references from a glob (every matching file), one image file, or a text file of references."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self._source = source

    def expand(self, pipeline: beam.pvalue.PBegin) -> beam.PCollection:
        """The references as ImageRef values."""
        # A glob, or one image named directly, is matched; anything else is a list of references.
        if any(c in self._source for c in GLOB_CHARACTERS) or self._source.lower().endswith(IMAGE_SUFFIXES):
            return (
                pipeline
                | "Match" >> fileio.MatchFiles(self._source)
                | "ToRef" >> beam.Map(lambda metadata: ImageRef(metadata.path, metadata.path))
            )
        return pipeline | "ReadList" >> beam.io.ReadFromText(self._source) | "Parse" >> beam.FlatMap(parse_reference)


def parse_message(message: "beam.io.PubsubMessage") -> list[ImageRef]:
    """The reference a Pub/Sub message carries: a plain uri, JSON ``{"uri", "id"}``, or a GCS notification.

    GCS notifications other than OBJECT_FINALIZE (deletes, metadata updates) name no new image
    and give none.

    Raises:
        ValueError: when the message names no image.
    """
    attributes = message.attributes or {}
    if "bucketId" in attributes and "objectId" in attributes:
        if attributes.get("eventType", "OBJECT_FINALIZE") != "OBJECT_FINALIZE":
            return []
        uri = f"gs://{attributes['bucketId']}/{attributes['objectId']}"
        return [ImageRef(uri, attributes.get("objectGeneration", uri))]
    text = (message.data or b"").decode("utf-8").strip()
    if text.startswith("{"):
        body = json.loads(text)
        uri = str(body.get("uri") or "").strip()
        if not uri:
            raise ValueError("JSON message has no uri")
        return [ImageRef(uri, str(body.get("id") or uri))]
    if not text:
        raise ValueError("empty message")
    return [ImageRef(text, text)]


def message_reference(message: "beam.io.PubsubMessage") -> ImageRef:
    """What a dead letter names for a message that carries no usable reference."""
    text = (message.data or b"").decode("utf-8", "replace").strip()
    return ImageRef(text[:500] or "<empty message>", message.message_id or "")


class ReadReferencesFromPubSub(beam.PTransform):
    """References from a Pub/Sub subscription or topic; messages naming no image go to the second output."""

    def __init__(self, subscription: str | None = None, topic: str | None = None) -> None:
        super().__init__()
        self._subscription, self._topic = subscription, topic

    def expand(self, pipeline: beam.pvalue.PBegin) -> tuple[beam.PCollection, beam.PCollection]:
        """(references, failed messages as Beam dead-letter tuples)."""
        messages = pipeline | "ReadPubSub" >> beam.io.ReadFromPubSub(
            topic=self._topic, subscription=self._subscription, with_attributes=True
        )
        return messages | "ParseMessage" >> beam.FlatMap(parse_message).with_exception_handling()


class _MatchGlob:
    """Poll function for Watch: every file the glob matches now, at most one poll per interval.

    Dataflow spaces polls by the interval itself; the local runner re-runs a deferred poll at
    once, so the wait here keeps a local watch from spinning a core.
    """

    def __init__(self, interval_seconds: float) -> None:
        self._interval = interval_seconds
        self._last_poll = 0.0

    def __call__(self, pattern: str) -> PollResult[str]:
        time.sleep(max(0.0, self._last_poll + self._interval - time.monotonic()))
        self._last_poll = time.monotonic()
        matched = FileSystems.match([pattern])[0].metadata_list
        now = Timestamp.now()
        return PollResult.incomplete([TimestampedValue(metadata.path, now) for metadata in matched])


class WatchReferences(beam.PTransform):
    """References to the files a glob matches, each once: those there at the start, then each new one."""

    def __init__(self, pattern: str, interval_seconds: float = 10.0, stop_after_seconds: float = 0.0) -> None:
        super().__init__()
        self._pattern, self._interval, self._stop_after = pattern, interval_seconds, stop_after_seconds

    def expand(self, pipeline: beam.pvalue.PBegin) -> beam.PCollection:
        """The references as ImageRef values, in an unbounded PCollection."""
        termination = after_total_of(self._stop_after) if self._stop_after > 0 else never()
        return (
            pipeline
            | "Pattern" >> beam.Create([self._pattern])
            | "Watch" >> Watch(_MatchGlob(self._interval), poll_interval=self._interval, termination=termination)
            | "ToRef" >> beam.MapTuple(lambda _, path: ImageRef(path, path))
        )
