"""The names of an element record's measures and composition fields: plain data, no TensorFlow.

The record schema and the commands that only read output tables need these names, not a model.
"""

MEASURES = (
    "brightness",
    "contrast",
    "saturation",
    "colourfulness",
    "warmth",
    "hue_diversity",
    "sharpness",
    "edge_density",
    "texture",
)
COMPOSITION = ("subject_x", "subject_y", "subject_fraction", "thirds", "symmetry", "balance")
