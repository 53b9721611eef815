"""The training machine: cache element features, train the style head with Keras, export, evaluate.

The backbone is frozen: each image is resolved once by the element detector (and the optional
TF-Hub backbone) and its features are cached, so training itself takes seconds.
"""

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from models.dataset import Sample, read_manifest
from models.element_detector import INPUT_SIZE
from models.features import FEATURE_NAMES
from models.paths import ELEMENT_DETECTOR_DIR
from models.style_classifier import HeadWeights, StyleClassifier, export
from models.taxonomy import style_ids
from transforms.read import read_image

log = logging.getLogger(__name__)

PRIMARY_WEIGHT = 0.85  # target mass on the primary style when a secondary one is labelled
SYNTHETIC_WEIGHT = 0.3  # generated designs add variety; real images are the truth, so they weigh more
COLOUR_FEATURES = [
    i
    for i, name in enumerate(FEATURE_NAMES)
    if name in ("brightness", "contrast", "saturation", "colourfulness", "warmth", "hue_diversity")
    or name.endswith(" palette")
    or name.startswith("palette ")
    or name in ("strongest colour chroma", "colour count", "dominant colour share")
]


@dataclass
class FeatureSet:
    """Cached inputs of the style head for a list of samples (rows align with `samples`)."""

    samples: list[Sample]
    features: np.ndarray  # [N, len(FEATURES)]
    embeddings: np.ndarray  # [N, E]


class Embedder:
    """An image embedding from a TF-Hub handle or a local SavedModel path, through hub.KerasLayer."""

    def __init__(self, handle: str, size: int = 224) -> None:
        """Loads the backbone; it takes float RGB in 0..1 at `size` x `size` (the TF-Hub convention)."""
        import tensorflow_hub as hub

        self.handle, self.size = handle, size
        self.layer = hub.KerasLayer(handle, trainable=False)

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        """Embeddings of a uint8 batch."""
        images = tf.image.resize(tf.cast(pixels, tf.float32), [self.size, self.size], antialias=True) / 255.0
        return self.layer(images).numpy()


def extract_features(
    samples: Sequence[Sample],
    cache_file: Path,
    embedder: Embedder | None = None,
    batch_size: int = 32,
    progress: Callable[[str], None] = print,
) -> FeatureSet:
    """Resolves every sample once (cached by uri in `cache_file`); unreadable images are dropped."""
    cached: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if cache_file.exists():
        with np.load(cache_file, allow_pickle=False) as data:
            cached = {u: (f, e) for u, f, e in zip(data["uris"], data["features"], data["embeddings"], strict=True)}
    todo = [s.uri for s in samples if s.uri not in cached]
    if todo:
        from models.features import style_features

        detector = tf.saved_model.load(str(ELEMENT_DETECTOR_DIR))
        start = time.time()
        for begin in range(0, len(todo), batch_size):
            batch_uris, pixels = [], []
            for uri in todo[begin : begin + batch_size]:
                try:
                    pixels.append(read_image(uri, INPUT_SIZE).pixels)
                    batch_uris.append(uri)
                except (OSError, ValueError) as error:  # ImageReadError, ImageDecodeError
                    log.warning("skipping %s: %s", uri, error)
            if not pixels:
                continue
            batch = np.stack(pixels)
            outputs = detector.serve(tf.constant(batch))
            features = style_features(outputs).numpy()
            embeddings = embedder(batch) if embedder else outputs["embedding"].numpy()
            for uri, f, e in zip(batch_uris, features, embeddings, strict=True):
                cached[uri] = (f, e)
            done = min(begin + batch_size, len(todo))
            progress(f"  features {done}/{len(todo)} images ({done / (time.time() - start):.1f} images/s)")
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        uris = np.array(list(cached))
        np.savez(
            cache_file,
            uris=uris,
            features=np.stack([cached[u][0] for u in uris]),
            embeddings=np.stack([cached[u][1] for u in uris]),
        )
    kept = [s for s in samples if s.uri in cached]
    return FeatureSet(
        samples=kept,
        features=np.stack([cached[s.uri][0] for s in kept]).astype(np.float32),
        embeddings=np.stack([cached[s.uri][1] for s in kept]).astype(np.float32),
    )


def soft_targets(samples: Sequence[Sample], labels: Sequence[str]) -> np.ndarray:
    """One row per sample: PRIMARY_WEIGHT on the style and the rest on the secondary style, if any."""
    index = {label: i for i, label in enumerate(labels)}
    targets = np.zeros((len(samples), len(labels)), np.float32)
    for row, sample in enumerate(samples):
        if sample.secondary_style in index and sample.secondary_style != sample.style:
            targets[row, index[sample.style]] = PRIMARY_WEIGHT
            targets[row, index[sample.secondary_style]] = 1.0 - PRIMARY_WEIGHT
        else:
            targets[row, index[sample.style]] = 1.0
    return targets


