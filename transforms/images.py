"""Reference → bytes → image: the pipeline's read and decode steps, each with a dead-letter output."""

from collections.abc import Iterator
from typing import NamedTuple

import apache_beam as beam
import numpy as np

from transforms.decode import decode_image
from transforms.read import HttpPolicy, read_bytes


class ImageRef(NamedTuple):
    """A reference to one image, and the caller's id for it (the uri when none was given)."""

    uri: str
    id: str


class ImageMeta(NamedTuple):
    """What the record keeps of a decoded image; it rides along RunInference as the key."""

    uri: str
    id: str
    image_id: str
    width: int
    height: int
    format: str
    mode: str


class ReadImageBytes(beam.DoFn):
    """Reads the bytes behind each reference, refusing objects over the byte cap."""

    def __init__(self, max_bytes: int, http: HttpPolicy) -> None:
        self._max_bytes, self._http = max_bytes, http

    def process(self, ref: ImageRef) -> Iterator[tuple[ImageRef, bytes]]:
        yield ref, read_bytes(ref.uri, self._max_bytes, self._http)


class DecodeImage(beam.DoFn):
    """Decodes bytes into the model's input array, keyed by the image's metadata."""

    def __init__(self, size: int, max_bytes: int, max_pixels: int) -> None:
        self._size, self._max_bytes, self._max_pixels = size, max_bytes, max_pixels

    def process(self, element: tuple[ImageRef, bytes]) -> Iterator[tuple[ImageMeta, np.ndarray]]:
        ref, data = element
        image = decode_image(data, self._size, self._max_bytes, self._max_pixels)
        meta = ImageMeta(ref.uri, ref.id, image.image_id, image.width, image.height, image.format, image.mode)
        yield meta, image.pixels
