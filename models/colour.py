"""Colour science on tensors: sRGB to CIELAB and HSV, colour names and colour families.

Every function takes float32 RGB in 0..255 with the channel last, so they work on single
pixels, palettes and whole image batches alike.
"""

import math

import numpy as np
import tensorflow as tf
import webcolors

# CIE D65 white point and the sRGB -> XYZ matrix (IEC 61966-2-1).
_D65 = np.array([0.95047, 1.0, 1.08883], np.float32)
_RGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]],
    np.float32,
)

FAMILIES = ("red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown", "black", "white", "grey")
"""Simplified colour families, in the spirit of AWS Rekognition's SimplifiedColor."""


def rgb_to_lab(rgb: tf.Tensor) -> tf.Tensor:
    """Converts sRGB (0..255, channel last) to CIELAB (L in 0..100) under D65."""
    c = tf.convert_to_tensor(rgb, tf.float32) / 255.0
    linear = tf.where(c <= 0.04045, c / 12.92, tf.pow((c + 0.055) / 1.055, 2.4))
    xyz = tf.tensordot(linear, tf.constant(_RGB_TO_XYZ.T), axes=1) / _D65
    epsilon, kappa = 216.0 / 24389.0, 24389.0 / 27.0
    f = tf.where(xyz > epsilon, tf.pow(tf.maximum(xyz, epsilon), 1.0 / 3.0), (kappa * xyz + 16.0) / 116.0)
    fx, fy, fz = tf.unstack(f, axis=-1)
    return tf.stack([116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)], axis=-1)


def rgb_to_hsv(rgb: tf.Tensor) -> tf.Tensor:
    """Converts sRGB (0..255) to HSV with hue in degrees (0..360) and S, V in 0..1."""
    hsv = tf.image.rgb_to_hsv(tf.convert_to_tensor(rgb, tf.float32) / 255.0)
    return tf.stack([hsv[..., 0] * 360.0, hsv[..., 1], hsv[..., 2]], axis=-1)


def colour_family(rgb: tf.Tensor) -> tf.Tensor:
    """Returns the index into FAMILIES of each colour, by hue, saturation and value rules."""
    hue, sat, val = tf.unstack(rgb_to_hsv(rgb), axis=-1)
    family = tf.searchsorted(
        tf.constant([15.0, 40.0, 70.0, 160.0, 190.0, 260.0, 320.0, 345.0, 360.1]),
        tf.reshape(hue, [-1]),
        side="right",
    )
    # Hue bands: red, orange, yellow, green, teal, blue, purple, pink, red again.
    band_to_family = tf.constant([0, 1, 2, 3, 4, 5, 6, 7, 0], tf.int32)
    family = tf.reshape(tf.gather(band_to_family, family), tf.shape(hue))
    index = {name: i for i, name in enumerate(FAMILIES)}
    warm = (family == index["red"]) | (family == index["orange"]) | (family == index["yellow"])
    light_red = (family == index["red"]) & (sat < 0.5) & (val > 0.7)
    family = tf.where(light_red, index["pink"], family)
    # Brown is dark orange, or dark red that is not fully saturated (maroon stays red).
    dark_warm = warm & (hue < 45.0) & (val < 0.7) & (sat > 0.2) & ((family == index["orange"]) | (sat < 0.85))
    family = tf.where(dark_warm, index["brown"], family)
    achromatic = tf.where(val < 0.25, index["black"], tf.where(val > 0.85, index["white"], index["grey"]))
    neutral = (sat < 0.15) | (val < 0.2) | ((sat < 0.25) & (val < 0.35))
    return tf.where(neutral, achromatic, family)


def _css_colours() -> tuple[list[str], np.ndarray]:
    """The CSS3 named colours from webcolors, one name per distinct colour."""
    names, rgbs, seen = [], [], set()
    for name in sorted(webcolors.names("css3")):
        rgb = tuple(webcolors.name_to_rgb(name, spec="css3"))
        if rgb in seen:  # aqua/cyan, fuchsia/magenta, gray/grey: keep the first spelling
            continue
        seen.add(rgb)
        names.append(name)
        rgbs.append(rgb)
    return names, np.asarray(rgbs, np.float32)


CSS_NAMES, CSS_RGB = _css_colours()
CSS_LAB = rgb_to_lab(CSS_RGB).numpy()


def nearest_css_name(rgb: tf.Tensor) -> tf.Tensor:
    """Returns the index into CSS_NAMES of the CSS3 colour nearest to each colour (CIE76 delta E)."""
    lab = rgb_to_lab(rgb)
    distance = tf.reduce_sum(tf.square(lab[..., None, :] - tf.constant(CSS_LAB)), axis=-1)
    return tf.argmin(distance, axis=-1, output_type=tf.int32)


def hue_warmth(hue_degrees: tf.Tensor) -> tf.Tensor:
    """Warmth of a hue in -1..1: +1 at orange (30 degrees), -1 at cyan-blue (210 degrees)."""
    return tf.cos((hue_degrees - 30.0) * (math.pi / 180.0))
