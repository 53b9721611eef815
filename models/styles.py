"""Python API of the style classifier: elements plus every style's score, tags and explanation."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from models.elements import ElementResolver, as_text, elements_from_outputs
from models.paths import STYLE_CLASSIFIER_DIR


def styles_from_outputs(out: Mapping[str, np.ndarray]) -> list[dict[str, Any]]:
    """One record per image: ``style``, ``styles`` (all, descending), ``tags``, ``explanation``, ``style_embedding``
    and the elements."""
    records = []
    for i, elements in enumerate(elements_from_outputs(out)):
        labels = [as_text(label) for label in out["style_labels"][i]]
        scores = out["style_scores"][i]
        order = np.argsort(-scores, kind="stable")
        records.append(
            {
                "style": labels[order[0]],
                "styles": [{"label": labels[c], "score": round(float(scores[c]), 4)} for c in order],
                "tags": [labels[c] for c in order if out["tag_mask"][i, c]],
                "explanation": [as_text(phrase) for phrase in out["explanation"][i]],
                "style_embedding": [round(float(v), 4) for v in out["style_embedding"][i]],
                **elements,
            }
        )
    return records


class StyleResolver(ElementResolver):
    """The exported style classifier, loaded once; ``resolve`` gives styles and elements per image."""

    def __init__(self, model_dir: str | Path = STYLE_CLASSIFIER_DIR) -> None:
        """Loads the SavedModel with ``tf.saved_model.load``."""
        super().__init__(model_dir)

    def resolve(self, pixels: np.ndarray) -> list[dict[str, Any]]:
        """The style record of each image in a uint8 batch [B, H, W, 3]."""
        return styles_from_outputs(self.run(pixels))
