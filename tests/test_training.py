"""The training machine end to end on a tiny data set: build, train, export, evaluate, classify."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from models.dataset import Sample, assign_splits, build_dataset, read_manifest, read_style_folders
from models.evaluate import classification_report
from models.generator import generate, generate_dataset
from models.taxonomy import load_taxonomy, style_ids
from models.train import choose_thresholds, sample_weights, soft_targets, train

STYLES = [style.id for style in load_taxonomy()]


def test_taxonomy_is_data_and_new_styles_are_appended() -> None:
    assert STYLES[:3] == ["simple_neutral", "fresh_elegant", "gorgeous_strong"] and len(STYLES) == 8
    assert style_ids(["happy_vivid", "vapor_wave", ""]) == [*STYLES, "vapor_wave"]


def test_splits_are_stratified_deterministic_and_keep_synthetic_in_training() -> None:
    samples = [Sample(f"/img/{style}/{i}.png", style, origin="real") for style in ("a", "b") for i in range(20)]
    samples += [Sample(f"/gen/{i}.png", "a", origin="synthetic") for i in range(10)]
    first, second = assign_splits(samples, seed=3), assign_splits(samples, seed=3)
    assert first == second
    assert {s.split for s in first if s.origin == "synthetic"} == {"train"}
    for style in ("a", "b"):
        splits = [s.split for s in first if s.style == style and s.origin == "real"]
        assert (splits.count("test"), splits.count("validation"), splits.count("train")) == (5, 3, 12)
    assert assign_splits(samples, seed=4) != first


def test_targets_and_weights() -> None:
    samples = [
        Sample("1", "a", "b", origin="real"),
        Sample("2", "a", origin="real"),
        Sample("3", "b", origin="synthetic"),
        Sample("4", "b", origin="synthetic"),
    ]
    targets = soft_targets(samples, ["a", "b"])
    np.testing.assert_allclose(targets, [[0.85, 0.15], [1, 0], [0, 1], [0, 1]])
    weights = sample_weights(samples, ["a", "b"])
    # Each style weighs the same in total, whatever its count or origin.
    assert weights[:2].sum() == pytest.approx(weights[2:].sum())
    assert weights.sum() == pytest.approx(4.0)


def test_classification_report_on_a_known_confusion() -> None:
    labels = ["x", "y", "z"]
    truth = np.array([0, 0, 1, 1, 2, 2])
    probabilities = np.array(
        [[0.7, 0.2, 0.1], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.5, 0.4, 0.1], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1]]
    )
    report = classification_report(probabilities, truth, labels)
    assert report["top1"] == pytest.approx(3 / 6, abs=1e-4)
    assert report["top2"] == pytest.approx(5 / 6, abs=1e-4)
    assert report["confusion"] == [[1, 1, 0], [1, 1, 0], [1, 0, 1]]
    assert report["per_style"]["x"] == {"precision": 0.3333, "recall": 0.5, "f1": 0.4, "support": 2}
    assert report["per_style"]["z"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert report["macro_f1"] == pytest.approx((0.4 + 0.5 + 2 / 3) / 3, abs=1e-4)


def test_thresholds_separate_the_validation_scores() -> None:
    samples = [Sample(str(i), "a" if i < 4 else "b") for i in range(8)]
    probabilities = np.array([[0.9, 0.1]] * 4 + [[0.3, 0.7]] * 4)
    thresholds = choose_thresholds(probabilities, samples, ["a", "b"])
    assert 0.3 < thresholds[0] <= 0.9 and 0.1 < thresholds[1] <= 0.7


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight designs per style as user data in folders, plus a user CSV of four more."""
    root = tmp_path_factory.mktemp("data")
    generate_dataset(root / "folders", per_style=8, seed=11)
    extra = root / "extra.csv"
    with extra.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["uri", "style"])
        for i, style in enumerate(STYLES[:4]):
            path = root / f"extra_{i}.png"
            generate(style, seed=500 + i).save(path)
            writer.writerow([path, style])
    return build_dataset(
        root / "built", real_labels=None, synthetic_per_style=2, user_data=[str(root / "folders"), str(extra)]
    )


def test_dataset_build_combines_user_folders_csv_and_generator(tiny_dataset: Path) -> None:
    samples = read_manifest(tiny_dataset)
    assert len(samples) == 8 * 8 + 4 + 8 * 2
    assert {s.origin for s in samples} == {"user", "synthetic"}
    assert {s.split for s in samples if s.origin == "synthetic"} == {"train"}
    assert {s.split for s in samples if s.origin == "user"} == {"train", "validation", "test"}
    assert all(Path(s.uri).exists() for s in samples)
    assert len(read_style_folders(str(tiny_dataset.parent.parent / "folders"))) == 64


