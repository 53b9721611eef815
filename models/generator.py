"""Procedural generator of ad-like and poster-like designs, one recipe per design style.

Synthetic images add volume and class balance when training the style classifier; real
labelled images stay the truth and synthetic ones are kept apart from them in every metric.
Everything here is numpy + Pillow and deterministic for a given (style, seed, size).

Each recipe draws on a supersampled canvas (shapes, text, products), with backgrounds and
blurs computed at output or lower resolution because they are smooth anyway, then
downsamples once for anti-aliasing.
"""

from __future__ import annotations

import colorsys
import csv
import glob
import math
import os
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

Colour = tuple[int, int, int] | tuple[int, int, int, int]
Box = tuple[float, float, float, float]

SS = 2
"""Supersampling factor for vector drawing."""

SIZES: tuple[tuple[int, int], ...] = ((448, 336), (448, 336), (336, 448), (384, 384), (480, 320), (512, 288))
"""(width, height) choices when no size is given: aspect ratios from 3:4 to 16:9."""

# ---------------------------------------------------------------------------------------------
# Colour helpers
# ---------------------------------------------------------------------------------------------


def hsv(h: float, s: float, v: float, a: int | None = None) -> Colour:
    """Converts HSV (hue in degrees, s and v in 0..1) to an 8-bit RGB or RGBA tuple."""
    r, g, b = colorsys.hsv_to_rgb((h % 360.0) / 360.0, min(max(s, 0.0), 1.0), min(max(v, 0.0), 1.0))
    rgb = (round(r * 255), round(g * 255), round(b * 255))
    return rgb if a is None else (*rgb, int(a))


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def _hue(rng: np.random.Generator, lo: float, hi: float) -> float:
    """A hue in [lo, hi] degrees; lo > hi wraps through 0 (e.g. 340..15 for crimson)."""
    if lo > hi:
        hi += 360.0
    return _u(rng, lo, hi) % 360.0


def sample_colour(
    rng: np.random.Generator, h: tuple[float, float], s: tuple[float, float], v: tuple[float, float]
) -> tuple[float, float, float]:
    """Samples an HSV colour from ranges, so palettes vary widely within a style."""
    return _hue(rng, *h), _u(rng, *s), _u(rng, *v)


def rgba(colour: Colour, a: float) -> tuple[int, int, int, int]:
    """The colour with alpha a (0..255)."""
    return (colour[0], colour[1], colour[2], int(max(0, min(255, a))))


def mix(c0: Colour, c1: Colour, t: float) -> tuple[int, int, int]:
    """Linear blend of two RGB colours."""
    return tuple(round(c0[i] * (1 - t) + c1[i] * t) for i in range(3))  # type: ignore[return-value]


WHITE: Colour = (255, 255, 255)
BLACK: Colour = (0, 0, 0)

