"""Where references come from: a text file or a glob in batch; Pub/Sub messages in streaming."""

import json

import apache_beam as beam
from apache_beam.io import fileio

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
