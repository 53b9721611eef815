"""Global image measures on tensors: light, contrast, colour, texture and composition.

Per-pixel maps are computed at the model's input resolution and average-pooled to the
analysis grid, so one set of maps serves the whole image, the foreground and the
background. Ranges are documented in docs/elements.md.
"""

import math

import tensorflow as tf

from models.colour import hue_warmth, rgb_to_hsv

HUE_BINS = 12
EDGE_THRESHOLD = 0.1  # Sobel magnitude of lightness (0..1) above which a pixel is an edge
FLAT_THRESHOLD = 0.02  # local lightness deviation below which a cell counts as empty space


def pixel_maps(images: tf.Tensor, grid: int) -> dict[str, tf.Tensor]:
    """Per-cell maps [B, grid, grid] of the quantities the measures average.

    Args:
        images: [B, H, W, 3] float32 RGB 0..255, H and W static multiples of `grid`.
        grid: side of the analysis grid.
    """
    hue, sat, _ = tf.unstack(rgb_to_hsv(images), axis=-1)
    r, g, b = tf.unstack(images, axis=-1)
    lightness = (0.299 * r + 0.587 * g + 0.114 * b) / 255.0  # Rec. 601 luma, cheap and standard
    luma = lightness[..., None]
    sobel = tf.image.sobel_edges(luma)[..., 0, :] / 4.0  # normalise so a full black/white step gives 1
    gradient = tf.norm(sobel, axis=-1)
    laplacian = tf.nn.conv2d(
        luma, tf.constant([[0, 1, 0], [1, -4, 1], [0, 1, 0]], tf.float32)[:, :, None, None], 1, "SAME"
    )[..., 0]
    local_mean = tf.nn.avg_pool2d(luma, 5, 1, "SAME")
    local_std = tf.sqrt(tf.maximum(tf.nn.avg_pool2d(tf.square(luma - local_mean), 5, 1, "SAME"), 0.0))[..., 0]
    maps = {
        "lightness": lightness,
        "lightness_sq": tf.square(lightness),
        "saturation": sat,
        "warmth": sat * hue_warmth(hue),
        "edge": tf.cast(gradient > EDGE_THRESHOLD, tf.float32),
        "laplacian": tf.abs(laplacian),
        "local_std": local_std,
        "rg": r - g,
        "yb": 0.5 * (r + g) - b,
        "rg_sq": tf.square(r - g),
        "yb_sq": tf.square(0.5 * (r + g) - b),
    }
    hue_bin = tf.minimum(tf.cast(hue / (360.0 / HUE_BINS), tf.int32), HUE_BINS - 1)
    hue_weight = tf.one_hot(hue_bin, HUE_BINS) * sat[..., None]
    size = images.shape[1] // grid  # static: the pooling window must be known when tracing
    stacked = tf.concat([tf.stack(list(maps.values()), axis=-1), hue_weight], axis=-1)
    stacked = tf.nn.avg_pool2d(stacked, size, size, "VALID")
    pooled = {name: stacked[..., i] for i, name in enumerate(maps)}
    pooled["hue_weight"] = stacked[..., len(maps) :]
    pooled["flat"] = tf.cast(pooled["local_std"] < FLAT_THRESHOLD, tf.float32)
    return pooled


