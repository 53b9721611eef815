"""Bytes to a model-ready RGB array with Pillow: any format and mode, bounded work, clear errors.

Plain functions without Beam, shared by the CLI and the pipeline's decode step.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff")  # names that look like images
MAX_BYTES = 64 * 1024 * 1024
MAX_PIXELS = 100_000_000  # about 10000 x 10000; larger images are refused before decoding


class ImageDecodeError(ValueError):
    """The bytes are not a usable image; the message says why in one line."""


@dataclass(frozen=True)
class DecodedImage:
    """An image resized for the models, with what is known of the original."""

    pixels: np.ndarray  # [size, size, 3] uint8 RGB
    width: int
    height: int
    format: str
    mode: str
    image_id: str  # sha256 of the original bytes


def content_id(data: bytes) -> str:
    """A stable id of an image's bytes: the hex sha256."""
    return hashlib.sha256(data).hexdigest()


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode to 8-bit RGB; transparency is composited onto white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        # 16-bit data scaled to 8 bits; float data read as 0..1 when it fits there.
        scale = 1.0 / 257.0 if image.mode != "F" or values.max() > 1.0 else 255.0
        image = Image.fromarray(np.clip(values * scale, 0, 255).astype(np.uint8), "L")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return image.convert("RGB")


def decode_image(data: bytes, size: int, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> DecodedImage:
    """Decodes image bytes into a size x size RGB array.

    EXIF orientation is applied, the first frame of an animation is used, and large
    JPEGs are decoded at a reduced scale (``draft``) since the models need only `size`.

    Args:
        data: the encoded image.
        size: side of the square output (the image is resized without cropping).
        max_bytes: larger inputs are refused.
        max_pixels: images with more pixels are refused before decoding (decompression bombs).

    Raises:
        ImageDecodeError: for empty, oversized, truncated, corrupt or non-image data.
    """
    if not data:
        raise ImageDecodeError("empty file (0 bytes)")
    if len(data) > max_bytes:
        raise ImageDecodeError(f"file too large: {len(data)} bytes > cap {max_bytes}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageDecodeError(f"image too large: {width}x{height} pixels > cap {max_pixels}")
            image_format, mode = image.format or "unknown", image.mode
            if image_format == "JPEG":
                image.draft("RGB", (size, size))
            image.load()
            loaded_size = image.size
            image = ImageOps.exif_transpose(image)
            if image.size != loaded_size:  # rotated by 90 or 270 degrees: report it as displayed
                width, height = height, width
            rgb = _to_rgb(image).resize((size, size), Image.Resampling.BILINEAR, reducing_gap=3.0)
            pixels = np.asarray(rgb, dtype=np.uint8)
    except ImageDecodeError:
        raise
    except Image.UnidentifiedImageError:
        raise ImageDecodeError("not an image: no decoder recognises the data") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageDecodeError(f"cannot decode image: {error}") from None
    return DecodedImage(pixels, width, height, image_format, mode, content_id(data))
