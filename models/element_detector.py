"""The element detector: one TensorFlow graph from decoded images to characteristic style elements.

It wraps the exported backbone SavedModel and adds the palette, measures, areas and
objects, so a single ``serve`` call per batch resolves everything. Export it with::

    python -m models.element_detector --backbone models/artifacts/efficientnet_lite0 \\
        --out models/artifacts/element_detector
"""

import argparse
from pathlib import Path

import tensorflow as tf

from models import measures, regions
from models.colour import CSS_NAMES, FAMILIES, colour_family, nearest_css_name
from models.palette import kmeans_palette

INPUT_SIZE = 224  # decoded images arrive at this size; the backbone was trained at it
ANALYSIS_SIZE = 112  # pixel maps for the measures are computed at half resolution
GRID = 28  # analysis grid for palette sampling, saliency and areas (224 / 8)
CLUSTERS = 8
COLOUR_REGIONS = 6
SUBJECT_REGIONS = 2
CROP_SIZE = 160  # subject crops are classified at a smaller size: half the cost, same detail
TOP_K = 5
MIN_AREA_FRACTION = 0.02  # smaller regions are noise, not areas
LARGE_SUBJECT = 0.6  # a subject box over 60% of the image is classified as the whole image


class ElementDetector(tf.Module):
    """Resolves palette, measures, composition, areas and objects for a batch of images."""

    def __init__(self, backbone: tf.Module, labels: list[str], version: str) -> None:
        """Builds the detector around a loaded backbone.

        Args:
            backbone: a module whose ``serve(images)`` takes float32 RGB 0..255 and returns
                ``features``, ``embedding`` and ``logits``.
            labels: the backbone's class names, one per logit.
            version: the version string stamped on every output.
        """
        super().__init__(name="element_detector")
        self.backbone = backbone
        self._labels = tf.constant(labels)
        self._css_names = tf.constant(CSS_NAMES)
        self._families = tf.constant(FAMILIES)
        self._roles = tf.constant(regions.ROLES)
        self.version = tf.Variable(version, trainable=False, name="version")

    def _top_objects(self, logits: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        top = tf.math.top_k(tf.nn.softmax(logits), k=TOP_K)
        return tf.gather(self._labels, top.indices), top.values

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8, name="images")])
    def serve(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        """Resolves the elements of a batch of RGB images (any size; resized to 224x224)."""
        pixels = tf.cast(images, tf.float32)
        pixels = tf.cond(
            (tf.shape(pixels)[1] == INPUT_SIZE) & (tf.shape(pixels)[2] == INPUT_SIZE),
            lambda: pixels,
            lambda: tf.image.resize(pixels, [INPUT_SIZE, INPUT_SIZE], antialias=True),
        )
        pixels = tf.ensure_shape(pixels, [None, INPUT_SIZE, INPUT_SIZE, 3])
        batch = tf.shape(pixels)[0]
        whole = self.backbone.serve(pixels)

        # Palette from one pixel per grid cell (exact colours, no blending across edges).
        step = INPUT_SIZE // GRID
        samples = pixels[:, step // 2 :: step, step // 2 :: step, :]
        palette = kmeans_palette(tf.reshape(samples, [batch, GRID * GRID, 3]), clusters=CLUSTERS)
        assignment = tf.reshape(palette.assignment, [batch, GRID, GRID])

        maps = measures.pixel_maps(tf.image.resize(pixels, [ANALYSIS_SIZE, ANALYSIS_SIZE], method="area"), GRID)

        # Saliency: colours rare on the border, and where the backbone responds to detail.
        colour_saliency = regions.border_colour_saliency(assignment, CLUSTERS)
        feature_saliency = regions.feature_saliency(whole["features"], GRID) * regions.detail_gate(maps["local_std"])
        saliency = 0.5 * colour_saliency + 0.5 * feature_saliency
        foreground = regions.foreground_mask(saliency)
        whole_measures = measures.region_measures(maps, tf.ones_like(foreground))
        foreground_measures = measures.region_measures(maps, foreground)
        background_measures = measures.region_measures(maps, 1.0 - foreground)
        layout = measures.composition(saliency, foreground, maps)

        in_foreground = tf.reduce_sum(tf.one_hot(assignment, CLUSTERS) * foreground[..., None], axis=[1, 2])
        palette_foreground = in_foreground / float(GRID * GRID)

        subjects = regions.largest_regions(
            regions.connected_components(tf.cast(foreground, tf.int32)),
            foreground > 0,
            assignment,
            saliency,
            CLUSTERS,
            SUBJECT_REGIONS,
        )
        colour_areas = regions.largest_regions(
            regions.connected_components(assignment), foreground == 0, assignment, saliency, CLUSTERS, COLOUR_REGIONS
        )
        object_labels, object_scores = self._top_objects(whole["logits"])
        crop_labels, crop_scores = self._subject_objects(pixels, subjects, object_labels, object_scores)

        outputs = {
            "version": tf.fill([batch], self.version),
            "embedding": whole["embedding"],
            "object_labels": object_labels,
            "object_scores": object_scores,
            "palette_rgb": palette.rgb,
            "palette_fraction": palette.fraction,
            "palette_foreground": palette_foreground,
            "palette_name": tf.gather(self._css_names, nearest_css_name(palette.rgb)),
            "palette_family": tf.gather(self._families, colour_family(palette.rgb)),
            "subject_object_labels": crop_labels,
            "subject_object_scores": crop_scores,
        }
        for name, areas, is_subject in (("subject", subjects, True), ("colour_area", colour_areas, False)):
            outputs[f"{name}_box"] = areas.box
            outputs[f"{name}_fraction"] = areas.fraction
            outputs[f"{name}_cluster"] = areas.cluster
            outputs[f"{name}_saliency"] = areas.saliency
            outputs[f"{name}_role"] = tf.gather(self._roles, regions.region_roles(areas, is_subject))
        for prefix, values in (
            ("measure_", whole_measures),
            ("foreground_", foreground_measures),
            ("background_", background_measures),
            ("composition_", layout),
        ):
            outputs.update({prefix + name: value for name, value in values.items()})
        return outputs

    def _subject_objects(
        self, pixels: tf.Tensor, subjects: regions.Regions, whole_labels: tf.Tensor, whole_scores: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        """Top ImageNet classes of a square crop around each subject: [B, S, TOP_K].

        Only subjects that are real areas and smaller than LARGE_SUBJECT are cropped and run
        through the backbone; a larger one is nearly the whole image and keeps its objects.
        """
        x_min, y_min, x_max, y_max = tf.unstack(subjects.box, axis=-1)
        centre_x, centre_y = (x_min + x_max) / 2, (y_min + y_max) / 2
        half = tf.maximum(tf.maximum(x_max - x_min, y_max - y_min) * 0.6, 0.1)  # square, 20% margin
        crop_boxes = tf.clip_by_value(
            tf.stack([centre_y - half, centre_x - half, centre_y + half, centre_x + half], axis=-1), 0.0, 1.0
        )
        batch = tf.shape(pixels)[0]
        box_area = (x_max - x_min) * (y_max - y_min)
        cropped = tf.where(tf.reshape((subjects.fraction >= MIN_AREA_FRACTION) & (box_area <= LARGE_SUBJECT), [-1]))

        def classify_crops() -> tuple[tf.Tensor, tf.Tensor]:
            crops = tf.image.crop_and_resize(
                pixels,
                tf.gather_nd(tf.reshape(crop_boxes, [-1, 4]), cropped),
                tf.gather_nd(tf.repeat(tf.range(batch), SUBJECT_REGIONS), cropped),
                [CROP_SIZE, CROP_SIZE],
            )
            return self._top_objects(self.backbone.serve(crops)["logits"])

        def nothing_to_crop() -> tuple[tf.Tensor, tf.Tensor]:  # the convolutions reject an empty batch
            return tf.zeros([0, TOP_K], tf.string), tf.zeros([0, TOP_K])

        crop_labels, crop_scores = tf.cond(tf.size(cropped) > 0, classify_crops, nothing_to_crop)
        labels = tf.reshape(tf.repeat(whole_labels, SUBJECT_REGIONS, axis=0), [-1, TOP_K])
        scores = tf.reshape(tf.repeat(whole_scores, SUBJECT_REGIONS, axis=0), [-1, TOP_K])
        labels = tf.tensor_scatter_nd_update(labels, cropped, crop_labels)
        scores = tf.tensor_scatter_nd_update(scores, cropped, crop_scores)
        return tf.reshape(labels, [batch, SUBJECT_REGIONS, TOP_K]), tf.reshape(scores, [batch, SUBJECT_REGIONS, TOP_K])


def export(backbone_dir: Path, out_dir: Path, version: str) -> None:
    """Builds the detector around the exported backbone and saves it as a SavedModel."""
    backbone = tf.saved_model.load(str(backbone_dir))
    labels = (backbone_dir / "labels.txt").read_text().splitlines()
    detector = ElementDetector(backbone, labels, version)
    tf.saved_model.save(detector, str(out_dir), signatures={"serving_default": detector.serve})


def main() -> None:
    """Command line entry point of the export."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbone", type=Path, required=True, help="backbone SavedModel directory")
    parser.add_argument("--out", type=Path, required=True, help="where to write the detector SavedModel")
    parser.add_argument("--version", default="element-detector-1", help="version stamped on outputs")
    args = parser.parse_args()
    export(args.backbone, args.out, args.version)


if __name__ == "__main__":
    main()
