"""Decoding any format and mode to a model-ready array, and refusing bad bytes with clear errors."""

import io

import numpy as np
import pytest
from PIL import Image

from transforms.decode import DecodedImage, ImageDecodeError, content_id, decode_image

SIZE = 224


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def gradient(width: int = 120, height: int = 80) -> Image.Image:
    x = np.linspace(0, 255, width, dtype=np.uint8)
    rgb = np.stack([np.tile(x, (height, 1)), np.full((height, width), 90, np.uint8), np.tile(x[::-1], (height, 1))], -1)
    return Image.fromarray(rgb)


@pytest.mark.parametrize(
    ("fmt", "mode"),
    [
        ("JPEG", "RGB"),
        ("JPEG", "L"),
        ("JPEG", "CMYK"),
        ("PNG", "RGB"),
        ("PNG", "RGBA"),
        ("PNG", "LA"),
        ("PNG", "P"),
        ("PNG", "1"),
        ("WEBP", "RGB"),
        ("WEBP", "RGBA"),
        ("GIF", "P"),
        ("BMP", "RGB"),
        ("TIFF", "RGB"),
    ],
)
def test_every_format_and_mode_decodes_to_rgb(fmt: str, mode: str) -> None:
    data = encode(gradient().convert(mode), fmt)
    decoded = decode_image(data, SIZE)
    assert isinstance(decoded, DecodedImage)
    assert decoded.pixels.shape == (SIZE, SIZE, 3)
    assert decoded.pixels.dtype == np.uint8
    assert (decoded.width, decoded.height) == (120, 80)
    assert decoded.format == fmt
    assert decoded.image_id == content_id(data)
    if mode not in ("L", "1", "LA"):
        # Red rises left to right in the source; the decoded image must keep that.
        assert decoded.pixels[:, -20:, 0].mean() > decoded.pixels[:, :20, 0].mean() + 100


def test_cmyk_jpeg_keeps_its_colours() -> None:
    red = Image.new("RGB", (64, 64), (220, 30, 30)).convert("CMYK")
    pixels = decode_image(encode(red, "JPEG", quality=95), SIZE).pixels
    assert np.abs(pixels.reshape(-1, 3).mean(0) - [220, 30, 30]).max() < 12


def test_16bit_png_is_scaled_not_clipped() -> None:
    values = np.full((50, 50), 30000, np.uint16)  # about 46% of full scale
    decoded = decode_image(encode(Image.fromarray(values), "PNG"), SIZE)
    assert decoded.mode.startswith("I")
    assert abs(int(decoded.pixels[0, 0, 0]) - 30000 // 257) <= 1


def test_transparency_is_composited_on_white() -> None:
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (10, 10, 30, 30))
    pixels = decode_image(encode(image, "PNG"), SIZE).pixels
    assert pixels[0, 0].tolist() == [255, 255, 255]
    assert pixels[SIZE // 2, SIZE // 2].tolist() == [200, 0, 0]


def test_exif_orientation_is_applied() -> None:
    image = Image.new("RGB", (200, 100), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 100, 100))  # left half red as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # displayed rotated 90 degrees clockwise
    decoded = decode_image(encode(image, "JPEG", exif=exif.tobytes(), quality=95), SIZE)
    assert (decoded.width, decoded.height) == (100, 200)
    top, bottom = decoded.pixels[10, SIZE // 2], decoded.pixels[-10, SIZE // 2]
    assert top[0] > 200 and top[2] < 60  # the stored left half is now on top
    assert bottom[2] > 200 and bottom[0] < 60


def test_first_frame_of_an_animation_is_used() -> None:
    frames = [Image.new("RGB", (32, 32), colour) for colour in ((0, 200, 0), (200, 0, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    pixels = decode_image(buffer.getvalue(), SIZE).pixels
    assert pixels[..., 1].mean() > 150 and pixels[..., 0].mean() < 50


def test_large_jpeg_is_decoded_at_reduced_scale_with_full_size_reported() -> None:
    big = Image.fromarray(np.random.default_rng(0).integers(0, 255, (2400, 3200, 3), np.uint8))
    decoded = decode_image(encode(big, "JPEG", quality=80), SIZE)
    assert (decoded.width, decoded.height) == (3200, 2400)
    assert decoded.pixels.shape == (SIZE, SIZE, 3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"hello, this is plain text and not an image", "not an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not an image"),
    ],
)
def test_bad_bytes_raise_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(ImageDecodeError, match=message):
        decode_image(data, SIZE)


def test_corrupt_image_data_is_refused() -> None:
    data = bytearray(encode(gradient(400, 300), "PNG"))
    middle = len(data) // 2
    data[middle : middle + 64] = b"\xff" * 64
    with pytest.raises(ImageDecodeError, match="cannot decode image"):
        decode_image(bytes(data), SIZE)


def test_truncated_image_is_refused() -> None:
    data = encode(gradient(400, 300), "JPEG", quality=90)
    with pytest.raises(ImageDecodeError, match=r"truncated|cannot decode"):
        decode_image(data[: len(data) // 3], SIZE)


def test_caps_on_bytes_and_pixels() -> None:
    data = encode(gradient(), "PNG")
    with pytest.raises(ImageDecodeError, match="file too large"):
        decode_image(data, SIZE, max_bytes=len(data) - 1)
    with pytest.raises(ImageDecodeError, match="image too large: 120x80"):
        decode_image(data, SIZE, max_pixels=120 * 80 - 1)