@pytest.fixture(scope="module")
def trained(tiny_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("trained")
    train(tiny_dataset, out, seed=1, hidden=16, members=2, epochs=40, version="tiny-test", progress=lambda _: None)
    return out


def test_training_exports_a_classifier_that_scores_every_style(trained: Path) -> None:
    from models.styles import StyleResolver

    resolver = StyleResolver(trained / "model")
    images = np.stack([np.asarray(generate(style, seed=900).resize((224, 224))) for style in STYLES])
    records = resolver.resolve(images)
    for record in records:
        assert record["styles"][0]["label"] == record["style"]
        assert sorted(s["label"] for s in record["styles"]) == sorted(STYLES)
        assert sum(s["score"] for s in record["styles"]) == pytest.approx(1.0, abs=1e-3)
        assert len(record["explanation"]) == 3 and all(record["explanation"])
        assert record["palette"] and record["model_version"] == "tiny-test"
    embeddings = np.array([record["style_embedding"] for record in records])  # hidden=16: 16 axes
    assert embeddings.shape == (len(STYLES), 16)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-3)
    assert np.abs(embeddings @ embeddings.T - np.eye(len(STYLES))).max() > 0.01  # not all alike, not all orthogonal
    thresholds = json.loads((trained / "training.json").read_text())["thresholds"]
    for record in records:
        scores = {s["label"]: s["score"] for s in record["styles"]}
        assert record["tags"] == [s for s in scores if scores[s] >= thresholds[STYLES.index(s)] - 1e-3]


def test_training_is_deterministic(tiny_dataset: Path, trained: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    (again / "cache").mkdir(parents=True)
    for cached in (trained / "cache").iterdir():  # reuse the resolved features: only the head retrains
        (again / "cache" / cached.name).write_bytes(cached.read_bytes())
    train(tiny_dataset, again, seed=1, hidden=16, members=2, epochs=40, version="tiny-test", progress=lambda _: None)
    first = tf.saved_model.load(str(trained / "model"))
    second = tf.saved_model.load(str(again / "model"))
    np.testing.assert_array_equal(first.output_kernel.numpy(), second.output_kernel.numpy())


def test_evaluate_reports_metrics_beside_baselines_and_writes_a_model_card(tiny_dataset: Path, trained: Path) -> None:
    from models.evaluate import evaluate

    results = evaluate(tiny_dataset, trained / "model", progress=lambda _: None)
    test_count = sum(1 for s in read_manifest(tiny_dataset) if s.split == "test")
    for name in ("model", "colour_statistics", "majority_class"):
        assert results[name]["n"] == test_count
        assert 0.0 <= results[name]["top1"] <= results[name]["top2"] <= 1.0
        assert sum(map(sum, results[name]["confusion"])) == test_count
    card = (trained / "model_card.md").read_text()
    assert "top-1" in card and "majority_class" in card and "user/test" in card
    assert json.loads((trained / "metrics.json").read_text())["model"]["top1"] == results["model"]["top1"]


def test_a_local_savedmodel_backbone_loads_through_tensorflow_hub(tiny_dataset: Path, tmp_path: Path) -> None:
    from models.paths import BACKBONE_DIR
    from models.styles import StyleResolver

    class HubImageEmbedding(tf.Module):
        """The bundled backbone in TF-Hub's image convention: float RGB in 0..1 to a feature vector."""

        def __init__(self) -> None:
            super().__init__()
            self.backbone = tf.saved_model.load(str(BACKBONE_DIR))

        @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])
        def __call__(self, images: tf.Tensor) -> tf.Tensor:
            return self.backbone.serve(images * 255.0)["embedding"]

    hub_dir = tmp_path / "hub_backbone"
    tf.saved_model.save(HubImageEmbedding(), str(hub_dir))
    out = tmp_path / "trained_hub"
    train(
        tiny_dataset, out, backbone=str(hub_dir), hidden=16, members=1, epochs=5, version="hub", progress=lambda _: None
    )
    assert json.loads((out / "training.json").read_text())["backbone"] == str(hub_dir)
    image = np.asarray(generate("future_tech", seed=3).resize((224, 224)))[None]
    (record,) = StyleResolver(out / "model").resolve(image)
    assert len(record["styles"]) == len(STYLES)
