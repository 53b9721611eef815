"""Where the bundled model artifacts live inside the installed package."""

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
BACKBONE_DIR = ARTIFACTS / "efficientnet_lite0"
ELEMENT_DETECTOR_DIR = ARTIFACTS / "element_detector"
STYLE_CLASSIFIER_DIR = ARTIFACTS / "style_classifier" / "model"
