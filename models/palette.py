"""Dominant colours by k-means in CIELAB, batched and deterministic, inside the TensorFlow graph.

A numpy k-means ran at about 300 images/s, slower than the backbone; this one runs on
the whole batch at once with a fixed number of Lloyd steps and no random start.
"""

from typing import NamedTuple

import tensorflow as tf

from models.colour import rgb_to_lab


class Palette(NamedTuple):
    """K colour clusters per image; empty clusters have fraction 0."""

    rgb: tf.Tensor  # [B, K, 3] float32 mean colour of each cluster, 0..255
    fraction: tf.Tensor  # [B, K] share of pixels in each cluster, sums to 1
    assignment: tf.Tensor  # [B, N] cluster index of each sampled pixel


def _histogram_seeds(rgb: tf.Tensor, clusters: int, bins_per_channel: int) -> tf.Tensor:
    """Seeds k-means with the mean colours of the most populated cells of a coarse RGB histogram."""
    batch = tf.shape(rgb)[0]
    cells = bins_per_channel**3
    quantised = tf.cast(tf.minimum(rgb * (bins_per_channel / 256.0), bins_per_channel - 1), tf.int32)
    cell = quantised[..., 0] * bins_per_channel**2 + quantised[..., 1] * bins_per_channel + quantised[..., 2]
    segment = cell + tf.range(batch)[:, None] * cells
    count = tf.math.unsorted_segment_sum(tf.ones_like(rgb[..., 0]), segment, batch * cells)
    total = tf.math.unsorted_segment_sum(rgb, segment, batch * cells)
    count = tf.reshape(count, [batch, cells])
    mean = tf.reshape(total, [batch, cells, 3]) / tf.maximum(count, 1.0)[..., None]
    top = tf.math.top_k(count, k=clusters, sorted=True).indices
    return tf.gather(mean, top, batch_dims=1)


def _assign(lab: tf.Tensor, centres: tf.Tensor) -> tf.Tensor:
    """Index of the nearest centre for every pixel: [B, N]."""
    # |x - c|^2 = |x|^2 - 2 x.c + |c|^2, and |x|^2 does not change the argmin: one matmul.
    distance = tf.reduce_sum(tf.square(centres), axis=-1)[:, None, :] - 2.0 * tf.matmul(lab, centres, transpose_b=True)
    return tf.argmin(distance, axis=-1, output_type=tf.int32)


def _cluster_means(values: tf.Tensor, assignment: tf.Tensor, clusters: int) -> tuple[tf.Tensor, tf.Tensor]:
    """Per-cluster pixel counts [B, K] and mean values [B, K, C]."""
    one_hot = tf.one_hot(assignment, clusters)  # [B, N, K]
    count = tf.reduce_sum(one_hot, axis=1)
    total = tf.einsum("bnk,bnc->bkc", one_hot, values)
    return count, total / tf.maximum(count, 1.0)[..., None]


def _blend_targets(rgb: tf.Tensor, fraction: tf.Tensor, max_fraction: float, max_distance: float) -> tf.Tensor:
    """For each cluster, the cluster it merges into if it is an edge blend of two larger ones, else itself.

    Resizing and anti-aliasing mix neighbouring colours along every edge; such a mixture
    lies on the RGB segment between two larger clusters and is not a colour of the design.
    """
    clusters = rgb.shape[1]
    c_k = rgb[:, :, None, None, :]  # candidate blend
    c_i, c_j = rgb[:, None, :, None, :], rgb[:, None, None, :, :]  # endpoints
    direction = c_j - c_i
    t = tf.reduce_sum((c_k - c_i) * direction, -1) / tf.maximum(tf.reduce_sum(tf.square(direction), -1), 1e-6)
    distance = tf.norm(c_i + t[..., None] * direction - c_k, axis=-1)  # [B, K, I, J]
    f_k, f_i, f_j = fraction[:, :, None, None], fraction[:, None, :, None], fraction[:, None, None, :]
    is_blend = (f_k < max_fraction) & (f_i > f_k) & (f_j > f_k) & (t > 0.1) & (t < 0.9) & (distance < max_distance)
    is_blend &= tf.reduce_sum(tf.square(direction), -1) > 0
    score = tf.where(is_blend, -distance, -1e9)
    best = tf.argmax(tf.reshape(score, [-1, clusters, clusters * clusters]), axis=-1, output_type=tf.int32)
    best_t = tf.gather(tf.reshape(t, [-1, clusters, clusters * clusters]), best, batch_dims=2)
    nearer_end = tf.where(best_t < 0.5, best // clusters, best % clusters)
    found = tf.reduce_any(is_blend, axis=[2, 3])
    return tf.where(found, nearer_end, tf.range(clusters)[None, :])


def kmeans_palette(pixels: tf.Tensor, clusters: int = 8, steps: int = 10, bins_per_channel: int = 6) -> Palette:
    """Clusters pixels into at most `clusters` dominant colours.

    Args:
        pixels: [B, N, 3] float32 RGB in 0..255 (a subsample of each image).
        clusters: number of clusters K.
        steps: Lloyd iterations; the histogram seeding makes a few enough.
        bins_per_channel: resolution of the seeding histogram.

    Returns:
        The palette, clusters in descending order of fraction.
    """
    seeds = _histogram_seeds(pixels, clusters, bins_per_channel)
    lab = rgb_to_lab(pixels)
    centres = rgb_to_lab(seeds)
    for _ in range(steps):
        count, mean = _cluster_means(lab, _assign(lab, centres), clusters)
        centres = tf.where(count[..., None] > 0, mean, centres)  # an empty cluster keeps its seed
    assignment = _assign(lab, centres)
    count, mean_rgb = _cluster_means(pixels, assignment, clusters)
    total = tf.reduce_sum(count, axis=-1, keepdims=True)
    assignment = tf.gather(_blend_targets(mean_rgb, count / total, 0.08, 8.0), assignment, batch_dims=1)
    count, mean_rgb = _cluster_means(pixels, assignment, clusters)
    order = tf.argsort(count, axis=-1, direction="DESCENDING", stable=True)
    rank = tf.argsort(order, axis=-1, stable=True)  # old cluster index -> its rank
    fraction = count / total
    return Palette(
        rgb=tf.gather(mean_rgb, order, batch_dims=1),
        fraction=tf.gather(fraction, order, batch_dims=1),
        assignment=tf.gather(rank, assignment, batch_dims=1),
    )
