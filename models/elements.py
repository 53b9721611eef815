"""Python API of the element detector: load the SavedModel once, turn its tensors into records.

``elements_from_outputs`` is the single place where the detector's flat tensors become the
nested element record (palette, measures, composition, foreground, background, areas,
objects); the CLI and the pipeline both call it.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from models.element_detector import MIN_AREA_FRACTION
from models.element_names import COMPOSITION, MEASURES
from models.paths import ELEMENT_DETECTOR_DIR

MIN_COLOUR_FRACTION = 0.01  # palette clusters below 1% of the image are noise, not dominant colours
ROLE_THRESHOLD = 0.7  # a colour with 70% of its pixels in the foreground is a foreground colour


class ElementResolver:
    """The exported element detector, loaded once; call ``resolve`` per batch."""

    def __init__(self, model_dir: str | Path = ELEMENT_DETECTOR_DIR) -> None:
        """Loads the SavedModel with ``tf.saved_model.load``."""
        self.model = tf.saved_model.load(str(model_dir))
        self.version = self.model.version.numpy().decode()

    def run(self, pixels: np.ndarray) -> dict[str, np.ndarray]:
        """Runs the graph on a uint8 batch [B, H, W, 3] and returns its outputs as numpy arrays."""
        return {name: value.numpy() for name, value in self.model.serve(tf.constant(pixels, tf.uint8)).items()}

    def resolve(self, pixels: np.ndarray) -> list[dict[str, Any]]:
        """The element record of each image in a uint8 batch [B, H, W, 3]."""
        return elements_from_outputs(self.run(pixels))


def as_text(value: bytes | str) -> str:
    """A string tensor element (bytes) as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


def _hex(rgb: np.ndarray) -> str:
    red, green, blue = (round(float(c)) for c in np.clip(rgb, 0, 255))
    return f"#{red:02x}{green:02x}{blue:02x}"


def _round(value: float) -> float:
    return round(float(value), 4)


def _objects(labels: np.ndarray, scores: np.ndarray) -> list[dict[str, Any]]:
    return [{"label": as_text(label), "score": _round(score)} for label, score in zip(labels, scores, strict=True)]


def _palette(out: Mapping[str, np.ndarray], i: int) -> list[dict[str, Any]]:
    """The image's dominant colours, largest first, with names, family and role."""
    fraction, in_foreground = out["palette_fraction"][i], out["palette_foreground"][i]
    keep = fraction >= MIN_COLOUR_FRACTION
    # Importance as Google Vision's score: pixel share, weighted towards the foreground.
    foreground_share = np.where(fraction > 0, in_foreground / np.maximum(fraction, 1e-9), 0.0)
    importance = fraction * (0.5 + foreground_share) * keep
    importance = importance / max(importance.sum(), 1e-9)
    colours = []
    for k in np.flatnonzero(keep):
        share = foreground_share[k]
        role = "foreground" if share >= ROLE_THRESHOLD else "background" if share <= 1 - ROLE_THRESHOLD else "both"
        colours.append(
            {
                "hex": _hex(out["palette_rgb"][i, k]),
                "rgb": [round(float(c)) for c in out["palette_rgb"][i, k]],
                "fraction": _round(fraction[k]),
                "score": _round(importance[k]),
                "name": as_text(out["palette_name"][i, k]),
                "family": as_text(out["palette_family"][i, k]),
                "role": role,
                "foreground_share": _round(share),
            }
        )
    return colours


def _region_palette(out: Mapping[str, np.ndarray], i: int, pixel_share: np.ndarray) -> list[dict[str, Any]]:
    """Colours of the foreground or background alone, with fractions of that region."""
    total = pixel_share.sum()
    if total <= 0:
        return []
    order = np.argsort(-pixel_share, kind="stable")
    return [
        {
            "hex": _hex(out["palette_rgb"][i, k]),
            "fraction": _round(pixel_share[k] / total),
            "name": as_text(out["palette_name"][i, k]),
            "family": as_text(out["palette_family"][i, k]),
        }
        for k in order
        if pixel_share[k] / total >= MIN_COLOUR_FRACTION
    ]


def _areas(out: Mapping[str, np.ndarray], i: int) -> list[dict[str, Any]]:
    """Subject areas (with their objects) then colour areas, each above 2% of the image."""
    areas = []
    for prefix in ("subject", "colour_area"):
        for r in range(out[f"{prefix}_fraction"].shape[1]):
            fraction = out[f"{prefix}_fraction"][i, r]
            if fraction < MIN_AREA_FRACTION:
                continue
            cluster = out[f"{prefix}_cluster"][i, r]
            x_min, y_min, x_max, y_max = (_round(v) for v in out[f"{prefix}_box"][i, r])
            area = {
                "role": as_text(out[f"{prefix}_role"][i, r]),
                "box": {"x_min": x_min, "y_min": y_min, "x_max": x_max, "y_max": y_max},
                "fraction": _round(fraction),
                "hex": _hex(out["palette_rgb"][i, cluster]),
                "name": as_text(out["palette_name"][i, cluster]),
                "family": as_text(out["palette_family"][i, cluster]),
                "saliency": _round(out[f"{prefix}_saliency"][i, r]),
                "objects": [],
            }
            if prefix == "subject":
                area["objects"] = _objects(out["subject_object_labels"][i, r], out["subject_object_scores"][i, r])
            areas.append(area)
    return areas


def _quality(out: Mapping[str, np.ndarray], prefix: str, i: int, present: bool = True) -> dict[str, float | None]:
    """The measures of the whole image, its foreground or its background (None where that is empty)."""
    return {name: _round(out[f"{prefix}_{name}"][i]) if present else None for name in MEASURES}


def elements_from_outputs(out: Mapping[str, np.ndarray]) -> list[dict[str, Any]]:
    """Turns the detector's batched output tensors into one element record per image."""
    records = []
    for i in range(len(out["version"])):
        fraction, in_foreground = out["palette_fraction"][i], out["palette_foreground"][i]
        foreground_fraction = float(in_foreground.sum())
        records.append(
            {
                "palette": _palette(out, i),
                "measures": {
                    **_quality(out, "measure", i),
                    "negative_space": _round(out["composition_negative_space"][i]),
                },
                "composition": {name: _round(out[f"composition_{name}"][i]) for name in COMPOSITION},
                "foreground": {
                    "fraction": _round(foreground_fraction),
                    "palette": _region_palette(out, i, in_foreground),
                    **_quality(out, "foreground", i, present=foreground_fraction > 0),
                },
                "background": {
                    "fraction": _round(1.0 - foreground_fraction),
                    "palette": _region_palette(out, i, fraction - in_foreground),
                    **_quality(out, "background", i, present=foreground_fraction < 1),
                },
                "areas": _areas(out, i),
                "objects": _objects(out["object_labels"][i], out["object_scores"][i]),
                "model_version": as_text(out["version"][i]),
            }
        )
    return records
