"""Images per second of the backbone, the element steps, the element detector and the style classifier.

Run with ``make benchmark`` (or ``python benchmarks/element_throughput.py [--seconds S]``). Every
figure comes from the same process on the same real photos, at batch 1 and 32, so the ratios
(for example the palette step's share of the detector's time) are measured, not estimated.
"""

import argparse
import time
from collections.abc import Callable

import numpy as np
import skimage.data
import tensorflow as tf
from PIL import Image
from sklearn.datasets import load_sample_images

from models import measures, regions
from models.element_detector import ANALYSIS_SIZE, CLUSTERS, GRID, INPUT_SIZE
from models.palette import kmeans_palette
from models.paths import BACKBONE_DIR, ELEMENT_DETECTOR_DIR, STYLE_CLASSIFIER_DIR


def photo_batch(batch: int) -> np.ndarray:
    """A batch of real photos at the detector's input size, repeated to `batch` images."""
    photos = [skimage.data.chelsea(), skimage.data.coffee(), skimage.data.astronaut(), *load_sample_images().images]
    size_2d = (INPUT_SIZE, INPUT_SIZE)
    resized = [np.asarray(Image.fromarray(p).resize(size_2d, Image.Resampling.BILINEAR)) for p in photos]
    return np.stack([resized[i % len(resized)] for i in range(batch)])


def images_per_second(step: Callable[[], object], batch: int, seconds: float) -> float:
    """Calls `step` (one batch) repeatedly for about `seconds` after two warm-up calls."""
    step()
    step()
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        calls += 1
    return calls * batch / (time.perf_counter() - start)


def main() -> None:
    """Measures and prints the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="timing window per figure")
    args = parser.parse_args()

    backbone = tf.saved_model.load(str(BACKBONE_DIR))
    detector = tf.saved_model.load(str(ELEMENT_DETECTOR_DIR))
    classifier = tf.saved_model.load(str(STYLE_CLASSIFIER_DIR))
    step = INPUT_SIZE // GRID

    @tf.function
    def palette(pixels: tf.Tensor) -> tf.Tensor:
        samples = pixels[:, step // 2 :: step, step // 2 :: step, :]
        return kmeans_palette(tf.reshape(samples, [tf.shape(pixels)[0], GRID * GRID, 3]), clusters=CLUSTERS).fraction

    @tf.function
    def measure_maps(pixels: tf.Tensor) -> dict:
        maps = measures.pixel_maps(tf.image.resize(pixels, [ANALYSIS_SIZE, ANALYSIS_SIZE], method="area"), GRID)
        return measures.region_measures(maps, tf.ones_like(maps["lightness"]))

    @tf.function
    def areas(assignment: tf.Tensor, features: tf.Tensor) -> tf.Tensor:
        saliency = 0.5 * regions.border_colour_saliency(assignment, CLUSTERS) + 0.5 * regions.feature_saliency(
            features, GRID
        )
        return regions.largest_regions(
            regions.connected_components(assignment), saliency > 0.3, assignment, saliency, CLUSTERS, 6
        ).fraction

    rows = []
    for batch in (1, 32):
        pixels = tf.constant(photo_batch(batch).astype(np.float32))
        images = tf.constant(photo_batch(batch))
        features = backbone.serve(pixels)["features"]
        assignment = tf.random.stateless_uniform([batch, GRID, GRID], [0, 1], maxval=CLUSTERS, dtype=tf.int32)
        figures = {
            "backbone (Lite0, 224)": images_per_second(lambda p=pixels: backbone.serve(p), batch, args.seconds),
            "palette step": images_per_second(lambda p=pixels: palette(p), batch, args.seconds),
            "measures step": images_per_second(lambda p=pixels: measure_maps(p), batch, args.seconds),
            "areas step": images_per_second(lambda a=assignment, f=features: areas(a, f), batch, args.seconds),
            "element detector (all)": images_per_second(lambda i=images: detector.serve(i), batch, args.seconds),
            "style classifier (+head)": images_per_second(lambda i=images: classifier.serve(i), batch, args.seconds),
        }
        rows.append((batch, figures))

    print(f"\n{'step':<26}" + "".join(f"{'batch ' + str(b):>14}{'share':>8}" for b, _ in rows))
    for name in rows[0][1]:
        line = f"{name:<26}"
        for _, figures in rows:
            share = figures["element detector (all)"] / figures[name]  # share of the detector's time per image
            line += f"{figures[name]:>10.1f} i/s{share:>8.0%}"
        print(line)
    print(
        "\nshare = that step's time per image / the whole detector's time per image. The detector also runs "
        "the backbone on 160 px crops of subjects smaller than 60% of the image, which the backbone row excludes."
    )


if __name__ == "__main__":
    main()
