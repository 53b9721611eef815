"""Evaluation on held-out real images, beside baselines measured in the same run, and the model card.

The exported SavedModel itself is run on the test images, so what is measured is what ships.
Baselines: the majority class, and a colour-statistics-only softmax regression trained on the
same training split.
"""

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf

from models.dataset import Sample, composition, read_manifest
from models.element_detector import INPUT_SIZE
from models.train import COLOUR_FEATURES, extract_features, feature_cache, fit_on_training_split
from transforms.read import read_image


def classification_report(probabilities: np.ndarray, truth: np.ndarray, labels: Sequence[str]) -> dict:
    """Top-1, top-2, macro-F1, per-style precision/recall/F1 and the confusion matrix.

    Args:
        probabilities: [N, C] scores per style.
        truth: [N] index of the true style.
        labels: the C style ids.
    """
    n_classes = len(labels)
    ranked = np.argsort(-probabilities, axis=1, kind="stable")
    predicted = ranked[:, 0]
    confusion = np.zeros((n_classes, n_classes), int)
    np.add.at(confusion, (truth, predicted), 1)
    per_style, f1s = {}, []
    for c, label in enumerate(labels):
        tp = confusion[c, c]
        precision = tp / confusion[:, c].sum() if confusion[:, c].sum() else 0.0
        recall = tp / confusion[c].sum() if confusion[c].sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_style[label] = {
            "precision": round(float(precision), 4),
            "recall": round(float(recall), 4),
            "f1": round(float(f1), 4),
            "support": int(confusion[c].sum()),
        }
        if confusion[c].sum():
            f1s.append(f1)  # macro-F1 over the styles present in the test set
    return {
        "n": len(truth),
        "top1": round(float(np.mean(predicted == truth)), 4),
        "top2": round(float(np.mean((ranked[:, :2] == truth[:, None]).any(axis=1))), 4),
        "macro_f1": round(float(np.mean(f1s)) if f1s else 0.0, 4),
        "per_style": per_style,
        "confusion": confusion.tolist(),
    }


def model_scores(model_dir: Path, samples: Sequence[Sample], batch_size: int = 32) -> tuple[np.ndarray, list[str]]:
    """Runs the exported classifier on the samples: ([N, C] scores, the model's labels)."""
    model = tf.saved_model.load(str(model_dir))
    labels = [label.decode() for label in model.labels.numpy()]
    scores = []
    for begin in range(0, len(samples), batch_size):
        pixels = np.stack([read_image(s.uri, INPUT_SIZE).pixels for s in samples[begin : begin + batch_size]])
        scores.append(model.serve(tf.constant(pixels))["style_scores"].numpy())
    return np.concatenate(scores), labels


def evaluate(
    manifest: Path, model_dir: Path, out_dir: Path | None = None, progress: Callable[[str], None] = print
) -> dict:
    """Measures the model and the baselines on the held-out real images and writes the model card.

    Returns:
        The metrics, also written to ``out_dir/metrics.json`` beside ``out_dir/model_card.md``.
    """
    out_dir = out_dir or model_dir.parent
    samples = read_manifest(manifest)
    data = extract_features(samples, feature_cache(out_dir), progress=progress)
    kept = {s.uri for s in data.samples}
    test = [s for s in samples if s.split == "test" and s.origin != "synthetic" and s.uri in kept]
    scores, labels = model_scores(model_dir, test)
    truth = np.array([labels.index(s.style) for s in test])
    results = {"model": classification_report(scores, truth, labels)}

    real_train = [s.style for s in data.samples if s.split == "train" and s.origin != "synthetic"]
    majority = max(set(real_train), key=real_train.count)
    majority_scores = np.tile(np.eye(len(labels))[labels.index(majority)], (len(test), 1))
    results["majority_class"] = {**classification_report(majority_scores, truth, labels), "predicts": majority}

    colour = data.features[:, COLOUR_FEATURES]
    test_rows = [data.samples.index(s) for s in test]
    colour_model = fit_on_training_split(data, colour, labels, hidden=0, seeds=[0])
    results["colour_statistics"] = classification_report(colour_model.predict_proba(colour[test_rows]), truth, labels)
    results["labels"] = labels
    results["composition"] = {key: dict(sorted(c.items())) for key, c in composition(samples).items()}
    results["evaluated_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
    training = out_dir / "training.json"
    results["training"] = json.loads(training.read_text()) if training.exists() else {}

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "metrics.json").write_text(json.dumps(results, indent=2))
    card = model_card(results)
    (out_dir / "model_card.md").write_text(card)
    progress(report_text(results))
    return results


def report_text(results: dict) -> str:
    """The printed evaluation: headline metrics beside baselines, per-style figures, confusion."""
    labels = results["labels"]
    lines = [f"Held-out real images: {results['model']['n']}", "", f"{'':<22}{'top-1':>8}{'top-2':>8}{'macro-F1':>10}"]
    for name in ("model", "colour_statistics", "majority_class"):
        r = results[name]
        lines.append(f"{name:<22}{r['top1']:>8.3f}{r['top2']:>8.3f}{r['macro_f1']:>10.3f}")
    lines += ["", f"{'style':<18}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>5}"]
    for label in labels:
        s = results["model"]["per_style"][label]
        lines.append(f"{label:<18}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>7.3f}{s['support']:>5}")
    short = [label[:6] for label in labels]
    lines += ["", "confusion (rows: true, columns: predicted)", " " * 18 + "".join(f"{s:>7}" for s in short)]
    for label, row in zip(labels, results["model"]["confusion"], strict=True):
        lines.append(f"{label:<18}" + "".join(f"{v:>7}" for v in row))
    return "\n".join(lines)


def model_card(results: dict) -> str:
    """A markdown model card: data, sizes, metrics, date."""
    training = results.get("training", {})
    composition_rows = "\n".join(
        f"| {key} | {sum(counts.values())} | " + ", ".join(f"{style} {n}" for style, n in counts.items()) + " |"
        for key, counts in sorted(results["composition"].items())
    )
    return f"""# Model card: style classifier {training.get("version", "")}

- Evaluated: {results["evaluated_at"]}
- Styles: {", ".join(results["labels"])}
- Backbone (embedding): {training.get("backbone", "bundled EfficientNet-Lite0")}, frozen; the head also reads
  the resolved elements (palette, measures, composition, areas).
- Head: standardisation, one hidden layer of {training.get("hidden", "?")} ReLU units, softmax; an
  ensemble of {training.get("members", "?")} heads from seeds {training.get("seed", "?")} onwards, logits averaged.
- Training time: {training.get("training_seconds", "?")} s (feature extraction included).
- Tag thresholds (chosen on validation F1 of primary-or-secondary style): {training.get("thresholds", "?")}

## Data
| origin/split | images | per style |
|---|---|---|
{composition_rows}

Synthetic images are only trained on; every metric below is on held-out real images.

## Metrics on held-out real images
```
{report_text(results)}
```

## Limits
Real labelled images come from Debian art packages and pip sample data: game art, clip art,
wallpapers and photos. Styles with few real examples are the least reliable.
"""