def sample_weights(samples: Sequence[Sample], labels: Sequence[str]) -> np.ndarray:
    """Balances styles (each style weighs the same in total) and halves synthetic samples."""
    origin_weight = np.array([SYNTHETIC_WEIGHT if s.origin == "synthetic" else 1.0 for s in samples])
    styles = np.array([labels.index(s.style) for s in samples])
    per_style = np.bincount(styles, weights=origin_weight, minlength=len(labels))
    weights = origin_weight / np.maximum(per_style[styles], 1e-9)
    return (weights * len(samples) / weights.sum()).astype(np.float32)


@dataclass
class FittedClassifier:
    """An ensemble of standardised softmax classifiers trained with different seeds; logits are averaged."""

    members: list  # keras.Model instances producing logits
    mean: np.ndarray
    std: np.ndarray

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Softmax of the members' mean logits: [N, C]."""
        standardised = (x - self.mean) / self.std
        logits = np.mean([member.predict(standardised, verbose=0) for member in self.members], axis=0)
        return tf.nn.softmax(logits).numpy()

    def head_weights(self) -> HeadWeights:
        """The stacked weights of one-hidden-layer members, for export."""
        import keras

        layers = [
            [layer.get_weights() for layer in m.layers if isinstance(layer, keras.layers.Dense)] for m in self.members
        ]
        hidden_kernel, hidden_bias, output_kernel, output_bias = (
            np.stack([member[layer][part] for member in layers]) for layer in (0, 1) for part in (0, 1)
        )
        return HeadWeights(self.mean, self.std, hidden_kernel, hidden_bias, output_kernel, output_bias)


def fit_classifier(
    x: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray,
    x_validation: np.ndarray,
    targets_validation: np.ndarray,
    hidden: int,
    seeds: Sequence[int],
    epochs: int = 300,
    progress: Callable[[str], None] | None = None,
) -> FittedClassifier:
    """Trains one standardised softmax classifier per seed (one hidden layer when `hidden` > 0) with Keras.

    Early stopping on the validation loss restores each member's best epoch; averaging
    members trained from different seeds steadies a model trained on a few hundred images.
    """
    import keras

    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    members = []
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        inputs = keras.Input((x.shape[1],))
        h = keras.layers.Dropout(0.2, seed=seed)(inputs)
        if hidden:
            h = keras.layers.Dense(hidden, activation="relu", kernel_regularizer=keras.regularizers.l2(1e-3))(h)
            h = keras.layers.Dropout(0.5, seed=seed)(h)
        logits = keras.layers.Dense(targets.shape[1], kernel_regularizer=keras.regularizers.l2(1e-3))(h)
        model = keras.Model(inputs, logits)
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3),
            loss=keras.losses.CategoricalCrossentropy(from_logits=True),
            metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
        )
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=25, restore_best_weights=True)
        history = model.fit(
            (x - mean) / std,
            targets,
            sample_weight=weights,
            validation_data=((x_validation - mean) / std, targets_validation),
            epochs=epochs,
            batch_size=64,
            shuffle=True,
            callbacks=[stop],
            verbose=0,
        )
        if progress:
            best = int(np.argmin(history.history["val_loss"]))
            progress(
                f"  member seed {seed}: best epoch {best + 1}/{len(history.history['val_loss'])}, "
                f"validation loss {history.history['val_loss'][best]:.3f}, "
                f"accuracy {history.history['val_accuracy'][best]:.3f}"
            )
        members.append(model)
    return FittedClassifier(members, mean, std)


def split_rows(data: FeatureSet) -> dict[str, list[int]]:
    """Row indices of `data` per split."""
    return {
        name: [i for i, s in enumerate(data.samples) if s.split == name] for name in ("train", "validation", "test")
    }


def fit_on_training_split(
    data: FeatureSet,
    x: np.ndarray,
    labels: Sequence[str],
    hidden: int,
    seeds: Sequence[int],
    epochs: int = 300,
    progress: Callable[[str], None] | None = None,
) -> FittedClassifier:
    """Fits a classifier of the inputs `x` (rows align with `data`) on the training split, validated on validation."""
    rows = split_rows(data)
    train_samples = [data.samples[i] for i in rows["train"]]
    validation_samples = [data.samples[i] for i in rows["validation"]]
    return fit_classifier(
        x[rows["train"]],
        soft_targets(train_samples, labels),
        sample_weights(train_samples, labels),
        x[rows["validation"]],
        soft_targets(validation_samples, labels),
        hidden=hidden,
        seeds=seeds,
        epochs=epochs,
        progress=progress,
    )