def _masked_mean(values: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
    """Mean over the grid of `values` [B, G, G, ...] weighted by `mask` [B, G, G]."""
    while len(mask.shape) < len(values.shape):
        mask = mask[..., None]
    total = tf.reduce_sum(mask, axis=[1, 2])
    return tf.reduce_sum(values * mask, axis=[1, 2]) / tf.maximum(total, 1e-6)


def region_measures(maps: dict[str, tf.Tensor], mask: tf.Tensor) -> dict[str, tf.Tensor]:
    """Measures over the cells selected by `mask` [B, G, G] (all ones for the whole image)."""
    mean = {name: _masked_mean(maps[name], mask) for name in maps}
    contrast = tf.sqrt(tf.maximum(mean["lightness_sq"] - tf.square(mean["lightness"]), 0.0)) * 2.0
    # Hasler and Suesstrunk (2003): sigma_rgyb + 0.3 mu_rgyb on 0..255 RGB.
    sigma = tf.sqrt(
        tf.maximum(mean["rg_sq"] - tf.square(mean["rg"]), 0.0) + tf.maximum(mean["yb_sq"] - tf.square(mean["yb"]), 0.0)
    )
    colourfulness = sigma + 0.3 * tf.sqrt(tf.square(mean["rg"]) + tf.square(mean["yb"]))
    hue_mass = mean["hue_weight"]
    hue_p = hue_mass / tf.maximum(tf.reduce_sum(hue_mass, axis=-1, keepdims=True), 1e-6)
    hue_entropy = -tf.reduce_sum(hue_p * tf.math.log(tf.maximum(hue_p, 1e-9)), axis=-1) / math.log(HUE_BINS)
    chromatic = tf.reduce_sum(hue_mass, axis=-1) > 0.02  # a grey image has no hue to be diverse in
    laplacian = mean["laplacian"]
    return {
        "brightness": mean["lightness"],
        "contrast": tf.minimum(contrast, 1.0),
        "saturation": mean["saturation"],
        "colourfulness": colourfulness,
        "warmth": mean["warmth"],
        "hue_diversity": tf.where(chromatic, hue_entropy, 0.0),
        "sharpness": laplacian / (laplacian + 0.05),
        "edge_density": mean["edge"],
        "texture": tf.minimum(mean["local_std"] * 4.0, 1.0),
    }


def composition(saliency: tf.Tensor, foreground: tf.Tensor, maps: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
    """Where the weight of the image lies: subject centre, thirds, symmetry, balance, negative space.

    Args:
        saliency: [B, G, G] saliency in 0..1.
        foreground: [B, G, G] 1 for foreground cells.
        maps: the pixel maps of `pixel_maps`.
    """
    grid = tf.shape(saliency)[1]
    coords = (tf.cast(tf.range(grid), tf.float32) + 0.5) / tf.cast(grid, tf.float32)
    weight = saliency * foreground + 1e-6
    total = tf.reduce_sum(weight, axis=[1, 2])
    centre_x = tf.reduce_sum(weight * coords[None, None, :], axis=[1, 2]) / total
    centre_y = tf.reduce_sum(weight * coords[None, :, None], axis=[1, 2]) / total
    thirds = tf.constant([1.0 / 3.0, 2.0 / 3.0])
    nearest_x = tf.reduce_min(tf.square(centre_x[:, None] - thirds), -1)
    nearest_y = tf.reduce_min(tf.square(centre_y[:, None] - thirds), -1)
    to_thirds = tf.sqrt(nearest_x + nearest_y)
    lightness = maps["lightness"]
    mirror_difference = tf.reduce_mean(tf.abs(lightness - tf.reverse(lightness, axis=[2])), axis=[1, 2])
    # Visual mass: salient and textured cells weigh more; balance is how centred that mass is.
    mass = saliency + maps["local_std"] * 4.0 + 1e-6
    mass_x = tf.reduce_sum(mass * coords[None, None, :], axis=[1, 2]) / tf.reduce_sum(mass, axis=[1, 2])
    empty = maps["flat"] * (1.0 - foreground)
    return {
        "subject_x": centre_x,
        "subject_y": centre_y,
        "subject_fraction": tf.reduce_mean(foreground, axis=[1, 2]),
        "thirds": 1.0 - tf.minimum(to_thirds / (1.0 / 3.0), 1.0),
        "symmetry": 1.0 - tf.minimum(mirror_difference * 4.0, 1.0),
        "balance": 1.0 - tf.minimum(tf.abs(mass_x - 0.5) * 2.0, 1.0),
        "negative_space": tf.reduce_mean(empty, axis=[1, 2]),
    }
