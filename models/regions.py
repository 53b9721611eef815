"""Automatic division of an image into areas: saliency, foreground, connected regions and their roles.

All functions work on a coarse analysis grid ([B, G, G]) inside the TensorFlow graph.
"""

from typing import NamedTuple

import tensorflow as tf

ROLES = ("subject", "background", "decoration")


def border_colour_saliency(assignment: tf.Tensor, clusters: int) -> tf.Tensor:
    """Saliency from colour: how much rarer each cell's colour cluster is on the image border.

    A colour that fills the border is background-like (the border prior of
    saliency detection); a colour absent from the border stands out.

    Args:
        assignment: [B, G, G] palette cluster index per cell.
        clusters: number of palette clusters.

    Returns:
        [B, G, G] saliency in 0..1.
    """
    grid = assignment.shape[1]
    one_hot = tf.one_hot(assignment, clusters)  # [B, G, G, K]
    border = tf.pad(tf.zeros([grid - 2, grid - 2]), [[1, 1], [1, 1]], constant_values=1.0)
    border_share = tf.reduce_sum(one_hot * border[None, :, :, None], axis=[1, 2]) / tf.reduce_sum(border)
    overall_share = tf.reduce_mean(one_hot, axis=[1, 2])
    background_likeness = tf.minimum(border_share / tf.maximum(overall_share, 1e-6), 1.0)  # [B, K]
    return tf.gather(1.0 - background_likeness, assignment, batch_dims=1)


def feature_saliency(features: tf.Tensor, grid: int) -> tf.Tensor:
    """Saliency from the backbone: mean activation of the last feature map, upsampled, in 0..1.

    Scaled by the maximum only (not min-max), so an evenly busy image stays evenly salient
    instead of having its small differences stretched into a false subject.
    """
    activation = tf.reduce_mean(features, axis=-1, keepdims=True)
    activation = tf.image.resize(activation, [grid, grid], method="bilinear")[..., 0]
    return activation / tf.maximum(tf.reduce_max(activation, axis=[1, 2], keepdims=True), 1e-6)


def detail_gate(local_std: tf.Tensor, full_detail: float = 0.05) -> tf.Tensor:
    """0..1 per cell: how much detail there is to respond to, spread a little to fill smooth interiors.

    Gating the backbone's response with it keeps flat areas (plain backgrounds, empty
    images) from becoming subjects through padding or edge effects of the network.
    """
    gate = tf.minimum(local_std / full_detail, 1.0)[..., None]
    return tf.nn.avg_pool2d(gate, 3, 1, "SAME")[..., 0]


def otsu_threshold(values: tf.Tensor, bins: int = 64) -> tf.Tensor:
    """Otsu's threshold per image for values in 0..1 ([B, ...] -> [B])."""
    batch = tf.shape(values)[0]
    flat = tf.reshape(values, [batch, -1])
    index = tf.minimum(tf.cast(flat * bins, tf.int32), bins - 1)
    histogram = tf.reduce_sum(tf.one_hot(index, bins), axis=1)
    p = histogram / tf.reduce_sum(histogram, axis=-1, keepdims=True)
    centres = (tf.range(bins, dtype=tf.float32) + 0.5) / bins
    weight_below = tf.cumsum(p, axis=-1)
    mean_below = tf.cumsum(p * centres, axis=-1)
    mean_total = mean_below[:, -1:]
    between = tf.square(mean_total * weight_below - mean_below) / tf.maximum(weight_below * (1 - weight_below), 1e-9)
    return (tf.cast(tf.argmax(between, axis=-1), tf.float32) + 1.0) / bins


def foreground_mask(saliency: tf.Tensor, min_spread: float = 0.15) -> tf.Tensor:
    """Cells above the Otsu threshold of the saliency; none when the saliency is flat."""
    threshold = otsu_threshold(saliency)[:, None, None]
    spread = tf.reduce_max(saliency, axis=[1, 2]) - tf.reduce_min(saliency, axis=[1, 2])
    return tf.cast((saliency > threshold) & (spread > min_spread)[:, None, None], tf.float32)


def _shift(x: tf.Tensor, dy: int, dx: int, fill: int) -> tf.Tensor:
    """Shifts a [B, G, G] map by (dy, dx) cells, filling the gap with `fill`."""
    padded = tf.pad(x, [[0, 0], [max(dy, 0), max(-dy, 0)], [max(dx, 0), max(-dx, 0)]], constant_values=fill)
    height, width = x.shape[1], x.shape[2]
    return padded[:, max(-dy, 0) : max(-dy, 0) + height, max(-dx, 0) : max(-dx, 0) + width]


