"""Tests for the EfficientNet-Lite0 backbone (runs without torch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from models import backbone

ARTIFACT = Path(__file__).resolve().parents[1] / "models" / "artifacts" / "efficientnet_lite0"
CAT_LABELS = {"tabby", "tiger cat", "Egyptian cat", "Persian cat"}


@pytest.fixture(scope="module")
def loaded():
    """The committed SavedModel, loaded once."""
    return tf.saved_model.load(str(ARTIFACT))


def _photo(img: np.ndarray) -> np.ndarray:
    # Same preprocessing as the converter's parity check: PIL bicubic to 224x224.
    size = backbone.INPUT_SIZE
    return np.asarray(Image.fromarray(img).resize((size, size), Image.BICUBIC), np.float32)


def _top(loaded, images: np.ndarray, k: int) -> list[list[str]]:
    logits = loaded.signatures["serving_default"](images=tf.constant(images))["logits"]
    ids = tf.math.top_k(logits, k).indices
    # Names come from the graph itself, as a downstream pipeline would get them.
    return [[s.decode() for s in row] for row in tf.gather(loaded.labels, ids).numpy()]


def test_classifies_real_photos(loaded):
    skimage_data = pytest.importorskip("skimage.data")
    batch = np.stack([_photo(skimage_data.chelsea()), _photo(skimage_data.coffee())])
    cat_top3, coffee_top3 = _top(loaded, batch, 3)
    assert CAT_LABELS & set(cat_top3), cat_top3
    assert coffee_top3[0] == "espresso", coffee_top3


def test_output_shapes_and_labels(loaded):
    out = loaded.serve(tf.zeros([2, 224, 224, 3]))
    assert out["features"].shape == (2, 7, 7, backbone.FEATURE_DIM)
    assert out["embedding"].shape == (2, backbone.FEATURE_DIM)
    assert out["logits"].shape == (2, backbone.NUM_CLASSES)
    # Fully convolutional: other sizes work, the grid just changes.
    assert loaded.serve(tf.zeros([1, 160, 192, 3]))["features"].shape == (1, 5, 6, 1280)
    assert loaded.labels.shape == (backbone.NUM_CLASSES,)
    assert int(loaded.input_size) == backbone.INPUT_SIZE
    lines = (ARTIFACT / "labels.txt").read_text(encoding="utf-8").splitlines()
    assert lines == [s.decode() for s in loaded.labels.numpy()]
    assert len((ARTIFACT / "synsets.txt").read_text().split()) == backbone.NUM_CLASSES


def test_embedding_is_pooled_features(loaded):
    out = loaded.serve(tf.random.uniform([1, 224, 224, 3], 0, 255, seed=0))
    np.testing.assert_allclose(out["embedding"].numpy(), out["features"].numpy().mean(axis=(1, 2)), atol=1e-5)


# --- fold / build without torch ----------------------------------------------


def _bn(rng: np.random.Generator, c: int) -> tuple[np.ndarray, ...]:
    return (
        rng.uniform(0.5, 1.5, c),  # gamma
        rng.normal(size=c),  # beta
        rng.normal(size=c),  # mean
        rng.uniform(0.1, 2.0, c),  # var
    )


def _conv_nchw(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Naive stride-1 'VALID' conv in float64, torch layouts (x NCHW, w OIHW)."""
    _, _, kh, kw = w.shape
    n, _, h, wd = x.shape
    out = np.zeros((n, w.shape[0], h - kh + 1, wd - kw + 1))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i : i + out.shape[2], j : j + out.shape[3]]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return out


def test_fold_batchnorm_matches_conv_then_bn():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 6, 6))
    w = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
    gamma, beta, mean, var = _bn(rng, 4)
    eps = 1e-3

    def c(v: np.ndarray) -> np.ndarray:  # per-channel broadcast over NCHW
        return v.reshape(1, -1, 1, 1)

    expected = (_conv_nchw(x, w) - c(mean)) / np.sqrt(c(var) + eps) * c(gamma) + c(beta)
    fw, fb = backbone.fold_batchnorm(w, gamma, beta, mean, var, eps=eps)
    np.testing.assert_allclose(_conv_nchw(x, fw) + c(fb), expected, rtol=1e-5, atol=1e-5)


def _random_state_dict(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random weights with Lite0's real shapes in lukemelas naming."""
    sd: dict[str, np.ndarray] = {}

    def conv_bn(conv: str, bn: str, shape: tuple[int, ...]) -> None:
        sd[f"{conv}.weight"] = rng.normal(0, 0.1, shape).astype(np.float32)
        for k, v in zip(("weight", "bias", "running_mean", "running_var"), _bn(rng, shape[0]), strict=True):
            sd[f"{bn}.{k}"] = v.astype(np.float32)

    outs = [16, 24, 24, 40, 40, 80, 80, 80, 112, 112, 112, 192, 192, 192, 192, 320]
    conv_bn("_conv_stem", "_bn0", (32, 3, 3, 3))
    c_in = 32
    for i, (spec, c_out) in enumerate(zip(backbone.BLOCK_SPECS, outs, strict=True)):
        mid = c_in * spec.expand
        if spec.expand != 1:
            conv_bn(f"_blocks.{i}._expand_conv", f"_blocks.{i}._bn0", (mid, c_in, 1, 1))
        k = spec.kernel
        conv_bn(f"_blocks.{i}._depthwise_conv", f"_blocks.{i}._bn1", (mid, 1, k, k))
        conv_bn(f"_blocks.{i}._project_conv", f"_blocks.{i}._bn2", (c_out, mid, 1, 1))
        c_in = c_out
    conv_bn("_conv_head", "_bn1", (1280, 320, 1, 1))
    sd["_fc.weight"] = rng.normal(0, 0.01, (1000, 1280)).astype(np.float32)
    sd["_fc.bias"] = rng.normal(size=1000).astype(np.float32)
    return sd


def test_build_from_state_dict_layout():
    sd = _random_state_dict(np.random.default_rng(1))
    params = backbone.fold_state_dict(sd)
    # Torch OIHW -> TF HWIO, depthwise [C,1,k,k] -> [k,k,C,1], fc transposed.
    assert params["stem/kernel"].shape == (3, 3, 3, 32)
    assert "blocks/0/expand/kernel" not in params
    assert params["blocks/3/depthwise/kernel"].shape == (5, 5, 144, 1)
    assert params["fc/kernel"].shape == (1280, 1000)
    np.testing.assert_allclose(params["fc/kernel"], sd["_fc.weight"].T)
    scale = sd["_bn0.weight"] / np.sqrt(sd["_bn0.running_var"] + 1e-3)
    np.testing.assert_allclose(
        params["stem/kernel"][1, 2, 0, :],
        sd["_conv_stem.weight"][:, 0, 1, 2] * scale,
        rtol=1e-6,
    )
    model = backbone.build_from_state_dict(sd)
    out = model.serve(tf.zeros([1, 64, 64, 3]))
    assert out["features"].shape == (1, 2, 2, 1280)
    assert out["logits"].shape == (1, 1000)
    # Skips exactly where stride is 1 and channels match.
    assert [b.residual for b in model.blocks].count(True) == 9