# ---------------------------------------------------------------------------------------------
# Backgrounds (numpy, float32 HxWx3 in 0..255, at output resolution)
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _coords(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates normalised to 0..1, cached per size."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return (x + 0.5) / w, (y + 0.5) / h


def _lerp_stops(t: np.ndarray, stops: Sequence[Colour]) -> np.ndarray:
    """Maps t in 0..1 through evenly spaced colour stops."""
    t = np.clip(t, 0.0, 1.0)
    cols = np.asarray([c[:3] for c in stops], np.float32)
    pos = t * (len(cols) - 1)
    i = np.minimum(pos.astype(np.int32), len(cols) - 2)
    f = (pos - i)[..., None]
    return cols[i] * (1 - f) + cols[i + 1] * f


def linear_gradient(size: tuple[int, int], stops: Sequence[Colour], angle: float = 90.0) -> np.ndarray:
    """Linear gradient through stops; angle 90 runs top to bottom, 0 left to right."""
    w, h = size
    x, y = _coords(w, h)
    a = math.radians(angle)
    t = x * math.cos(a) * w / max(w, h) + y * math.sin(a) * h / max(w, h)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    return _lerp_stops(t, stops)


def radial_gradient(
    size: tuple[int, int], stops: Sequence[Colour], centre: tuple[float, float] = (0.5, 0.5), radius: float = 0.75
) -> np.ndarray:
    """Radial gradient from stops[0] at centre (fractions of the image) to stops[-1] at radius."""
    w, h = size
    x, y = _coords(w, h)
    aspect = w / h
    d = np.sqrt(((x - centre[0]) * aspect) ** 2 + (y - centre[1]) ** 2) / (radius * max(aspect, 1.0))
    return _lerp_stops(d, stops)


def fractal_noise(rng: np.random.Generator, size: tuple[int, int], octaves: int = 5, base: int = 3) -> np.ndarray:
    """Fractal value noise in 0..1: random grids upsampled bicubically and summed by octave."""
    w, h = size
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for o in range(octaves):
        cells = base * 2**o
        gw, gh = max(2, round(cells * w / max(w, h)) + 1), max(2, round(cells * h / max(w, h)) + 1)
        grid = Image.fromarray(rng.random((gh, gw), dtype=np.float32), mode="F")
        out += amp * np.asarray(grid.resize((w, h), Image.Resampling.BICUBIC))
        total += amp
        amp *= 0.5
    out /= total
    lo, hi = np.percentile(out, (1, 99))
    return np.clip((out - lo) / max(hi - lo, 1e-6), 0.0, 1.0)


def _shade(noise: np.ndarray, dark: Colour, light: Colour) -> np.ndarray:
    """Colours a 0..1 map between two colours."""
    return _lerp_stops(noise, (dark, light))


# ---------------------------------------------------------------------------------------------
# Post effects at output resolution (numpy float32)
# ---------------------------------------------------------------------------------------------


def vignette(arr: np.ndarray, strength: float) -> np.ndarray:
    """Darkens the corners by up to `strength` (0..1)."""
    h, w = arr.shape[:2]
    x, y = _coords(w, h)
    d = ((x - 0.5) ** 2 + (y - 0.5) ** 2) * 2.0
    return arr * (1.0 - strength * np.clip(d, 0, 1) ** 1.2)[..., None]


def grain(arr: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """Adds monochrome film grain with standard deviation `amount` (0..255 units)."""
    h, w = arr.shape[:2]
    return arr + rng.normal(0.0, amount, (h, w, 1)).astype(np.float32)


def scanlines(arr: np.ndarray, period: int = 3, depth: float = 0.25) -> np.ndarray:
    """Dims every `period`-th row like a CRT."""
    out = arr.copy()
    out[::period] *= 1.0 - depth
    return out


# ---------------------------------------------------------------------------------------------
# Canvas
# ---------------------------------------------------------------------------------------------


class Canvas:
    """A supersampled RGB drawing surface; coordinates are in supersampled pixels."""

    def __init__(self, background: np.ndarray, size: tuple[int, int]):
        self.size = size
        self.W, self.H = size[0] * SS, size[1] * SS
        self.m = min(self.W, self.H)
        bg = Image.fromarray(np.clip(background, 0, 255).astype(np.uint8))
        self.img = bg.resize((self.W, self.H), Image.Resampling.BILINEAR)

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        """A drawer that alpha-blends RGBA fills onto the RGB canvas."""
        return ImageDraw.Draw(self.img, "RGBA")

    def px(self, f: float) -> float:
        """A length given as a fraction of the short side."""
        return f * self.m

    def finish(self) -> np.ndarray:
        """Downsamples to output size and returns float32 pixels for post effects."""
        return np.asarray(self.img.reduce(SS), np.float32)


def _to_image(arr: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), "RGB")


class LightLayer:
    """A black layer where bright things are drawn, then added with a Gaussian glow.

    The blur runs on a buffer downsampled 8x so large glows stay cheap.
    """

    def __init__(self, canvas: Canvas, scale: int = 1):
        self.canvas = canvas
        self.scale = scale
        self.img = Image.new("RGB", (canvas.W // scale, canvas.H // scale))
        self.draw = ImageDraw.Draw(self.img)

    def apply(self, glow_radius: float, glow_gain: float = 1.5, crisp: float = 1.0, mode: str = "add") -> None:
        """Adds (or screens) the layer and its blurred glow onto the canvas."""
        c = self.canvas
        small = self.img.reduce(max(1, 8 // self.scale))
        r = max(0.5, glow_radius / 8.0)
        glow = small.filter(ImageFilter.GaussianBlur(r)).resize((c.W, c.H), Image.Resampling.BILINEAR)
        glow = glow.point(lambda v: min(255, int(v * glow_gain)))
        blend = ImageChops.add if mode == "add" else ImageChops.screen
        if crisp > 0:
            sharp = self.img if self.scale == 1 else self.img.resize((c.W, c.H), Image.Resampling.BILINEAR)
            if crisp < 1:
                sharp = sharp.point(lambda v: int(v * crisp))
            c.img = blend(c.img, sharp)
        c.img = blend(c.img, glow)


def soft_shapes(
    canvas: Canvas, draw_fn: Callable[[ImageDraw.ImageDraw, float], None], colour: Colour, blur: float, alpha: float
) -> None:
    """Draws white shapes into a low-resolution mask, blurs it and paints `colour` through it.

    draw_fn gets the mask drawer and the factor from canvas to mask coordinates.
    """
    f = 4
    mask = Image.new("L", (canvas.W // f, canvas.H // f))
    draw_fn(ImageDraw.Draw(mask), 1.0 / f)
    if blur > 0:
        mask = mask.filter(ImageFilter.GaussianBlur(blur / f))
    if alpha < 1:
        mask = mask.point(lambda v: int(v * alpha))
    mask = mask.resize((canvas.W, canvas.H), Image.Resampling.BILINEAR)
    canvas.img.paste(colour[:3], None, mask)


def bokeh(
    canvas: Canvas,
    rng: np.random.Generator,
    n: int,
    colours: Sequence[Colour],
    radius: tuple[float, float],
    blur: float,
    gain: float = 0.6,
    region: Box = (0.0, 0.0, 1.0, 1.0),
) -> None:
    """Soft out-of-focus light discs, screened onto the canvas like real bokeh."""
    f = 4
    layer = Image.new("RGB", (canvas.W // f, canvas.H // f))
    d = ImageDraw.Draw(layer)
    for _ in range(n):
        x = _u(rng, region[0], region[2]) * layer.width
        y = _u(rng, region[1], region[3]) * layer.height
        r = _u(rng, *radius) * canvas.m / f
        col = colours[int(rng.integers(len(colours)))]
        k = _u(rng, 0.3, 1.0) * gain
        d.ellipse((x - r, y - r, x + r, y + r), fill=tuple(int(v * k) for v in col[:3]))
    if blur > 0:
        layer = layer.filter(ImageFilter.GaussianBlur(blur / f))
    canvas.img = ImageChops.screen(canvas.img, layer.resize((canvas.W, canvas.H), Image.Resampling.BILINEAR))


def gradient_fill(
    canvas: Canvas, box: Box, shape_fn: Callable[[ImageDraw.ImageDraw], None], stops: Sequence[Colour], angle: float
) -> None:
    """Fills a shape with a linear gradient (metallic gold, chrome); shape_fn draws in box-local pixels."""
    x0, y0, x1, y1 = (int(v) for v in box)
    w, h = max(1, x1 - x0), max(1, y1 - y0)
    mask = Image.new("L", (w, h))
    shape_fn(ImageDraw.Draw(mask))
    grad = linear_gradient((max(2, w // 2), max(2, h // 2)), stops, angle)
    canvas.img.paste(_to_image(grad).resize((w, h), Image.Resampling.BILINEAR), (x0, y0), mask)


# ---------------------------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------------------------


def _rot(points: np.ndarray, cx: float, cy: float, angle: float) -> list[tuple[float, float]]:
    a = math.radians(angle)
    ca, sa = math.cos(a), math.sin(a)
    xs = points[:, 0] * ca - points[:, 1] * sa + cx
    ys = points[:, 0] * sa + points[:, 1] * ca + cy
    return list(zip(xs.tolist(), ys.tolist(), strict=True))


def ellipse_points(cx: float, cy: float, rx: float, ry: float, angle: float = 0.0, n: int = 28) -> list:
    """Polygon of a rotated ellipse."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return _rot(np.stack([rx * np.cos(t), ry * np.sin(t)], 1), cx, cy, angle)


def leaf_points(x: float, y: float, length: float, width: float, angle: float, n: int = 14) -> list:
    """A pointed leaf (or petal) with its base at (x, y), pointing along angle."""
    t = np.linspace(0, np.pi, n)
    along = length * (1 - np.cos(t)) / 2
    half = width / 2 * np.sin(t) ** 0.9
    pts = np.concatenate([np.stack([along, half], 1), np.stack([along[::-1], -half[::-1]], 1)])
    return _rot(pts, x, y, angle)


def star_points(cx: float, cy: float, r_out: float, r_in: float, n: int = 5, rotation: float = -90.0) -> list:
    """A star polygon with n points."""
    t = np.radians(rotation) + np.arange(2 * n) * np.pi / n
    r = np.where(np.arange(2 * n) % 2 == 0, r_out, r_in)
    return list(zip((cx + r * np.cos(t)).tolist(), (cy + r * np.sin(t)).tolist(), strict=True))


def wave_band(w: float, h: float, y: float, amp: float, freq: float, phase: float, thick: float) -> list:
    """A closed polygon between two sine curves across the full width."""
    xs = np.linspace(-0.05 * w, 1.05 * w, 40)
    top = y + amp * np.sin(xs / w * freq * 2 * np.pi + phase)
    bottom = top + thick * (0.7 + 0.3 * np.cos(xs / w * 3 + phase))
    return list(zip(xs.tolist(), top.tolist(), strict=True)) + list(
        zip(xs[::-1].tolist(), bottom[::-1].tolist(), strict=True)
    )


def sparkle(draw: ImageDraw.ImageDraw, x: float, y: float, r: float, colour: Colour) -> None:
    """A four-pointed glint."""
    draw.polygon(star_points(x, y, r, r * 0.18, 4, 0), fill=colour)


# ---------------------------------------------------------------------------------------------
# Typography
# ---------------------------------------------------------------------------------------------

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts", "C:/Windows/Fonts")

FONTS: dict[str, tuple[str, ...]] = {
    "thin": ("Lato-Light.ttf", "Lato-Thin.ttf", "DejaVuSans-ExtraLight.ttf", "FreeSans.ttf", "DejaVuSans.ttf"),
    "hairline": ("Lato-Hairline.ttf", "Lato-Thin.ttf", "DejaVuSans-ExtraLight.ttf", "DejaVuSans.ttf"),
    "sans": ("Lato-Regular.ttf", "DejaVuSans.ttf", "FreeSans.ttf"),
    "thin_italic": ("Lato-LightItalic.ttf", "Lato-ThinItalic.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans.ttf"),
    "serif": ("DejaVuSerif.ttf", "FreeSerif.ttf", "OldaniaADFStd-Regular.otf"),
    "serif_bold": ("DejaVuSerif-Bold.ttf", "FreeSerifBold.ttf", "DejaVuSerif.ttf"),
    "serif_italic": ("DejaVuSerif-Italic.ttf", "FreeSerifItalic.ttf", "DejaVuSerif.ttf"),
    "ornate": ("OldaniaADFStd-Bold.otf", "OldaniaADFStd-Regular.otf", "DejaVuSerifCondensed-Bold.ttf"),
    "ornate_italic": ("OldaniaADFStd-Italic.otf", "OldaniaADFStd-BoldItalic.otf", "DejaVuSerif-Italic.ttf"),
    "condensed": ("DejaVuSansCondensed-Bold.ttf", "Lato-Black.ttf", "FreeSansBold.ttf", "DejaVuSans-Bold.ttf"),
    "black": ("Lato-Black.ttf", "Lato-Heavy.ttf", "DejaVuSans-Bold.ttf", "FreeSansBold.ttf"),
    "bold": ("DejaVuSans-Bold.ttf", "Lato-Bold.ttf", "FreeSansBold.ttf"),
    "mono": ("DejaVuSansMono.ttf", "FreeMono.ttf"),
    "mono_bold": ("DejaVuSansMono-Bold.ttf", "FreeMonoBold.ttf", "DejaVuSansMono.ttf"),
}
"""Font preferences by role: the first file found wins, then PIL's default font."""


@lru_cache(maxsize=1)
def _font_index() -> dict[str, str]:
    """Maps lower-case font file names to paths, found once by globbing the usual font folders."""
    index: dict[str, str] = {}
    for root in FONT_DIRS:
        root = os.path.expanduser(root)
        for ext in ("ttf", "otf", "TTF", "OTF"):
            for path in sorted(glob.glob(os.path.join(root, "**", f"*.{ext}"), recursive=True)):
                index.setdefault(os.path.basename(path).lower(), path)
    return index


@lru_cache(maxsize=512)
def font(role: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The best installed font for a role (see FONTS) at a pixel size, or PIL's default font."""
    size = max(4, int(size))
    index = _font_index()
    for name in FONTS.get(role, (role,)):
        path = index.get(name.lower())
        if path:
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1 has no scalable default font
        return ImageFont.load_default()


_ONSETS = (
    "b",
    "br",
    "c",
    "d",
    "dr",
    "f",
    "fl",
    "g",
    "gr",
    "k",
    "l",
    "m",
    "n",
    "p",
    "pl",
    "r",
    "s",
    "st",
    "t",
    "v",
    "z",
)
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "o", "ia", "ou", "ae", "y")
_CODAS = ("", "", "", "", "n", "r", "s", "l", "x", "m", "nd", "st")


def pseudo_word(rng: np.random.Generator, syllables: tuple[int, int] = (1, 3)) -> str:
    """A pronounceable made-up word, so no real brand names appear."""
    n = int(rng.integers(syllables[0], syllables[1] + 1))
    parts = [_ONSETS[int(rng.integers(len(_ONSETS)))] + _VOWELS[int(rng.integers(len(_VOWELS)))] for _ in range(n)]
    return "".join(parts) + _CODAS[int(rng.integers(len(_CODAS)))]


def pseudo_phrase(rng: np.random.Generator, words: tuple[int, int]) -> str:
    """Several pseudo-words separated by spaces."""
    return " ".join(pseudo_word(rng) for _ in range(int(rng.integers(words[0], words[1] + 1))))


def fit_font(role: str, text: str, size: float, max_width: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The role's font at `size`, shrunk so `text` fits in max_width."""
    f = font(role, int(size))
    length = f.getlength(text) if hasattr(f, "getlength") else len(text) * size * 0.6
    if length > max_width > 0:
        f = font(role, int(size * max_width / length))
    return f


def draw_text(
    canvas: Canvas,
    text: str,
    xy: tuple[float, float],
    role: str,
    size: float,
    fill: Colour,
    anchor: str = "la",
    max_width: float | None = None,
    stroke: int = 0,
    stroke_fill: Colour | None = None,
    shadow: tuple[float, float, Colour] | None = None,
) -> tuple[float, float, float, float]:
    """Draws one line of text, optionally fitted to a width, stroked and with a drop shadow; returns its bbox."""
    f = fit_font(role, text, size, max_width or 0)
    d = canvas.draw
    if shadow is not None:
        dx, dy, sc = shadow
        d.text((xy[0] + dx, xy[1] + dy), text, font=f, fill=sc, anchor=anchor, stroke_width=stroke, stroke_fill=sc)
    d.text(xy, text, font=f, fill=fill, anchor=anchor, stroke_width=stroke, stroke_fill=stroke_fill)
    return d.textbbox(xy, text, font=f, anchor=anchor, stroke_width=stroke)


def draw_text_rotated(
    canvas: Canvas, text: str, centre: tuple[float, float], role: str, size: float, fill: Colour, angle: float
) -> None:
    """Draws text rotated about its centre, through an RGBA layer pasted with its own alpha."""
    f = font(role, int(size))
    x0, y0, x1, y1 = f.getbbox(text)
    layer = Image.new("RGBA", (int(x1 - x0) + 8, int(y1 - y0) + 8))
    ImageDraw.Draw(layer).text((4 - x0, 4 - y0), text, font=f, fill=rgba(fill, fill[3] if len(fill) == 4 else 255))
    layer = layer.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    canvas.img.paste(layer, (int(centre[0] - layer.width / 2), int(centre[1] - layer.height / 2)), layer)


def spaced(text: str) -> str:
    """Letter-spaced text (cheap tracking) for elegant uppercase headings."""
    return " ".join(text)


def text_block(
    canvas: Canvas,
    rng: np.random.Generator,
    box: Box,
    head_role: str,
    body_role: str,
    head_colour: Colour,
    body_colour: Colour,
    align: str = "left",
    head_size: float = 0.14,
    upper: bool = False,
    track: bool = False,
    lines: tuple[int, int] = (1, 3),
    button: Colour | None = None,
) -> None:
    """A headline of pseudo-words fitted to the box width, body lines and an optional pill button."""
    x0, y0, x1, y1 = box
    bw = x1 - x0
    head = pseudo_phrase(rng, (1, 2))
    head = head.upper() if upper else head.capitalize()
    if track:
        head = spaced(head)
    ax = {"left": x0, "centre": (x0 + x1) / 2, "right": x1}[align]
    anc = {"left": "l", "centre": "m", "right": "r"}[align]
    size = canvas.px(head_size)
    top = draw_text(canvas, head, (ax, y0), head_role, size, head_colour, anc + "t", max_width=bw)
    y = top[3] + canvas.px(0.03)
    body_size = max(canvas.px(0.035), min(size * 0.32, canvas.px(0.05)))
    for _ in range(int(rng.integers(lines[0], lines[1] + 1))):
        if y + body_size > y1:
            break
        line = pseudo_phrase(rng, (2, 5))
        bb = draw_text(canvas, line, (ax, y), body_role, body_size, body_colour, anc + "t", max_width=bw)
        y = bb[3] + body_size * 0.5
    if button is not None and y + body_size * 2.6 < y1 + canvas.px(0.05):
        label = pseudo_word(rng, (1, 2)).upper()
        f = font(body_role, int(body_size))
        tw = f.getlength(label) if hasattr(f, "getlength") else len(label) * body_size * 0.6
        bw2, bh = tw + body_size * 2.2, body_size * 2.1
        bx = {"left": ax, "centre": ax - bw2 / 2, "right": ax - bw2}[align]
        by = y + body_size * 0.5
        canvas.draw.rounded_rectangle((bx, by, bx + bw2, by + bh), radius=bh / 2, fill=button)
        lum = 0.3 * button[0] + 0.59 * button[1] + 0.11 * button[2]
        canvas.draw.text((bx + bw2 / 2, by + bh / 2), label, font=f, fill=BLACK if lum > 150 else WHITE, anchor="mm")


# ---------------------------------------------------------------------------------------------
# Layouts
# ---------------------------------------------------------------------------------------------


@dataclass
class Layout:
    """Where the hero object and the text go, in canvas pixels."""

    kind: str
    hero: Box
    text: Box
    align: str


def choose_layout(canvas: Canvas, rng: np.random.Generator, kinds: Sequence[str]) -> Layout:
    """Picks a layout among kinds: centre, split, banner, card, corner."""
    cw, ch = canvas.W, canvas.H
    kind = kinds[int(rng.integers(len(kinds)))]
    portrait = ch > cw * 1.05
    if kind == "split" and not portrait:
        left = rng.random() < 0.5
        hero = (cw * 0.06, ch * 0.12, cw * 0.48, ch * 0.9) if left else (cw * 0.52, ch * 0.12, cw * 0.94, ch * 0.9)
        text = (cw * 0.55, ch * 0.3, cw * 0.94, ch * 0.85) if left else (cw * 0.07, ch * 0.3, cw * 0.47, ch * 0.85)
        return Layout(kind, hero, text, "left")
    if kind in ("split", "banner"):
        return Layout(
            kind, (cw * 0.2, ch * 0.36, cw * 0.8, ch * 0.92), (cw * 0.08, ch * 0.08, cw * 0.92, ch * 0.34), "centre"
        )
    if kind == "card":
        return Layout(
            kind, (cw * 0.3, ch * 0.12, cw * 0.7, ch * 0.55), (cw * 0.2, ch * 0.6, cw * 0.8, ch * 0.86), "centre"
        )
    if kind == "corner":
        return Layout(
            kind, (cw * 0.45, ch * 0.2, cw * 0.92, ch * 0.92), (cw * 0.07, ch * 0.08, cw * 0.6, ch * 0.4), "left"
        )
    return Layout(
        "centre", (cw * 0.3, ch * 0.1, cw * 0.7, ch * 0.64), (cw * 0.1, ch * 0.68, cw * 0.9, ch * 0.95), "centre"
    )


# ---------------------------------------------------------------------------------------------
# Product-like silhouettes
# ---------------------------------------------------------------------------------------------

PRODUCTS: dict[str, float] = {
    "bottle": 0.36,
    "perfume": 0.8,
    "phone": 0.5,
    "shoe": 1.9,
    "cup": 1.0,
    "box": 1.0,
    "chair": 0.72,
    "jar": 1.15,
}
"""Product kinds and their width/height aspect."""


def _product_parts(kind: str) -> list[tuple[str, tuple, str]]:
    """Primitive parts in unit coordinates: (shape, coords, role) with role base/light/dark/accent/hl."""
    if kind == "bottle":
        return [
            ("rrect", (0.0, 0.26, 1.0, 1.0, 0.22), "base"),
            ("rect", (0.33, 0.1, 0.67, 0.3), "base"),
            ("rrect", (0.28, 0.0, 0.72, 0.13, 0.05), "accent"),
            ("rrect", (0.12, 0.5, 0.88, 0.82, 0.04), "light"),
            ("rrect", (0.1, 0.32, 0.22, 0.94, 0.06), "hl"),
        ]
    if kind == "perfume":
        return [
            ("rrect", (0.0, 0.32, 1.0, 1.0, 0.12), "base"),
            ("rect", (0.4, 0.2, 0.6, 0.34), "dark"),
            ("ellipse", (0.28, 0.0, 0.72, 0.24), "accent"),
            ("rrect", (0.08, 0.4, 0.2, 0.92, 0.05), "hl"),
        ]
    if kind == "phone":
        return [
            ("rrect", (0.0, 0.0, 1.0, 1.0, 0.16), "dark"),
            ("rrect", (0.06, 0.04, 0.94, 0.96, 0.12), "accent"),
            ("ellipse", (0.46, 0.06, 0.54, 0.1), "dark"),
            ("poly", ((0.06, 0.5), (0.94, 0.2), (0.94, 0.36), (0.06, 0.66)), "hl"),
        ]
    if kind == "shoe":
        # Sneaker profile: heel at the left, ankle collar, tongue, lacing sloping to a rounded toe.
        upper = (
            (0.03, 0.78), (0.02, 0.3), (0.1, 0.22), (0.22, 0.3), (0.3, 0.3), (0.36, 0.06), (0.44, 0.08),
            (0.5, 0.26), (0.66, 0.4), (0.84, 0.48), (0.95, 0.56), (0.99, 0.7), (0.98, 0.8),
        )  # fmt: skip
        return [
            ("poly", upper, "base"),
            ("poly", ((0.2, 0.7), (0.3, 0.45), (0.7, 0.5), (0.78, 0.58), (0.45, 0.62)), "accent"),
            ("poly", ((0.02, 0.3), (0.1, 0.22), (0.16, 0.26), (0.12, 0.78), (0.03, 0.78)), "dark"),
            ("rrect", (0.0, 0.76, 1.0, 0.98, 0.07), "light"),
            ("line", ((0.42, 0.22), (0.5, 0.3)), "dark"),
            ("line", ((0.5, 0.3), (0.58, 0.36)), "dark"),
            ("line", ((0.58, 0.36), (0.66, 0.42)), "dark"),
            ("poly", ((0.72, 0.5), (0.9, 0.56), (0.94, 0.64), (0.8, 0.6)), "hl"),
        ]
    if kind == "cup":
        return [
            ("ellipse", (0.0, 0.86, 0.92, 1.0), "light"),
            ("ring", (0.58, 0.3, 0.96, 0.68, 0.07), "base"),
            ("poly", ((0.08, 0.18), (0.76, 0.18), (0.68, 0.92), (0.16, 0.92)), "base"),
            ("ellipse", (0.08, 0.12, 0.76, 0.24), "dark"),
            ("poly", ((0.14, 0.3), (0.22, 0.3), (0.26, 0.84), (0.2, 0.84)), "hl"),
        ]
    if kind == "box":
        return [
            ("poly", ((0.0, 0.32), (0.68, 0.32), (0.68, 1.0), (0.0, 1.0)), "base"),
            ("poly", ((0.0, 0.32), (0.32, 0.04), (1.0, 0.04), (0.68, 0.32)), "light"),
            ("poly", ((0.68, 0.32), (1.0, 0.04), (1.0, 0.72), (0.68, 1.0)), "dark"),
            ("poly", ((0.28, 0.32), (0.4, 0.32), (0.4, 1.0), (0.28, 1.0)), "accent"),
            ("poly", ((0.28, 0.32), (0.6, 0.04), (0.72, 0.04), (0.4, 0.32)), "accent"),
        ]
    if kind == "chair":
        return [
            ("line", ((0.14, 0.6), (0.08, 1.0)), "dark"),
            ("line", ((0.86, 0.6), (0.92, 1.0)), "dark"),
            ("line", ((0.3, 0.6), (0.34, 0.92)), "dark"),
            ("line", ((0.7, 0.6), (0.66, 0.92)), "dark"),
            ("rrect", (0.16, 0.0, 0.84, 0.52, 0.14), "base"),
            ("rrect", (0.04, 0.48, 0.96, 0.64, 0.06), "light"),
            ("rrect", (0.22, 0.06, 0.3, 0.44, 0.04), "hl"),
        ]
    # jar
    return [
        ("rrect", (0.0, 0.26, 1.0, 1.0, 0.16), "base"),
        ("rrect", (0.06, 0.0, 0.94, 0.3, 0.06), "accent"),
        ("rrect", (0.1, 0.45, 0.9, 0.8, 0.03), "light"),
        ("rrect", (0.08, 0.34, 0.16, 0.92, 0.04), "hl"),
    ]


def draw_product(
    canvas: Canvas,
    rng: np.random.Generator,
    box: Box,
    base: Colour,
    accent: Colour,
    kind: str | None = None,
    shadow: str = "soft",
    flat: bool = False,
) -> Box:
    """Draws a product-like silhouette fitted in box, with shading, highlight and shadow; returns its bbox.

    shadow is "soft" (blurred contact shadow), "hard" (pop offset) or "none".
    """
    kind = kind or list(PRODUCTS)[int(rng.integers(len(PRODUCTS)))]
    aspect = PRODUCTS[kind] * _u(rng, 0.9, 1.1)
    bx0, by0, bx1, by1 = box
    bw, bh = bx1 - bx0, by1 - by0
    h = min(bh, bw / aspect) * _u(rng, 0.8, 1.0)
    w = h * aspect
    x0 = bx0 + (bw - w) / 2
    y0 = by1 - h - (bh - h) * 0.3
    parts = _product_parts(kind)
    roles = {
        "base": base,
        "light": base if flat else mix(base, WHITE, 0.25),
        "dark": base if flat else mix(base, BLACK, 0.3),
        "accent": accent,
    }

    def pt(p: tuple[float, float], off: tuple[float, float]) -> tuple[float, float]:
        return (x0 + p[0] * w + off[0], y0 + p[1] * h + off[1])

    def render(d: ImageDraw.ImageDraw, colour_of: Callable[[str], Colour | None], off: tuple[float, float]) -> None:
        for shape, c, role in parts:
            col = colour_of(role)
            if col is None:
                continue
            if shape in ("rrect", "rect"):
                a, b = pt(c[:2], off), pt(c[2:4], off)
                r = c[4] * w if shape == "rrect" else 0
                d.rounded_rectangle((a[0], a[1], b[0], b[1]), radius=r, fill=col)
            elif shape == "ellipse":
                a, b = pt(c[:2], off), pt(c[2:4], off)
                d.ellipse((a[0], a[1], b[0], b[1]), fill=col)
            elif shape == "ring":
                a, b = pt(c[:2], off), pt(c[2:4], off)
                d.ellipse((a[0], a[1], b[0], b[1]), outline=col, width=max(1, int(c[4] * w)))
            elif shape == "poly":
                d.polygon([pt(p, off) for p in c], fill=col)
            elif shape == "line":
                d.line([pt(p, off) for p in c], fill=col, width=max(2, int(0.045 * w)))

    if shadow == "soft":
        sx0, sx1, sy = x0 - 0.08 * w, x0 + 1.08 * w, y0 + h
        soft_shapes(
            canvas,
            lambda d, f: d.ellipse(((sx0) * f, (sy - 0.03 * h) * f, sx1 * f, (sy + 0.04 * h) * f), fill=255),
            BLACK,
            blur=canvas.px(0.025),
            alpha=0.45,
        )
    elif shadow == "hard":
        off = (canvas.px(0.025), canvas.px(0.025))
        render(canvas.draw, lambda r: None if r == "hl" else (20, 20, 20), off)
    render(canvas.draw, lambda r: None if (r == "hl" and flat) else ((*WHITE, 90) if r == "hl" else roles[r]), (0, 0))
    return (x0, y0, x0 + w, y0 + h)


# ---------------------------------------------------------------------------------------------
# Reusable motifs
# ---------------------------------------------------------------------------------------------


def draw_leafy_branch(
    d: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    start: tuple[float, float],
    angle: float,
    length: float,
    colours: Sequence[Colour],
    stem: Colour,
    scale: float = 1.0,
) -> None:
    """A curved stem with alternating pointed leaves, like a plant sprig."""
    n = int(rng.integers(5, 10))
    bend = _u(rng, -25, 25)
    x, y = start[0] * scale, start[1] * scale
    step = length * scale / n
    pts = [(x, y)]
    a = angle
    for i in range(n):
        a += bend / n
        x += step * math.cos(math.radians(a))
        y += step * math.sin(math.radians(a))
        pts.append((x, y))
        side = 1 if i % 2 == 0 else -1
        la = a + side * _u(rng, 35, 60)
        size = step * _u(rng, 1.4, 2.2) * (1.0 - 0.4 * i / n)
        d.polygon(leaf_points(x, y, size, size * _u(rng, 0.35, 0.5), la), fill=colours[int(rng.integers(len(colours)))])
    d.line(pts, fill=stem, width=max(1, int(step * 0.08)), joint="curve")


def draw_flower(
    d: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    cx: float,
    cy: float,
    r: float,
    petal: Colour | int,
    centre: Colour | int,
) -> None:
    """A flower of 5-8 rounded petals around a centre disc."""
    n = int(rng.integers(5, 9))
    rot = _u(rng, 0, 360)
    # Masks pass plain ints; colours get a paler inner ring of petals.
    inner = petal if isinstance(petal, int) else mix(petal[:3], WHITE, 0.35) + tuple(petal[3:])
    for k in range(n):
        a = rot + k * 360 / n
        d.polygon(leaf_points(cx, cy, r, r * _u(rng, 0.6, 0.8), a, n=16), fill=petal)
    for k in range(n):
        a = rot + 180 / n + k * 360 / n
        d.polygon(leaf_points(cx, cy, r * 0.6, r * 0.4, a, n=12), fill=inner)
    d.ellipse((cx - r * 0.18, cy - r * 0.18, cx + r * 0.18, cy + r * 0.18), fill=centre)


def draw_ornament_tile(d: ImageDraw.ImageDraw, cx: float, cy: float, s: float, colour: Colour, width: int) -> None:
    """A damask-like motif: lozenge, curls and a central fleur, for tiling."""
    d.polygon([(cx, cy - s), (cx + s * 0.6, cy), (cx, cy + s), (cx - s * 0.6, cy)], outline=colour, width=width)
    for sx in (-1, 1):
        d.arc(
            (cx + sx * s * 0.15 - s * 0.3, cy - s * 0.55, cx + sx * s * 0.15 + s * 0.3, cy - s * 0.05),
            90 if sx > 0 else -90,
            360 if sx > 0 else 180,
            fill=colour,
            width=width,
        )
        d.arc(
            (cx + sx * s * 0.15 - s * 0.3, cy + s * 0.05, cx + sx * s * 0.15 + s * 0.3, cy + s * 0.55),
            0 if sx > 0 else 180,
            270 if sx > 0 else 450,
            fill=colour,
            width=width,
        )
    d.polygon(leaf_points(cx, cy + s * 0.2, s * 0.5, s * 0.25, -90), fill=colour)
    r = s * 0.08
    d.ellipse((cx - r, cy - s - r, cx + r, cy - s + r), fill=colour)
    d.ellipse((cx - r, cy + s - r, cx + r, cy + s + r), fill=colour)


def gold_stops(rng: np.random.Generator) -> list[Colour]:
    """A metallic gold ramp: dark bronze, bright gold, pale highlight, gold, bronze."""
    h = _u(rng, 36, 48)
    return [
        hsv(h - 6, 0.85, 0.45),
        hsv(h, 0.75, 0.85),
        hsv(h + 4, 0.35, 1.0),
        hsv(h, 0.8, 0.8),
        hsv(h - 6, 0.9, 0.4),
    ]


def draw_frame(canvas: Canvas, inset: float, colour: Colour, width: float, double: bool = True) -> None:
    """A rectangular border with corner diamonds, optionally doubled."""
    d = canvas.draw
    cw, ch = canvas.W, canvas.H
    for k in (0, 1) if double else (0,):
        e = inset + k * width * 3
        d.rectangle((e, e, cw - e, ch - e), outline=colour, width=max(1, int(width if k == 0 else width * 0.5)))
    s = width * 4
    for x, y in ((inset, inset), (cw - inset, inset), (inset, ch - inset), (cw - inset, ch - inset)):
        d.polygon([(x, y - s), (x + s, y), (x, y + s), (x - s, y)], fill=colour)


def sunburst(canvas: Canvas, centre: tuple[float, float], rays: int, colour: Colour, rot: float = 0.0) -> None:
    """Alternating wedge rays from a centre point, covering the canvas."""
    d = canvas.draw
    cx, cy = centre
    r = 2 * max(canvas.W, canvas.H)
    for k in range(rays):
        a0 = math.radians(rot + k * 360 / rays)
        a1 = math.radians(rot + (k + 0.5) * 360 / rays)
        d.polygon(
            [(cx, cy), (cx + r * math.cos(a0), cy + r * math.sin(a0)), (cx + r * math.cos(a1), cy + r * math.sin(a1))],
            fill=colour,
        )


def halftone(
    canvas: Canvas, box: Box, spacing: float, colour: Colour, direction: float = 0.0, max_r: float = 0.48
) -> None:
    """Halftone dots whose size ramps across the box along direction (degrees)."""
    d = canvas.draw
    x0, y0, x1, y1 = box
    a = math.radians(direction)
    ca, sa = math.cos(a), math.sin(a)
    span = abs(ca) * (x1 - x0) + abs(sa) * (y1 - y0)
    ys = np.arange(y0, y1, spacing)
    for j, y in enumerate(ys):
        off = spacing / 2 if j % 2 else 0.0
        for x in np.arange(x0 + off, x1, spacing):
            t = ((x - x0) * ca + (y - y0) * sa) / span
            t = t if t >= 0 else 1 + t
            r = spacing * max_r * min(1.0, max(0.0, t))
            if r > 0.6:
                d.ellipse((x - r, y - r, x + r, y + r), fill=colour)


def confetti(canvas: Canvas, rng: np.random.Generator, n: int, colours: Sequence[Colour], size: float) -> None:
    """Scattered small rotated rectangles, dots and squiggles in many colours."""
    d = canvas.draw
    for _ in range(n):
        x, y = _u(rng, 0, canvas.W), _u(rng, 0, canvas.H)
        col = colours[int(rng.integers(len(colours)))]
        s = size * _u(rng, 0.6, 1.4)
        kind = rng.random()
        if kind < 0.5:
            pts = np.array([[-s, -s * 0.4], [s, -s * 0.4], [s, s * 0.4], [-s, s * 0.4]])
            d.polygon(_rot(pts, x, y, _u(rng, 0, 180)), fill=col)
        elif kind < 0.8:
            d.ellipse((x - s * 0.6, y - s * 0.6, x + s * 0.6, y + s * 0.6), fill=col)
        else:
            t = np.linspace(0, 2 * np.pi, 10)
            pts = np.stack([t / (2 * np.pi) * s * 3 - s * 1.5, np.sin(t * 1.5) * s * 0.5], 1)
            d.line(_rot(pts, x, y, _u(rng, 0, 180)), fill=col, width=max(2, int(s * 0.35)), joint="curve")


# ---------------------------------------------------------------------------------------------
# Recipes
# ---------------------------------------------------------------------------------------------


def simple_neutral(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """Minimal: one or two clean elements on a flat neutral ground, lots of empty space, thin type."""
    dark = rng.random() < 0.12
    if dark:
        bg = hsv(_u(rng, 0, 360), _u(rng, 0, 0.06), _u(rng, 0.1, 0.2))
        ink = hsv(0, 0, _u(rng, 0.8, 0.95))
    else:
        warm = rng.random() < 0.5
        bg = hsv(_u(rng, 28, 45), _u(rng, 0.06, 0.16), _u(rng, 0.86, 0.96)) if warm else hsv(0, 0, _u(rng, 0.9, 0.98))
        ink = hsv(_u(rng, 20, 40), _u(rng, 0, 0.1), _u(rng, 0.1, 0.3))
    second = mix(bg, ink, _u(rng, 0.06, 0.18))
    back = (
        linear_gradient(size, (bg, mix(bg, second, 0.5)), _u(rng, 0, 180))
        if rng.random() < 0.5
        else np.broadcast_to(np.asarray(bg, np.float32), (size[1], size[0], 3))
    )
    c = Canvas(back, size)
    d = c.draw
    cw, ch = c.W, c.H
    lay = choose_layout(c, rng, ("centre", "split", "corner", "banner"))
    block = rng.random()
    if block < 0.3:  # a flat colour block or arch, the only decoration
        if lay.kind == "split":
            x = cw * 0.5
            d.rectangle((x if lay.hero[0] > x else 0, 0, cw if lay.hero[0] > x else x, ch), fill=second)
        else:
            hx0, hy0, hx1, hy1 = lay.hero
            d.rounded_rectangle((hx0, hy0 + (hy1 - hy0) * 0.1, hx1, hy1), radius=(hx1 - hx0) / 2, fill=second)
    elif block < 0.55:
        d.ellipse(
            (cw * 0.5 - c.px(0.22), ch * 0.42 - c.px(0.22), cw * 0.5 + c.px(0.22), ch * 0.42 + c.px(0.22)),
            fill=mix(bg, hsv(_u(rng, 10, 40), 0.2, 0.7), 0.4),
        ) if lay.kind == "centre" else None
    thin = max(2, int(c.px(0.004)))
    if rng.random() < 0.5:  # one thin line or outline circle
        if rng.random() < 0.5:
            y = ch * _u(rng, 0.15, 0.9)
            d.line((cw * 0.08, y, cw * _u(rng, 0.3, 0.92), y), fill=rgba(ink, 160), width=thin)
        else:
            r = c.px(_u(rng, 0.1, 0.35))
            x, y = cw * _u(rng, 0.2, 0.8), ch * _u(rng, 0.2, 0.8)
            d.ellipse((x - r, y - r, x + r, y + r), outline=rgba(ink, 140), width=thin)
    if rng.random() < 0.75:
        tone = hsv(_u(rng, 20, 45), _u(rng, 0, 0.2), _u(rng, 0.05, 0.98))
        draw_product(c, rng, lay.hero, tone, mix(tone, ink, 0.6), shadow="soft", flat=rng.random() < 0.4)
    text_block(
        c,
        rng,
        lay.text,
        "thin" if rng.random() < 0.6 else "hairline",
        "thin",
        ink,
        rgba(ink, 170),
        lay.align,
        head_size=_u(rng, 0.06, 0.1),
        upper=rng.random() < 0.6,
        track=rng.random() < 0.5,
        lines=(0, 1),
    )
    arr = grain(c.finish(), rng, 1.5)
    return _to_image(arr)


def fresh_elegant(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """Light and airy: sky-to-mint gradients, morning light, leafy sprigs, water ripples, thin type."""
    sky = hsv(_hue(rng, 175, 210), _u(rng, 0.12, 0.32), _u(rng, 0.93, 1.0))
    mint = hsv(_hue(rng, 95, 165), _u(rng, 0.08, 0.25), _u(rng, 0.94, 1.0))
    white = hsv(_u(rng, 40, 60), _u(rng, 0, 0.05), 1.0)
    stops = [sky, white, mint] if rng.random() < 0.5 else [white, mint]
    back = linear_gradient(size, stops, _u(rng, 60, 120))
    c = Canvas(back, size)
    cw, ch = c.W, c.H
    # Morning light from a corner.
    sun = (cw * _u(rng, 0.1, 0.9), ch * _u(rng, -0.1, 0.2))
    bokeh(c, rng, 1, [(255, 250, 225)], (0.35, 0.5), c.px(0.2), gain=0.5, region=(sun[0] / cw, sun[1] / ch) * 2)
    lay = choose_layout(c, rng, ("split", "centre", "card", "corner"))
    greens = [
        hsv(_hue(rng, 85, 160), _u(rng, 0.25, 0.55), _u(rng, 0.5, 0.85), int(_u(rng, 200, 255))) for _ in range(4)
    ]
    stem = hsv(_u(rng, 90, 140), 0.4, 0.45)
    # Blurred background foliage for depth, then crisp sprigs from the edges.
    far = hsv(_hue(rng, 95, 150), _u(rng, 0.2, 0.4), _u(rng, 0.75, 0.9))

    def far_leaves(d: ImageDraw.ImageDraw, f: float) -> None:
        for _ in range(3):
            draw_leafy_branch(d, rng, (_u(rng, 0, cw), ch * 1.05), _u(rng, -120, -60), c.px(0.5), [255], 255, f)

    soft_shapes(c, far_leaves, far, blur=c.px(0.03), alpha=0.5)
    if rng.random() < 0.45:  # water: a pale band with ripples
        wy = ch * _u(rng, 0.62, 0.78)
        water = hsv(_hue(rng, 170, 200), _u(rng, 0.15, 0.3), _u(rng, 0.88, 0.98))
        c.draw.rectangle((0, wy, cw, ch), fill=rgba(water, 200))
        cx = cw * _u(rng, 0.3, 0.7)
        for k in range(1, 7):
            rx, ry = c.px(0.08) * k, c.px(0.018) * k
            cy = wy + (ch - wy) * 0.45
            c.draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), outline=(255, 255, 255, 150 - k * 15), width=3)
    d = c.draw
    for _ in range(int(rng.integers(2, 5))):
        edge = int(rng.integers(3))
        if edge == 0:
            start, ang = (0, ch * _u(rng, 0.3, 1.0)), _u(rng, -60, 10)
        elif edge == 1:
            start, ang = (cw, ch * _u(rng, 0.3, 1.0)), _u(rng, 170, 240)
        else:
            start, ang = (cw * _u(rng, 0, 1), ch), _u(rng, -130, -50)
        draw_leafy_branch(d, rng, start, ang, c.px(_u(rng, 0.3, 0.6)), greens, stem)
    if lay.kind == "card":
        x0, y0, x1, y1 = lay.text
        d.rounded_rectangle((x0 - c.px(0.04), y0 - c.px(0.04), x1 + c.px(0.04), y1), c.px(0.03), (255, 255, 255, 190))
    if rng.random() < 0.8:
        body = hsv(_hue(rng, 100, 200), _u(rng, 0.0, 0.25), _u(rng, 0.9, 1.0))
        cap = hsv(_hue(rng, 90, 170), _u(rng, 0.2, 0.45), _u(rng, 0.55, 0.8))
        kind = ("bottle", "jar", "cup", "perfume")[int(rng.integers(4))]
        draw_product(c, rng, lay.hero, body, cap, kind=kind)
    ink = hsv(_hue(rng, 150, 200), _u(rng, 0.3, 0.55), _u(rng, 0.25, 0.45))
    text_block(
        c,
        rng,
        lay.text,
        ("thin", "serif", "thin_italic")[int(rng.integers(3))],
        "thin",
        ink,
        rgba(ink, 200),
        lay.align,
        head_size=_u(rng, 0.08, 0.13),
        track=rng.random() < 0.3,
        button=greens[0][:3] if rng.random() < 0.4 else None,
    )
    return _to_image(grain(c.finish(), rng, 1.0))


def gorgeous_strong(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """Rich and heavy: deep saturated grounds, damask ornament, gold frames, gold glints, serif type."""
    family = int(rng.integers(5))
    h = [_hue(rng, 345, 8), _hue(rng, 270, 295), _hue(rng, 150, 168), _hue(rng, 220, 235), _hue(rng, 0, 25)][family]
    s = _u(rng, 0.8, 1.0)
    deep = hsv(h, s, _u(rng, 0.45, 0.65))
    darkest = hsv(h, s, _u(rng, 0.06, 0.14))
    back = radial_gradient(size, (deep, mix(deep, darkest, 0.5), darkest), (0.5, _u(rng, 0.3, 0.5)), 0.85)
    c = Canvas(back, size)
    cw, ch = c.W, c.H
    golds = gold_stops(rng)
    gold = golds[1]
    # Damask pattern over the whole ground, faint so it reads as texture.
    step = c.px(_u(rng, 0.14, 0.22))
    pat = rgba(gold if rng.random() < 0.6 else mix(deep, WHITE, 0.2), _u(rng, 35, 70))
    d = c.draw
    for j, y in enumerate(np.arange(0, ch + step, step)):
        for x in np.arange((j % 2) * step / 2, cw + step, step):
            draw_ornament_tile(d, x, y, step * 0.45, pat, max(2, int(step * 0.03)))
    lay = choose_layout(c, rng, ("centre", "split", "card", "banner"))
    if lay.kind == "card":  # a heavy dark medallion panel behind the text
        x0, y0, x1, y1 = lay.text
        pad = c.px(0.04)
        d.rounded_rectangle(
            (x0 - pad, y0 - pad, x1 + pad, y1 + pad), pad, fill=rgba(darkest, 220), outline=gold, width=4
        )
    # Gold swag: curving ribbon bands with a metallic gradient.
    if rng.random() < 0.6:
        y = ch * _u(rng, 0.75, 0.9)
        band = wave_band(cw, ch, y, c.px(0.05), _u(rng, 0.6, 1.4), _u(rng, 0, 6), c.px(0.05))
        gradient_fill(c, (0, 0, cw, ch), lambda dd: dd.polygon(band, fill=255), golds, _u(rng, 0, 30))
    bokeh(c, rng, int(rng.integers(15, 35)), [gold, golds[2]], (0.01, 0.05), c.px(0.02), gain=0.7)
    hx0, hy0, hx1, hy1 = lay.hero
    if rng.random() < 0.8:
        # Spotlight halo behind the hero, then a gold or jewel-toned product.
        cx, cy = (hx0 + hx1) / 2, (hy0 + hy1) / 2
        bokeh(
            c,
            rng,
            1,
            [mix(gold, WHITE, 0.3)],
            (0.3, 0.3),
            c.px(0.15),
            gain=0.45,
            region=(cx / cw, cy / ch, cx / cw, cy / ch),
        )
        body = gold if rng.random() < 0.5 else hsv(h, s, 0.5)
        draw_product(
            c,
            rng,
            lay.hero,
            body,
            golds[3] if body != gold else hsv(h, s, 0.35),
            kind=("perfume", "bottle", "box", "jar")[int(rng.integers(4))],
        )
    d = c.draw
    for _ in range(int(rng.integers(6, 16))):
        sparkle(d, _u(rng, 0, cw), _u(rng, 0, ch), c.px(_u(rng, 0.01, 0.035)), rgba(golds[2], 230))
    draw_frame(c, c.px(_u(rng, 0.03, 0.05)), gold, c.px(0.006), double=rng.random() < 0.7)
    text_block(
        c,
        rng,
        lay.text,
        ("serif_bold", "ornate", "serif", "ornate_italic")[int(rng.integers(4))],
        "serif_italic",
        golds[2] if rng.random() < 0.5 else gold,
        rgba(mix(gold, WHITE, 0.3), 220),
        lay.align,
        head_size=_u(rng, 0.1, 0.15),
        upper=rng.random() < 0.5,
        button=gold if rng.random() < 0.3 else None,
    )
    arr = vignette(c.finish(), _u(rng, 0.35, 0.6))
    return _to_image(grain(arr, rng, 2.0))


def cool_trendy(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """Urban pop graphics: colour blocks on diagonals, halftone, bold stripes, huge condensed type, hard shadows."""
    base_h = _u(rng, 0, 360)
    mode = int(rng.integers(3))
    neon = hsv(_u(rng, 0, 360), _u(rng, 0.85, 1.0), 1.0)
    bold = hsv(base_h, _u(rng, 0.8, 1.0), _u(rng, 0.85, 1.0))
    ground = [bold, (18, 18, 20), (240, 240, 236)][mode]
    other = hsv(base_h + _u(rng, 120, 240), _u(rng, 0.8, 1.0), _u(rng, 0.7, 1.0))
    c = Canvas(np.broadcast_to(np.asarray(ground[:3], np.float32), (size[1], size[0], 3)), size)
    cw, ch = c.W, c.H
    d = c.draw
    ink = WHITE if mode == 1 else (15, 15, 15)
    # Diagonal colour block.
    ang = _u(rng, 12, 35) * (1 if rng.random() < 0.5 else -1)
    k = math.tan(math.radians(ang))
    y0 = ch * _u(rng, 0.35, 0.7)
    block = other if mode == 0 else (bold if rng.random() < 0.7 else neon)
    d.polygon([(0, y0), (cw, y0 - k * cw), (cw, ch), (0, ch)], fill=block)
    # A thin neon band along the diagonal.
    t = c.px(_u(rng, 0.03, 0.08))
    off = c.px(_u(rng, -0.25, -0.1))
    d.polygon([(0, y0 + off), (cw, y0 + off - k * cw), (cw, y0 + off - k * cw + t), (0, y0 + off + t)], fill=neon)
    # Bold stripes or halftone in a corner.
    if rng.random() < 0.55:
        sp = c.px(_u(rng, 0.025, 0.045))
        corner = (
            (0, 0, cw * _u(rng, 0.3, 0.6), ch * _u(rng, 0.3, 0.6))
            if rng.random() < 0.5
            else (cw * 0.45, 0, cw, ch * 0.5)
        )
        halftone(c, corner, sp, rgba(ink if mode != 1 else neon, 230), _u(rng, 0, 360))
    else:
        sw = c.px(_u(rng, 0.02, 0.04))
        x0 = cw * _u(rng, 0.5, 0.8)
        for i in range(int(rng.integers(4, 9))):
            xi = x0 + i * sw * 2
            d.polygon(
                [(xi, 0), (xi + sw, 0), (xi + sw - ch * k * 0.6, ch), (xi - ch * k * 0.6, ch)], fill=rgba(ink, 220)
            )
    lay = choose_layout(c, rng, ("split", "corner", "centre"))
    kind = ("shoe", "phone", "shoe", "bottle", "chair", "cup")[int(rng.integers(6))]
    draw_product(c, rng, lay.hero, hsv(_u(rng, 0, 360), _u(rng, 0.0, 0.9), _u(rng, 0.6, 1.0)), neon, kind, "hard")
    # Huge headline, sometimes rotated, with an outline echo.
    word = pseudo_word(rng, (1, 2)).upper()
    role = "condensed" if rng.random() < 0.6 else "black"
    if rng.random() < 0.3:
        draw_text_rotated(c, word, (cw * _u(rng, 0.08, 0.15), ch / 2), role, c.px(_u(rng, 0.16, 0.24)), ink, 90)
        tb = lay.text
    else:
        x0, y0b, x1, y1 = lay.text
        f = fit_font(role, word, c.px(0.3), x1 - x0)
        anchor = "lt" if lay.align == "left" else "mt"
        ax = x0 if lay.align == "left" else (x0 + x1) / 2
        if rng.random() < 0.6:
            d.text(
                (ax + c.px(0.015), y0b + c.px(0.015)),
                word,
                font=f,
                fill=(0, 0, 0, 0),
                anchor=anchor,
                stroke_width=max(2, int(c.px(0.005))),
                stroke_fill=neon,
            )
        d.text((ax, y0b), word, font=f, fill=ink if mode != 0 else WHITE, anchor=anchor)
        bb = d.textbbox((ax, y0b), word, font=f, anchor=anchor)
        tb = (x0, bb[3] + c.px(0.02), x1, y1)
    # A sticker label: solid tag in black or white with the opposite colour text, readable on any block.
    label = f"N\u00b0{int(rng.integers(1, 99)):02d} / {pseudo_word(rng).upper()}"
    tag, tag_ink = ((15, 15, 15), neon) if rng.random() < 0.6 else (WHITE, (15, 15, 15))
    f = fit_font("bold", label, c.px(0.04), tb[2] - tb[0])
    bb = d.textbbox((tb[0], tb[1]), label, font=f)
    pad = c.px(0.015)
    d.rectangle((bb[0] - pad, bb[1] - pad, bb[2] + pad, bb[3] + pad), fill=tag)
    d.text((tb[0], tb[1]), label, font=f, fill=tag_ink)
    # Small graphic marks: plus signs and an arrow.
    for _ in range(int(rng.integers(2, 6))):
        x, y, s = _u(rng, 0, cw), _u(rng, 0, ch), c.px(0.025)
        d.line((x - s, y, x + s, y), fill=neon, width=max(3, int(s * 0.3)))
        d.line((x, y - s, x, y + s), fill=neon, width=max(3, int(s * 0.3)))
    return _to_image(grain(c.finish(), rng, 2.5 if rng.random() < 0.5 else 0.5))


def mysterious_hard(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """Dark and low-key: rock or marble texture, angular shards with cold rim light, fog, heavy vignette."""
    h = _hue(rng, 200, 240) if rng.random() < 0.75 else _u(rng, 0, 360)
    s = _u(rng, 0.25, 0.6) if rng.random() < 0.5 else _u(rng, 0.05, 0.25)
    n = fractal_noise(rng, size, octaves=5, base=int(rng.integers(2, 5)))
    if rng.random() < 0.5:  # marble veins: thin bright ridges of a warped sine
        x, y = _coords(*size)
        a = _u(rng, 0, np.pi)
        veins = 1.0 - np.abs(np.sin((x * np.cos(a) + y * np.sin(a)) * _u(rng, 6, 14) + n * _u(rng, 4, 8)))
        n = 0.6 * n + 0.4 * veins**8
    elif rng.random() < 0.4:  # brushed metal: noise stretched into horizontal streaks
        streak = Image.fromarray(rng.random((size[1], max(2, size[0] // 40)), dtype=np.float32), mode="F")
        streak = np.asarray(streak.resize(size, Image.Resampling.BILINEAR))
        n = 0.5 * n + 0.5 * streak
    back = _shade(n, hsv(h, s, _u(rng, 0.02, 0.05)), hsv(h, s * 0.85, _u(rng, 0.25, 0.42)))
    c = Canvas(back, size)
    cw, ch = c.W, c.H
    rim = hsv(h, s * 0.5, _u(rng, 0.55, 0.8))
    # Dim cold light source: moon or a spotlight glow.
    lx, ly = cw * _u(rng, 0.2, 0.8), ch * _u(rng, 0.1, 0.4)
    bokeh(c, rng, 1, [hsv(h, s, 0.5)], (0.35, 0.5), c.px(0.2), gain=0.5, region=(lx / cw, ly / ch, lx / cw, ly / ch))
    if rng.random() < 0.5:
        r = c.px(_u(rng, 0.05, 0.1))
        c.draw.ellipse((lx - r, ly - r, lx + r, ly + r), fill=hsv(h, s * 0.3, _u(rng, 0.55, 0.8)))
    d = c.draw
    rock = hsv(h, s, _u(rng, 0.03, 0.08))
    edge = max(2, int(c.px(0.004)))
    if rng.random() < 0.6:  # jagged rock ridge in near-black with a lit edge
        base_y = ch * _u(rng, 0.55, 0.8)
        xs = np.sort(rng.uniform(0, cw, int(rng.integers(4, 9))))
        ridge = [(-10.0, base_y)] + [(float(x), base_y - c.px(_u(rng, 0.05, 0.45))) for x in xs] + [(cw + 10.0, base_y)]
        d.polygon([*ridge, (cw + 10, ch + 10), (-10, ch + 10)], fill=rock)
        d.line(ridge, fill=rgba(rim, 170), width=edge)
    else:  # bevelled monolith / steel slab with hard edges
        sx, sw_, tilt = cw * _u(rng, 0.2, 0.8), c.px(_u(rng, 0.18, 0.35)), _u(rng, -12, 12)
        top, bev = ch * _u(rng, 0.05, 0.35), c.px(0.03)
        slab = _rot(
            np.array([[-sw_ / 2, 0], [sw_ / 2, 0], [sw_ / 2, ch - top + 50], [-sw_ / 2, ch - top + 50]]), sx, top, tilt
        )
        face = _rot(
            np.array([[-sw_ / 2 + bev, bev], [sw_ / 2 - bev, bev], [sw_ / 2 - bev, ch], [-sw_ / 2 + bev, ch]]),
            sx,
            top,
            tilt,
        )
        d.polygon(slab, fill=hsv(h, s, _u(rng, 0.12, 0.2)))
        d.polygon(face, fill=rock)
        d.line([slab[3], slab[0], slab[1]], fill=rgba(rim, 200), width=edge)
    for _ in range(int(rng.integers(1, 4))):  # crystal shards
        cx, cy = _u(rng, 0, cw), _u(rng, ch * 0.3, ch)
        ht, wd = c.px(_u(rng, 0.2, 0.5)), c.px(_u(rng, 0.05, 0.12))
        tilt = _u(rng, -20, 20)
        pts = np.array([[-wd, 0], [-wd * 0.6, -ht * 0.8], [0, -ht], [wd * 0.7, -ht * 0.75], [wd, 0]])
        poly = _rot(pts, cx, cy, tilt)
        d.polygon(poly, fill=hsv(h, s, _u(rng, 0.06, 0.16)))
        d.polygon([poly[1], poly[2], _rot(np.array([[0.0, 0.0]]), cx, cy, tilt)[0]], fill=hsv(h, s, _u(rng, 0.15, 0.3)))
        d.line(poly[:4], fill=rgba(rim, 140), width=max(2, int(c.px(0.003))))
    lay = choose_layout(c, rng, ("centre", "split", "banner", "corner"))
    if rng.random() < 0.5:
        metal = hsv(h, s * 0.5, _u(rng, 0.12, 0.25))
        draw_product(
            c,
            rng,
            lay.hero,
            metal,
            hsv(h, s * 0.4, 0.45),
            ("phone", "bottle", "box", "perfume")[int(rng.integers(4))],
            shadow="none",
        )
    # Low fog band.
    soft_shapes(
        c,
        lambda dd, f: dd.rectangle((0, ch * _u(rng, 0.75, 0.9) * f, cw * f, ch * f), fill=255),
        hsv(h, s, 0.35),
        blur=c.px(0.12),
        alpha=_u(rng, 0.2, 0.4),
    )
    grey = hsv(h, s * 0.3, _u(rng, 0.6, 0.8))
    text_block(
        c,
        rng,
        lay.text,
        ("condensed", "bold", "serif")[int(rng.integers(3))],
        "sans",
        grey,
        rgba(grey, 160),
        lay.align,
        head_size=_u(rng, 0.08, 0.12),
        upper=True,
        track=rng.random() < 0.6,
        lines=(0, 2),
    )
    arr = vignette(c.finish(), _u(rng, 0.5, 0.8))
    return _to_image(grain(arr, rng, _u(rng, 3, 6)))


def future_tech(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """Sci-fi on dark: perspective grid, circuit traces, HUD rings, wireframes, glowing cyan/purple light, mono type."""
    h = _hue(rng, 205, 275)
    back = radial_gradient(
        size,
        (hsv(h, _u(rng, 0.6, 0.9), _u(rng, 0.16, 0.28)), hsv(h + 10, 0.8, _u(rng, 0.02, 0.06))),
        (_u(rng, 0.3, 0.7), _u(rng, 0.3, 0.6)),
        0.9,
    )
    c = Canvas(back, size)
    cw, ch = c.W, c.H
    lights = [hsv(_hue(rng, 180, 195), 0.85, 1.0), hsv(_hue(rng, 205, 230), 0.8, 1.0), hsv(_hue(rng, 270, 320), 0.7, 1)]
    main = lights[int(rng.integers(3))]
    alt = lights[int(rng.integers(3))]
    layer = LightLayer(c)
    d = layer.draw
    lw = max(2, int(c.px(0.004)))
    dim = mix(main, BLACK, 0.55)
    if rng.random() < 0.6:  # perspective floor grid
        hy = ch * _u(rng, 0.45, 0.65)
        vx = cw * _u(rng, 0.35, 0.65)
        for i in range(-12, 13):
            d.line((vx, hy, vx + i * cw * 0.12, ch), fill=dim, width=lw)
        for j in range(1, 12):
            y = hy + (ch - hy) * (j / 11) ** 2
            d.line((0, y, cw, y), fill=dim, width=lw)
        d.line((0, hy, cw, hy), fill=main, width=lw * 2)
    else:  # flat blueprint grid
        step = c.px(_u(rng, 0.06, 0.1))
        faint = mix(main, BLACK, 0.8)
        for x in np.arange(0, cw, step):
            d.line((x, 0, x, ch), fill=faint, width=1)
        for y in np.arange(0, ch, step):
            d.line((0, y, cw, y), fill=faint, width=1)
    # Circuit traces: Manhattan walks with 45-degree jogs and pads.
    g = c.px(0.04)
    for _ in range(int(rng.integers(6, 14))):
        x, y = round(_u(rng, 0, cw) / g) * g, round(_u(rng, 0, ch) / g) * g
        pts = [(x, y)]
        for _ in range(int(rng.integers(2, 5))):
            dirn = int(rng.integers(4))
            ln = g * int(rng.integers(1, 5))
            x += ln * (1, -1, 0, 0)[dirn] + (ln * 0.5 if rng.random() < 0.3 else 0)
            y += ln * (0, 0, 1, -1)[dirn]
            pts.append((x, y))
        col = mix(main if rng.random() < 0.7 else alt, BLACK, _u(rng, 0.0, 0.4))
        d.line(pts, fill=col, width=lw, joint="curve")
        for px, py in (pts[0], pts[-1]):
            r = lw * 2.2
            d.ellipse((px - r, py - r, px + r, py + r), outline=col, width=lw)
    lay = choose_layout(c, rng, ("centre", "split", "corner"))
    hx0, hy0, hx1, hy1 = lay.hero
    cx, cy = (hx0 + hx1) / 2, (hy0 + hy1) / 2
    rad = min(hx1 - hx0, hy1 - hy0) * 0.48
    if rng.random() < 0.5:  # HUD rings with gaps and ticks
        for k in range(int(rng.integers(2, 5))):
            r = rad * (1 - k * 0.2)
            a0 = _u(rng, 0, 360)
            d.arc(
                (cx - r, cy - r, cx + r, cy + r), a0, a0 + _u(rng, 120, 300), fill=main if k % 2 else alt, width=lw * 2
            )
        for t in range(0, 360, 10):
            a = math.radians(t)
            r0, r1 = rad * 1.05, rad * (1.12 if t % 30 == 0 else 1.08)
            d.line(
                (cx + r0 * math.cos(a), cy + r0 * math.sin(a), cx + r1 * math.cos(a), cy + r1 * math.sin(a)),
                fill=dim,
                width=lw,
            )
    else:  # wireframe globe or cube
        if rng.random() < 0.5:
            for k in range(1, 6):
                rx = rad * abs(math.cos(k * math.pi / 6))
                d.ellipse((cx - rx, cy - rad, cx + rx, cy + rad), outline=main, width=lw)
                ry = rad * abs(math.cos(k * math.pi / 6))
                d.ellipse((cx - rad, cy - ry, cx + rad, cy + ry), outline=alt, width=lw)
            d.ellipse((cx - rad, cy - rad, cx + rad, cy + rad), outline=main, width=lw * 2)
        else:
            yaw, pitch = math.radians(_u(rng, 10, 80)), math.radians(_u(rng, 15, 35))
            v = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], np.float32)
            ry = np.array([[math.cos(yaw), 0, math.sin(yaw)], [0, 1, 0], [-math.sin(yaw), 0, math.cos(yaw)]])
            rx = np.array([[1, 0, 0], [0, math.cos(pitch), -math.sin(pitch)], [0, math.sin(pitch), math.cos(pitch)]])
            p = v @ ry.T @ rx.T * rad * 0.55
            for i in range(8):
                for j in range(i + 1, 8):
                    if int(np.abs(v[i] - v[j]).sum()) == 2:
                        d.line((cx + p[i, 0], cy + p[i, 1], cx + p[j, 0], cy + p[j, 1]), fill=main, width=lw * 2)
    if rng.random() < 0.35:
        draw_product(c, rng, lay.hero, hsv(h, 0.5, 0.12), main, "phone", shadow="none")
    # Stars / particles.
    for _ in range(int(rng.integers(20, 60))):
        x, y, r = _u(rng, 0, cw), _u(rng, 0, ch), _u(rng, 1, 3.5)
        d.ellipse((x - r, y - r, x + r, y + r), fill=mix(WHITE, main, _u(rng, 0, 0.6)))
    layer.apply(glow_radius=c.px(_u(rng, 0.02, 0.04)), glow_gain=_u(rng, 1.5, 2.5))
    label = f"{pseudo_word(rng).upper()}_{int(rng.integers(10, 99))}"
    text_block(
        c,
        rng,
        lay.text,
        "mono_bold",
        "mono",
        mix(main, WHITE, 0.4),
        rgba(main, 200),
        lay.align,
        head_size=_u(rng, 0.08, 0.12),
        upper=True,
        lines=(1, 3),
    )
    draw_text(
        c,
        f"// {label} :: {int(rng.integers(100, 999))}.{int(rng.integers(10, 99))}",
        (c.px(0.03), c.px(0.03)),
        "mono",
        c.px(0.03),
        rgba(main, 190),
    )
    arr = c.finish()
    if rng.random() < 0.6:
        arr = scanlines(arr, int(rng.integers(2, 4)), _u(rng, 0.1, 0.3))
    return _to_image(grain(vignette(arr, 0.4), rng, 1.5))


def rosy_graceful(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """Romantic pastels: pink/peach/lavender gradients, soft blurred circles, flowers, petals, flowing curves."""
    pink = hsv(_hue(rng, 335, 358), _u(rng, 0.15, 0.35), _u(rng, 0.95, 1.0))
    peach = hsv(_hue(rng, 5, 28), _u(rng, 0.15, 0.35), _u(rng, 0.96, 1.0))
    lav = hsv(_hue(rng, 280, 320), _u(rng, 0.1, 0.22), _u(rng, 0.95, 1.0))
    ends = [pink, peach] if rng.random() < 0.6 else ([peach, pink, lav] if rng.random() < 0.5 else [pink, lav])
    back = linear_gradient(size, ends, _u(rng, 30, 150))
    c = Canvas(back, size)
    cw, ch = c.W, c.H
    # Flowing soft curves.
    for _ in range(int(rng.integers(1, 4))):
        band = wave_band(
            cw,
            ch,
            ch * _u(rng, 0.2, 0.9),
            c.px(_u(rng, 0.03, 0.08)),
            _u(rng, 0.5, 1.5),
            _u(rng, 0, 6),
            c.px(_u(rng, 0.05, 0.15)),
        )
        c.draw.polygon(band, fill=(255, 255, 255, int(_u(rng, 50, 110))))
    rose = hsv(_hue(rng, 335, 15), _u(rng, 0.35, 0.6), _u(rng, 0.85, 1.0))
    # Large soft blurred blobs of deeper pink for depth.
    blobs = [(_u(rng, 0, cw), _u(rng, 0, ch), c.px(_u(rng, 0.1, 0.25))) for _ in range(int(rng.integers(2, 5)))]
    soft_shapes(
        c,
        lambda dd, f: [dd.ellipse(((x - r) * f, (y - r) * f, (x + r) * f, (y + r) * f), fill=255) for x, y, r in blobs],
        rose,
        blur=c.px(0.08),
        alpha=0.45,
    )
    bokeh(c, rng, int(rng.integers(10, 25)), [WHITE, mix(rose, WHITE, 0.5)], (0.02, 0.07), c.px(0.03), gain=0.5)
    lay = choose_layout(c, rng, ("centre", "split", "card", "corner"))
    d = c.draw
    # One big out-of-focus flower behind everything, then crisp flowers clustered at the edges.
    if rng.random() < 0.6:
        fx, fy, fr = _u(rng, 0.1, 0.9) * cw, _u(rng, 0.1, 0.9) * ch, c.px(_u(rng, 0.25, 0.4))
        soft_shapes(
            c, lambda dd, f: draw_flower(dd, rng, fx * f, fy * f, fr * f, 255, 255), rose, c.px(0.03), alpha=0.5
        )
        d = c.draw
    n_fl = int(rng.integers(3, 7))
    for _ in range(n_fl):
        if rng.random() < 0.5:
            x, y = _u(rng, -0.05, 0.25) * cw, _u(rng, 0.6, 1.05) * ch
        else:
            x, y = _u(rng, 0.75, 1.05) * cw, _u(rng, -0.05, 0.35) * ch
        petal = hsv(_hue(rng, 330, 15), _u(rng, 0.25, 0.6), _u(rng, 0.9, 1.0), int(_u(rng, 210, 255)))
        draw_flower(d, rng, x, y, c.px(_u(rng, 0.1, 0.2)), petal, hsv(_u(rng, 35, 50), 0.5, 0.95))
    for _ in range(int(rng.integers(3, 10))):  # loose petals
        x, y = _u(rng, 0, cw), _u(rng, 0, ch)
        s = c.px(_u(rng, 0.02, 0.04))
        d.polygon(leaf_points(x, y, s, s * 0.7, _u(rng, 0, 360)), fill=rgba(rose, _u(rng, 140, 220)))
    if lay.kind == "card":
        x0, y0, x1, y1 = lay.text
        p = c.px(0.04)
        d.rounded_rectangle((x0 - p, y0 - p, x1 + p, y1 + p), p, fill=(255, 255, 255, 170))
    if rng.random() < 0.7:
        body = hsv(_hue(rng, 340, 25), _u(rng, 0.1, 0.35), _u(rng, 0.92, 1.0))
        cap = hsv(_u(rng, 20, 35), _u(rng, 0.3, 0.5), _u(rng, 0.8, 0.95))  # rose gold
        draw_product(c, rng, lay.hero, body, cap, ("perfume", "bottle", "jar", "cup")[int(rng.integers(4))])
    ink = hsv(_hue(rng, 330, 360), _u(rng, 0.35, 0.55), _u(rng, 0.45, 0.65))
    text_block(
        c,
        rng,
        lay.text,
        ("serif_italic", "thin_italic", "ornate_italic", "thin")[int(rng.integers(4))],
        "thin",
        ink,
        rgba(ink, 190),
        lay.align,
        head_size=_u(rng, 0.1, 0.14),
        button=rose if rng.random() < 0.3 else None,
    )
    return _to_image(grain(c.finish(), rng, 1.0))


def happy_vivid(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """Cheerful and loud: saturated sunburst grounds, confetti, stars, balloons, a smiling sun, chunky outlined type."""
    h = _u(rng, 0, 360)
    base = hsv(h, _u(rng, 0.7, 1.0), _u(rng, 0.9, 1.0))
    c = Canvas(np.broadcast_to(np.asarray(base, np.float32), (size[1], size[0], 3)), size)
    cw, ch = c.W, c.H
    hues = (h + np.array([90, 150, 210, 270, 330]) + rng.uniform(-20, 20, 5)) % 360
    cols = [hsv(float(x), _u(rng, 0.75, 1.0), _u(rng, 0.9, 1.0)) for x in hues]
    if rng.random() < 0.6:
        sunburst(
            c,
            (cw * _u(rng, 0.3, 0.7), ch * _u(rng, 0.3, 0.7)),
            int(rng.integers(12, 24)),
            rgba(mix(base, WHITE, 0.35), 150),
            _u(rng, 0, 30),
        )
    else:  # polka dots
        sp = c.px(_u(rng, 0.1, 0.16))
        dot = rgba(mix(base, WHITE, 0.35), 160)
        for j, y in enumerate(np.arange(0, ch + sp, sp)):
            for x in np.arange((j % 2) * sp / 2, cw + sp, sp):
                r = sp * 0.22
                c.draw.ellipse((x - r, y - r, x + r, y + r), fill=dot)
    d = c.draw
    lay = choose_layout(c, rng, ("centre", "split", "banner", "corner"))
    # Cartoon cloud.
    if rng.random() < 0.5:
        cx, cy, r = cw * _u(rng, 0.1, 0.9), ch * _u(rng, 0.05, 0.3), c.px(_u(rng, 0.05, 0.08))
        for dx, dy, k in ((-1.2, 0.2, 0.8), (0, -0.2, 1.1), (1.2, 0.2, 0.8), (0.5, 0.4, 0.8), (-0.5, 0.4, 0.8)):
            d.ellipse((cx + dx * r - k * r, cy + dy * r - k * r, cx + dx * r + k * r, cy + dy * r + k * r), fill=WHITE)
    # A smiling sun or balloons.
    if rng.random() < 0.5:
        sx, sy, r = cw * _u(rng, 0.1, 0.9), ch * _u(rng, 0.1, 0.4), c.px(_u(rng, 0.08, 0.13))
        sun = hsv(_u(rng, 42, 55), 0.9, 1.0)
        d.polygon(
            star_points(sx, sy, r * 1.55, r * 1.05, int(rng.integers(10, 16)), _u(rng, 0, 30)), fill=hsv(30, 0.9, 1)
        )
        d.ellipse((sx - r, sy - r, sx + r, sy + r), fill=sun, outline=(40, 30, 30), width=max(2, int(r * 0.06)))
        e = r * 0.12
        for ex in (-0.35, 0.35):
            d.ellipse((sx + ex * r - e, sy - 0.2 * r - e, sx + ex * r + e, sy - 0.2 * r + e), fill=(40, 30, 30))
        d.arc(
            (sx - r * 0.5, sy - r * 0.4, sx + r * 0.5, sy + r * 0.55),
            20,
            160,
            fill=(40, 30, 30),
            width=max(2, int(r * 0.08)),
        )
    else:
        for _ in range(int(rng.integers(2, 5))):
            bx, by, r = cw * _u(rng, 0.05, 0.95), ch * _u(rng, 0.1, 0.5), c.px(_u(rng, 0.05, 0.08))
            col = cols[int(rng.integers(len(cols)))]
            d.line(
                [(bx, by + r * 1.2), (bx + r * 0.3, by + r * 2), (bx - r * 0.2, by + r * 2.8), (bx, by + r * 3.6)],
                fill=(60, 60, 60),
                width=max(2, int(r * 0.05)),
                joint="curve",
            )
            d.polygon([(bx, by + r * 1.1), (bx - r * 0.15, by + r * 1.35), (bx + r * 0.15, by + r * 1.35)], fill=col)
            d.ellipse((bx - r, by - r * 1.2, bx + r, by + r * 1.2), fill=col)
            d.ellipse((bx - r * 0.55, by - r * 0.8, bx - r * 0.25, by - r * 0.3), fill=(255, 255, 255, 150))
    confetti(c, rng, int(rng.integers(40, 90)), [*cols, WHITE], c.px(0.015))
    for _ in range(int(rng.integers(3, 8))):
        x, y, r = _u(rng, 0, cw), _u(rng, 0, ch), c.px(_u(rng, 0.02, 0.05))
        d.polygon(star_points(x, y, r, r * 0.45, 5, _u(rng, -110, -70)), fill=cols[int(rng.integers(len(cols)))])
    if rng.random() < 0.7:
        kind = ("cup", "box", "bottle", "jar", "shoe")[int(rng.integers(5))]
        draw_product(c, rng, lay.hero, cols[int(rng.integers(5))], cols[int(rng.integers(5))], kind, "hard")
    # Chunky headline with outline, shadow and one colour per letter.
    word = pseudo_word(rng, (2, 3)).upper() + "!" * int(rng.integers(0, 2))
    x0, y0, x1, y1 = lay.text
    f = fit_font("black", word, c.px(_u(rng, 0.14, 0.2)), x1 - x0)
    total = f.getlength(word) if hasattr(f, "getlength") else len(word) * c.px(0.1)
    x = x0 if lay.align == "left" else (x0 + x1 - total) / 2
    sw = max(3, int(c.px(0.008)))
    for i, letter in enumerate(word):
        col = cols[i % len(cols)]
        d.text(
            (x + c.px(0.012), y0 + c.px(0.012)),
            letter,
            font=f,
            fill=(30, 30, 40),
            stroke_width=sw,
            stroke_fill=(30, 30, 40),
        )
        d.text((x, y0), letter, font=f, fill=col, stroke_width=sw, stroke_fill=WHITE)
        x += f.getlength(letter) if hasattr(f, "getlength") else c.px(0.1)
    bb = d.textbbox((x0, y0), word, font=f)
    body_box = (x0, bb[3] + c.px(0.04), x1, y1 + c.px(0.04))
    text_block(
        c,
        rng,
        body_box,
        "bold",
        "bold",
        WHITE,
        WHITE,
        lay.align,
        head_size=0.06,
        lines=(0, 1),
        button=cols[0] if rng.random() < 0.5 else None,
    )
    return _to_image(c.finish())


STYLE_RECIPES: dict[str, Callable[[np.random.Generator, tuple[int, int]], Image.Image]] = {
    "simple_neutral": simple_neutral,
    "fresh_elegant": fresh_elegant,
    "gorgeous_strong": gorgeous_strong,
    "cool_trendy": cool_trendy,
    "mysterious_hard": mysterious_hard,
    "future_tech": future_tech,
    "rosy_graceful": rosy_graceful,
    "happy_vivid": happy_vivid,
}
"""Recipe per style id; add entries to support new styles. A recipe takes (rng, (width, height))."""


def generate(style: str, seed: int, size: tuple[int, int] | None = None) -> Image.Image:
    """Renders one synthetic design in the given style.

    Args:
        style: A key of STYLE_RECIPES.
        seed: Any integer; the same (style, seed, size) always gives identical pixels.
        size: (width, height) in pixels; when None one is drawn from SIZES by the seed.

    Returns:
        An RGB image of exactly `size`.

    Raises:
        ValueError: The style has no recipe, or the size is too small.
    """
    recipe = STYLE_RECIPES.get(style)
    if recipe is None:
        raise ValueError(f"unknown style {style!r}; known styles: {', '.join(sorted(STYLE_RECIPES))}")
    # crc32 rather than hash(): Python salts str hashes per process.
    rng = np.random.default_rng([zlib.crc32(style.encode()), int(seed) & 0xFFFFFFFFFFFFFFFF])
    if size is None:
        size = SIZES[int(rng.integers(len(SIZES)))]
    w, h = int(size[0]), int(size[1])
    if w < 16 or h < 16:
        raise ValueError(f"size must be at least 16x16, got {size}")
    image = recipe(rng, (w, h))
    if image.size != (w, h) or image.mode != "RGB":  # user recipes may be loose about this
        image = image.convert("RGB").resize((w, h), Image.Resampling.LANCZOS)
    return image


def generate_dataset(out_dir: Path, per_style: int, seed: int = 0, styles: Sequence[str] | None = None) -> Path:
    """Writes per_style PNGs per style and a labels CSV.

    Images go to out_dir/<style>/<style>_<i:05d>.png; labels.csv has the columns
    uri,style,secondary_style,source_package,licence with absolute file paths as uri.

    Args:
        out_dir: Output folder, created if needed.
        per_style: Images per style.
        seed: Dataset seed; each image's seed is derived from (seed, i).
        styles: Styles to render; all of STYLE_RECIPES when None.

    Returns:
        The path of labels.csv.
    """
    out_dir = Path(out_dir).resolve()
    styles = list(STYLE_RECIPES) if styles is None else list(styles)
    for style in styles:
        if style not in STYLE_RECIPES:
            raise ValueError(f"unknown style {style!r}; known styles: {', '.join(sorted(STYLE_RECIPES))}")
    rows = []
    for style in styles:
        folder = out_dir / style
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_style):
            image_seed = int(np.random.SeedSequence([seed, i]).generate_state(1, np.uint64)[0])
            path = folder / f"{style}_{i:05d}.png"
            generate(style, image_seed).save(path)
            rows.append((str(path), style, "", "generator", "generated (project licence)"))
    csv_path = out_dir / "labels.csv"
    with csv_path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("uri", "style", "secondary_style", "source_package", "licence"))
        writer.writerows(rows)
    return csv_path