def connected_components(classes: tf.Tensor) -> tf.Tensor:
    """Labels 4-connected regions of equal class: [B, G, G] int32 -> region ids in 0..G*G-1.

    Each region takes the largest cell index in it, by max-propagation between equal
    neighbours plus pointer jumping, iterated until nothing changes.
    """
    batch, grid = tf.shape(classes)[0], classes.shape[1]
    cells = grid * classes.shape[2]
    start = tf.tile(tf.reshape(tf.range(cells), [1, grid, -1]), [batch, 1, 1])
    neighbours = [(_shift(classes, dy, dx, -1) == classes, dy, dx) for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1))]

    def step(labels: tf.Tensor) -> tf.Tensor:
        for same, dy, dx in neighbours:
            labels = tf.where(same, tf.maximum(labels, _shift(labels, dy, dx, -1)), labels)
        flat = tf.reshape(labels, [batch, cells])
        return tf.reshape(tf.gather(flat, flat, batch_dims=1), tf.shape(labels))  # pointer jumping

    def not_done(previous: tf.Tensor, current: tf.Tensor) -> tf.Tensor:
        return tf.reduce_any(previous != current)

    _, labels = tf.while_loop(not_done, lambda _, current: (current, step(current)), (start - 1, start))
    return labels


class Regions(NamedTuple):
    """The largest connected regions of each image, largest first; empty slots have fraction 0."""

    box: tf.Tensor  # [B, R, 4] normalised (x_min, y_min, x_max, y_max)
    fraction: tf.Tensor  # [B, R] share of the image
    cluster: tf.Tensor  # [B, R] dominant palette cluster
    saliency: tf.Tensor  # [B, R] mean saliency
    border: tf.Tensor  # [B, R] share of the image border the region touches


def largest_regions(
    labels: tf.Tensor, keep: tf.Tensor, assignment: tf.Tensor, saliency: tf.Tensor, clusters: int, count: int
) -> Regions:
    """Statistics of the `count` largest regions of `labels` among the cells where `keep` is true."""
    batch, grid = tf.shape(labels)[0], labels.shape[1]
    cells = grid * grid
    segment = tf.reshape(labels + tf.range(batch)[:, None, None] * cells, [-1])
    segments = batch * cells + 1
    segment = tf.where(tf.reshape(keep, [-1]), segment, segments - 1)  # dropped cells go to a spare segment
    ys, xs = tf.meshgrid(tf.range(grid), tf.range(grid), indexing="ij")
    xs = tf.reshape(tf.tile(xs[None], [batch, 1, 1]), [-1])
    ys = tf.reshape(tf.tile(ys[None], [batch, 1, 1]), [-1])
    border_cell = tf.cast((xs == 0) | (ys == 0) | (xs == grid - 1) | (ys == grid - 1), tf.float32)

    def per_region(op, values):
        return tf.reshape(op(values, segment, segments)[:-1], [batch, cells, *values.shape[1:].as_list()])

    size = per_region(tf.math.unsorted_segment_sum, tf.ones_like(border_cell))
    x_min = per_region(tf.math.unsorted_segment_min, xs)
    x_max = per_region(tf.math.unsorted_segment_max, xs)
    y_min = per_region(tf.math.unsorted_segment_min, ys)
    y_max = per_region(tf.math.unsorted_segment_max, ys)
    colour_count = per_region(tf.math.unsorted_segment_sum, tf.one_hot(tf.reshape(assignment, [-1]), clusters))
    saliency_sum = per_region(tf.math.unsorted_segment_sum, tf.reshape(saliency, [-1]))
    border_sum = per_region(tf.math.unsorted_segment_sum, border_cell)

    top = tf.math.top_k(size, k=count, sorted=True).indices

    def pick(values: tf.Tensor) -> tf.Tensor:
        return tf.gather(values, top, batch_dims=1)

    size_top = pick(size)
    box = tf.cast(tf.stack([pick(x_min), pick(y_min), pick(x_max) + 1, pick(y_max) + 1], axis=-1), tf.float32)
    return Regions(
        box=box / float(grid) * tf.cast(size_top > 0, tf.float32)[..., None],
        fraction=size_top / float(cells),
        cluster=tf.argmax(pick(colour_count), axis=-1, output_type=tf.int32),
        saliency=pick(saliency_sum) / tf.maximum(size_top, 1.0),
        border=pick(border_sum) / float(4 * grid - 4),
    )


def region_roles(regions: Regions, is_subject: bool) -> tf.Tensor:
    """Role index into ROLES: subjects as given; colour regions are background or decoration."""
    if is_subject:
        return tf.zeros_like(regions.cluster)
    # Outside the subject, a region that stands out and does not run along the border decorates.
    decoration = (regions.saliency >= 0.35) & (regions.border < 0.25)
    return tf.where(decoration, ROLES.index("decoration"), ROLES.index("background"))
