"""The style classifier: element detector + style head + tags + explanation in one SavedModel.

``serve`` returns everything the element detector returns, plus ``style_scores`` (every
style, summing to 1), ``style_labels``, ``tag_mask`` (styles over their per-style threshold),
``explanation`` (the elements that drove the top style, as short phrases) and ``style_embedding``
(a compact unit vector for finding images of a similar style).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from models.features import FEATURES, style_features

EXPLANATION_LENGTH = 3
EMBEDDING_DIMS = 32


@dataclass
class HeadWeights:
    """The trained style heads: standardisation, then M members of one hidden layer and an output layer."""

    mean: np.ndarray  # [D] of the input vector (style features, then embedding)
    std: np.ndarray  # [D]
    hidden_kernel: np.ndarray  # [M, D, H]
    hidden_bias: np.ndarray  # [M, H]
    output_kernel: np.ndarray  # [M, H, C]
    output_bias: np.ndarray  # [M, C]


class StyleClassifier(tf.Module):
    """Scores every style of a batch of images from their elements and embedding."""

    def __init__(
        self,
        detector: tf.Module,
        head: HeadWeights,
        labels: list[str],
        thresholds: np.ndarray,
        version: str,
        embedder: tf.Module | None = None,
        embedder_size: int = 224,
    ) -> None:
        """Builds the classifier.

        Args:
            detector: the loaded element detector SavedModel.
            head: trained head weights.
            labels: style ids, one per output.
            thresholds: per-style probability above which a style is a tag.
            version: version stamped on every output.
            embedder: an optional image embedder (for example a ``hub.KerasLayer``) taking
                float RGB in 0..1 at `embedder_size`; without it the detector's embedding is used.
            embedder_size: the embedder's input side.
        """
        super().__init__(name="style_classifier")
        self.detector = detector
        self.embedder = embedder
        self.embedder_size = embedder_size
        self.mean = tf.Variable(head.mean.astype(np.float32), trainable=False)
        self.std = tf.Variable(head.std.astype(np.float32), trainable=False)
        self.hidden_kernel = tf.Variable(head.hidden_kernel.astype(np.float32), trainable=False)
        self.hidden_bias = tf.Variable(head.hidden_bias.astype(np.float32), trainable=False)
        self.output_kernel = tf.Variable(head.output_kernel.astype(np.float32), trainable=False)
        self.output_bias = tf.Variable(head.output_bias.astype(np.float32), trainable=False)
        self.labels = tf.Variable(labels, trainable=False)
        self.thresholds = tf.Variable(np.asarray(thresholds, np.float32), trainable=False)
        self.version = tf.Variable(version, trainable=False)
        hidden = head.hidden_kernel.shape[-1]
        self.embedding_centre = tf.Variable(tf.zeros([hidden]), trainable=False)
        self.embedding_axes = tf.Variable(tf.eye(hidden, min(hidden, EMBEDDING_DIMS)), trainable=False)
        self._feature_names = tf.constant([f.name for f in FEATURES])
        self._feature_low = tf.constant([f.low for f in FEATURES])
        self._feature_high = tf.constant([f.high for f in FEATURES])
        self._feature_percent = tf.constant([f.percent for f in FEATURES])

    def _embedding(self, images: tf.Tensor, elements: dict[str, tf.Tensor]) -> tf.Tensor:
        if self.embedder is None:
            return elements["embedding"]
        size = [self.embedder_size, self.embedder_size]
        return self.embedder(tf.image.resize(tf.cast(images, tf.float32), size, antialias=True) / 255.0)

    def _hidden(self, standardised: tf.Tensor) -> tf.Tensor:
        """Every member's hidden layer: [B, M, H]."""
        return tf.nn.relu(tf.einsum("bd,mdh->bmh", standardised, self.hidden_kernel) + self.hidden_bias)

    def _logits(self, hidden: tf.Tensor) -> tf.Tensor:
        """The members' mean logits: [B, C]."""
        return tf.reduce_mean(tf.einsum("bmh,mhc->bmc", hidden, self.output_kernel) + self.output_bias, axis=1)

    def _style_embedding(self, hidden: tf.Tensor) -> tf.Tensor:
        """The members' mean hidden layer on its principal axes, as unit vectors: [B, min(H, EMBEDDING_DIMS)]."""
        projected = tf.matmul(tf.reduce_mean(hidden, axis=1) - self.embedding_centre, self.embedding_axes)
        return tf.math.l2_normalize(projected, axis=-1)

    def fit_style_embedding(self, standardised: np.ndarray) -> None:
        """Sets the embedding's axes to the principal axes of the hidden layer over `standardised` training inputs.

        The hidden layer is what the style head learned to separate styles with, so nearness
        there is nearness in style; its top principal axes keep that in a few numbers.
        """
        hidden = tf.reduce_mean(self._hidden(tf.constant(standardised, tf.float32)), axis=1).numpy()
        centre = hidden.mean(axis=0)
        _, _, axes = np.linalg.svd(hidden - centre, full_matrices=False)
        kept = np.zeros(self.embedding_axes.shape, np.float32)  # fewer images than axes leave the rest zero
        kept[:, : min(len(axes), kept.shape[1])] = axes[: kept.shape[1]].T
        self.embedding_centre.assign(centre)
        self.embedding_axes.assign(kept)

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8, name="images")])
    def serve(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        """Elements, style scores, tags and explanation for a batch of RGB images."""
        elements = self.detector.serve(images)
        features = style_features(elements)
        inputs = tf.concat([features, self._embedding(images, elements)], axis=-1)
        standardised = (inputs - self.mean) / self.std
        with tf.GradientTape() as tape:
            tape.watch(standardised)
            hidden = self._hidden(standardised)
            logits = self._logits(hidden)
            top = tf.argmax(logits, axis=-1, output_type=tf.int32)
            top_logit = tf.gather(logits, top, batch_dims=1)
        # Gradient x input, relative to the training mean: what pushed the top style up.
        contribution = tape.gradient(top_logit, standardised) * standardised
        scores = tf.nn.softmax(logits)
        batch = tf.shape(images)[0]
        return {
            **elements,
            "version": tf.fill([batch], self.version),
            "style_labels": tf.tile(self.labels[None, :], [batch, 1]),
            "style_scores": scores,
            "tag_mask": scores >= self.thresholds,
            "explanation": self._explain(contribution, features, standardised, elements),
            "style_embedding": self._style_embedding(hidden),
        }

    def _explain(
        self, contribution: tf.Tensor, features: tf.Tensor, standardised: tf.Tensor, elements: dict[str, tf.Tensor]
    ) -> tf.Tensor:
        """Phrases for the strongest positive contributions: [B, EXPLANATION_LENGTH] strings.

        The embedding's contribution is summed and, when it beats the last element phrase,
        stands as "object: <top ImageNet label>" in front.
        """
        n_features = len(FEATURES)
        element_part = contribution[:, :n_features]
        top = tf.math.top_k(element_part, k=EXPLANATION_LENGTH)
        value = tf.gather(features, top.indices, batch_dims=1)
        above_mean = tf.gather(standardised[:, :n_features], top.indices, batch_dims=1) > 0
        word = tf.where(
            above_mean, tf.gather(self._feature_high, top.indices), tf.gather(self._feature_low, top.indices)
        )
        percent = tf.strings.join([tf.strings.as_string(tf.round(value * 100.0), precision=0), "%"])
        detail = tf.strings.join(
            [" (", tf.gather(self._feature_names, top.indices), " ", tf.strings.as_string(value, precision=2), ")"]
        )
        phrase = tf.where(
            tf.gather(self._feature_percent, top.indices),
            tf.strings.join([word, " ", percent]),
            tf.strings.join([word, detail]),
        )
        embedding_part = tf.reduce_sum(contribution[:, n_features:], axis=-1)
        object_phrase = tf.strings.join(["object: ", elements["object_labels"][:, 0]])
        with_object = tf.concat([object_phrase[:, None], phrase[:, : EXPLANATION_LENGTH - 1]], axis=-1)
        object_matters = embedding_part > top.values[:, EXPLANATION_LENGTH - 1]
        return tf.where(object_matters[:, None], with_object, phrase)


def export(classifier: StyleClassifier, out_dir: Path) -> None:
    """Saves the classifier as a SavedModel with a ``serving_default`` signature."""
    tf.saved_model.save(classifier, str(out_dir), signatures={"serving_default": classifier.serve})
