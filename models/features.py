"""The style features: a fixed-length vector of the resolved elements, the style head's input.

One function of the element detector's output tensors, used both to cache training
features and inside the exported style classifier, so training and serving cannot drift.
Each feature has a readable name and words for its low and high ends, which the
classifier uses to explain its top style.
"""

from typing import NamedTuple

import tensorflow as tf

from models.colour import FAMILIES, colour_family, rgb_to_lab
from models.element_names import MEASURES


class Feature(NamedTuple):
    """How one feature reads in an explanation."""

    name: str
    low: str  # said when the feature is below its training mean
    high: str  # said when it is above
    percent: bool = False  # shown as a percentage rather than a 0..1 value


_MEASURE_WORDS = {
    "brightness": ("dark", "bright"),
    "contrast": ("low contrast", "high contrast"),
    "saturation": ("muted colour", "saturated colour"),
    "colourfulness": ("plain colour", "colourful"),
    "warmth": ("cool tones", "warm tones"),
    "hue_diversity": ("few hues", "many hues"),
    "sharpness": ("soft", "crisp"),
    "edge_density": ("few edges", "many edges"),
    "texture": ("smooth", "textured"),
}
_COMPOSITION_WORDS = {
    "negative_space": ("busy", "much empty space"),
    "subject_fraction": ("small subject", "large subject"),
    "symmetry": ("asymmetric", "symmetric"),
    "thirds": ("subject off the thirds", "subject on a third"),
    "balance": ("off-balance", "balanced"),
}
_REGION_MEASURES = ("brightness", "saturation", "contrast", "sharpness")


def _feature_table() -> list[Feature]:
    table = [Feature(name, *_MEASURE_WORDS[name]) for name in MEASURES]
    table += [Feature(name, *words) for name, words in _COMPOSITION_WORDS.items()]
    for region in ("foreground", "background"):
        table += [Feature(f"{region} {m}", *(f"{region} {w}" for w in _MEASURE_WORDS[m])) for m in _REGION_MEASURES]
    table += [Feature(f"{family} palette", f"little {family}", f"{family} palette", True) for family in FAMILIES]
    table += [
        Feature(f"{family} subject", f"little {family} in the subject", f"{family} subject", True)
        for family in FAMILIES
    ]
    table += [
        Feature("palette lightness", "dark palette", "light palette"),
        Feature("palette chroma", "greyish palette", "vivid palette"),
        Feature("palette lightness spread", "even lightness", "light and dark together"),
        Feature("palette chroma spread", "even colour strength", "neutral and vivid together"),
        Feature("strongest colour chroma", "no strong colour", "a vivid accent"),
        Feature("colour count", "few colours", "many colours"),
        Feature("dominant colour share", "no dominant colour", "one dominant colour", True),
        Feature("subject count", "no clear subject", "several subjects"),
        Feature("decoration count", "no decoration", "decorative details"),
    ]
    return table


FEATURES: list[Feature] = _feature_table()
FEATURE_NAMES: list[str] = [feature.name for feature in FEATURES]


def _family_mass(rgb: tf.Tensor, weight: tf.Tensor) -> tf.Tensor:
    """Sum of `weight` per colour family: [B, K, 3], [B, K] -> [B, len(FAMILIES)]."""
    return tf.einsum("bk,bkf->bf", weight, tf.one_hot(colour_family(rgb), len(FAMILIES)))


def style_features(outputs: dict[str, tf.Tensor]) -> tf.Tensor:
    """The style feature vector [B, len(FEATURES)] from the element detector's outputs."""
    rgb, fraction = outputs["palette_rgb"], outputs["palette_fraction"]
    columns = [outputs[f"measure_{name}"] for name in MEASURES]
    columns += [outputs[f"composition_{name}"] for name in _COMPOSITION_WORDS]
    columns += [outputs[f"{region}_{m}"] for region in ("foreground", "background") for m in _REGION_MEASURES]
    families = _family_mass(rgb, fraction)
    foreground = outputs["palette_foreground"]
    subject_families = _family_mass(rgb, foreground) / tf.maximum(
        tf.reduce_sum(foreground, axis=-1, keepdims=True), 1e-6
    )
    lab = rgb_to_lab(rgb)
    lightness, chroma = lab[..., 0] / 100.0, tf.norm(lab[..., 1:], axis=-1) / 100.0

    def weighted_mean(values: tf.Tensor) -> tf.Tensor:
        return tf.reduce_sum(values * fraction, axis=-1)

    def weighted_spread(values: tf.Tensor) -> tf.Tensor:
        return tf.sqrt(tf.maximum(weighted_mean(tf.square(values)) - tf.square(weighted_mean(values)), 0.0))

    present = tf.cast(fraction >= 0.01, tf.float32)
    decoration = (outputs["colour_area_fraction"] >= 0.02) & (outputs["colour_area_role"] == "decoration")
    summary = [
        weighted_mean(lightness),
        weighted_mean(chroma),
        weighted_spread(lightness),
        weighted_spread(chroma),
        tf.reduce_max(chroma * present, axis=-1),
        tf.reduce_sum(present, axis=-1) / float(rgb.shape[1]),
        tf.reduce_max(fraction, axis=-1),
        tf.reduce_sum(tf.cast(outputs["subject_fraction"] >= 0.02, tf.float32), axis=-1) / 2.0,
        tf.reduce_sum(tf.cast(decoration, tf.float32), axis=-1) / 3.0,
    ]
    return tf.concat([tf.stack(columns, -1), families, subject_families, tf.stack(summary, -1)], axis=-1)