def choose_thresholds(probabilities: np.ndarray, samples: Sequence[Sample], labels: Sequence[str]) -> np.ndarray:
    """Per style, the probability threshold that maximises F1 of "primary or secondary style" on validation."""
    thresholds = np.full(len(labels), 0.5, np.float32)
    grid = np.arange(0.05, 0.95, 0.025)
    for c, label in enumerate(labels):
        truth = np.array([label in (s.style, s.secondary_style) for s in samples])
        if not truth.any():
            continue
        f1 = []
        for t in grid:
            predicted = probabilities[:, c] >= t
            tp = np.sum(predicted & truth)
            f1.append(2 * tp / max(predicted.sum() + truth.sum(), 1))
        best = np.flatnonzero(np.isclose(f1, max(f1)))
        thresholds[c] = grid[best[len(best) // 2]]  # the middle of the best range keeps a margin both ways
    return thresholds


def train(
    manifest: Path,
    out_dir: Path,
    backbone: str | None = None,
    backbone_size: int = 224,
    seed: int = 0,
    hidden: int = 256,
    members: int = 5,
    epochs: int = 300,
    version: str | None = None,
    progress: Callable[[str], None] = print,
) -> Path:
    """Trains and exports a style classifier (``image-style train`` then evaluates it).

    Args:
        manifest: the data set manifest (``image-style dataset build``).
        out_dir: receives ``model/`` (the SavedModel), the feature cache, the model card and metrics.
        backbone: a TF-Hub handle or local SavedModel path for the embedding; the bundled Lite0 if None.
        backbone_size: the hub backbone's input side.
        seed: seeds the split-independent parts: initialisation, dropout, shuffling.
        hidden: width of the head's hidden layer.
        members: heads trained from seeds seed, seed + 1, ...; their logits are averaged.
        epochs: the most epochs (early stopping usually ends sooner).
        version: version string of the exported model; derived from the date if None.
        progress: where progress lines go.

    Returns:
        The exported SavedModel directory.
    """
    tf.config.experimental.enable_op_determinism()
    started = time.time()
    samples = read_manifest(manifest)
    labels = style_ids(s.style for s in samples)
    embedder = Embedder(backbone, backbone_size) if backbone else None
    cache = feature_cache(out_dir, backbone)
    progress(f"Resolving elements of {len(samples)} images (cache: {cache})")
    data = extract_features(samples, cache, embedder, progress=progress)
    x = np.concatenate([data.features, data.embeddings], axis=1)
    rows = split_rows(data)
    validation_samples = [data.samples[i] for i in rows["validation"]]
    progress(f"Training {members} style heads on {len(rows['train'])} images, validating on {len(rows['validation'])}")
    seeds = [seed + member for member in range(members)]
    fitted = fit_on_training_split(data, x, labels, hidden, seeds, epochs, progress)
    thresholds = choose_thresholds(fitted.predict_proba(x[rows["validation"]]), validation_samples, labels)
    head = fitted.head_weights()
    version = version or time.strftime("style-classifier-%Y%m%d")
    model_dir = out_dir / "model"
    detector = tf.saved_model.load(str(ELEMENT_DETECTOR_DIR))
    classifier = StyleClassifier(
        detector, head, labels, thresholds, version, embedder.layer if embedder else None, backbone_size
    )
    classifier.fit_style_embedding((x[rows["train"]] - head.mean) / head.std)
    export(classifier, model_dir)
    training_seconds = time.time() - started
    (out_dir / "training.json").write_text(
        json.dumps(
            {
                "labels": labels,
                "thresholds": [round(float(t), 3) for t in thresholds],
                "backbone": backbone or "bundled EfficientNet-Lite0",
                "seed": seed,
                "hidden": hidden,
                "members": members,
                "training_seconds": round(training_seconds, 1),
                "version": version,
            },
            indent=2,
        )
    )
    progress(f"Exported {model_dir} in {training_seconds:.0f} s")
    return model_dir


def feature_cache(out_dir: Path, backbone: str | None = None) -> Path:
    """The feature cache for this element detector, feature code and backbone; a change to any gets a new one."""
    import hashlib

    import models.features

    resolved_by = (ELEMENT_DETECTOR_DIR / "fingerprint.pb").read_bytes() + Path(models.features.__file__).read_bytes()
    detector = hashlib.sha1(resolved_by).hexdigest()[:10]
    embedding = "lite0" if backbone is None else hashlib.sha1(backbone.encode()).hexdigest()[:10]
    return out_dir / "cache" / f"features-{detector}-{embedding}.npz"
