"""The synthetic design generator: determinism, API contract, dataset writer, and per-style colour statistics."""

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from models.generator import SIZES, STYLE_RECIPES, generate, generate_dataset

STYLES = list(STYLE_RECIPES)
SEEDS = range(12)
STAT_SIZE = (224, 168)


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def hsv_pixels(image: Image.Image) -> np.ndarray:
    """HSV with hue in degrees and S, V in 0..1, as float arrays [H, W, 3]."""
    hsv = np.asarray(image.convert("HSV"), np.float32)
    return hsv * np.array([360.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0], np.float32)


def dominant_hue(image: Image.Image) -> float:
    """Saturation-weighted circular mean hue in degrees."""
    hsv = hsv_pixels(image)
    rad = np.radians(hsv[..., 0])
    weight = hsv[..., 1] * hsv[..., 2]
    return float(np.degrees(np.arctan2((np.sin(rad) * weight).sum(), (np.cos(rad) * weight).sum())) % 360)


@pytest.fixture(scope="module")
def stats() -> dict[str, dict[str, np.ndarray]]:
    """Mean brightness (V), mean saturation and dominant hue of 12 images per style."""
    out = {}
    for style in STYLES:
        images = [generate(style, seed, STAT_SIZE) for seed in SEEDS]
        hsv = [hsv_pixels(image) for image in images]
        out[style] = {
            "value": np.array([h[..., 2].mean() for h in hsv]),
            "saturation": np.array([h[..., 1].mean() for h in hsv]),
            "hue": np.array([dominant_hue(image) for image in images]),
        }
    return out


@pytest.mark.parametrize("style", STYLES)
def test_same_seed_gives_identical_bytes_and_other_seed_differs(style: str) -> None:
    first = generate(style, 7, (160, 120))
    assert png_bytes(first) == png_bytes(generate(style, 7, (160, 120)))
    other = generate(style, 8, (160, 120))
    assert np.abs(np.asarray(first, np.int16) - np.asarray(other, np.int16)).mean() > 2.0


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("size", [(448, 336), (300, 400), (512, 288)])
def test_every_style_renders_rgb_at_the_requested_size(style: str, size: tuple[int, int]) -> None:
    image = generate(style, 3, size)
    assert image.mode == "RGB" and image.size == size
    assert np.asarray(image).std() > 5.0  # not a blank canvas


def test_default_size_comes_from_the_allowed_set_and_depends_on_seed() -> None:
    sizes = {generate("happy_vivid", seed).size for seed in range(10)}
    assert sizes <= set(SIZES) and len(sizes) > 1
    for w, h in sizes:
        assert 3 / 4 - 1e-6 <= w / h <= 16 / 9 + 1e-6


def test_unknown_style_raises_value_error_naming_the_known_styles() -> None:
    with pytest.raises(ValueError, match=r"unknown style 'baroque'.*simple_neutral"):
        generate("baroque", 0)
    with pytest.raises(ValueError, match="unknown style"):
        generate_dataset(Path("/nonexistent"), 1, styles=["baroque"])


def test_registry_accepts_new_recipes() -> None:
    STYLE_RECIPES["test_flat_red"] = lambda rng, size: Image.new("RGB", size, (200, 0, 0))
    try:
        assert generate("test_flat_red", 0, (40, 30)).getpixel((5, 5)) == (200, 0, 0)
    finally:
        del STYLE_RECIPES["test_flat_red"]


def test_generate_dataset_writes_images_and_labels(tmp_path) -> None:
    styles = ["rosy_graceful", "cool_trendy"]
    labels = generate_dataset(tmp_path / "synthetic", per_style=3, seed=5, styles=styles)
    assert labels == (tmp_path / "synthetic" / "labels.csv").resolve()
    with labels.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["uri", "style", "secondary_style", "source_package", "licence"]
    assert len(rows) == 1 + 6
    for style in styles:
        files = sorted((tmp_path / "synthetic" / style).glob("*.png"))
        assert [f.name for f in files] == [f"{style}_{i:05d}.png" for i in range(3)]
    for uri, style, secondary, source, licence in rows[1:]:
        path = Path(uri)
        assert path.is_absolute() and path.exists() and path.parent.name == style
        assert (secondary, source, licence) == ("", "generator", "generated (project licence)")
        with Image.open(path) as image:
            assert image.mode == "RGB"
    # The same dataset seed reproduces the same files; images within a style differ.
    again = generate_dataset(tmp_path / "again", per_style=3, seed=5, styles=styles)
    first = (tmp_path / "synthetic" / "cool_trendy" / "cool_trendy_00001.png").read_bytes()
    assert first == (again.parent / "cool_trendy" / "cool_trendy_00001.png").read_bytes()
    assert first != (tmp_path / "synthetic" / "cool_trendy" / "cool_trendy_00002.png").read_bytes()


def test_mysterious_hard_is_darker_than_fresh_elegant_and_simple_neutral(stats) -> None:
    dark = stats["mysterious_hard"]["value"].mean()
    assert dark < 0.35
    assert dark < stats["fresh_elegant"]["value"].mean() - 0.3
    assert dark < stats["simple_neutral"]["value"].mean() - 0.3


def test_future_tech_is_darker_than_rosy_graceful(stats) -> None:
    assert stats["future_tech"]["value"].mean() < stats["rosy_graceful"]["value"].mean() - 0.3


def test_happy_vivid_is_more_saturated_than_simple_neutral_and_fresh_elegant(stats) -> None:
    vivid = stats["happy_vivid"]["saturation"]
    assert vivid.mean() > 0.5
    assert vivid.mean() > stats["simple_neutral"]["saturation"].mean() + 0.3
    assert vivid.mean() > stats["fresh_elegant"]["saturation"].mean() + 0.2
    assert stats["simple_neutral"]["saturation"].mean() < 0.15


def test_light_airy_styles_are_bright(stats) -> None:
    for style in ("fresh_elegant", "rosy_graceful"):
        assert stats[style]["value"].mean() > 0.8, style
    assert np.median(stats["simple_neutral"]["value"]) > 0.75


def test_rosy_graceful_hue_is_pink_or_peach_more_often_than_any_other_style(stats) -> None:
    def pinkish(style: str) -> float:
        # Hue means nothing on near-grey images, so neutrals (beige included) do not count as peach.
        hues, chromatic = stats[style]["hue"], stats[style]["saturation"] >= 0.12
        return float((((hues >= 300) | (hues <= 35)) & chromatic).mean())

    rosy = pinkish("rosy_graceful")
    assert rosy >= 0.8
    for style in STYLES:
        if style != "rosy_graceful":
            assert pinkish(style) < rosy - 0.3, style


def test_fresh_elegant_leans_green_to_blue_and_future_tech_blue_to_purple(stats) -> None:
    assert np.mean((stats["fresh_elegant"]["hue"] >= 70) & (stats["fresh_elegant"]["hue"] <= 220)) >= 0.75
    assert np.mean((stats["future_tech"]["hue"] >= 170) & (stats["future_tech"]["hue"] <= 330)) >= 0.75
