"""EfficientNet-Lite0 image backbone in pure TensorFlow (no Keras, no torch).

The network is built from BatchNorm-folded weights: every conv carries its own
bias and there are no BatchNorm ops at run time, which roughly doubles CPU
throughput compared with conv + BN. ``build_from_state_dict`` maps a state dict
in lukemelas EfficientNet-PyTorch naming (as numpy arrays) onto those folded
weights; it needs only numpy, so it is unit-testable without torch. The
torch-dependent half of the port lives in ``models/convert_backbone.py``.

Layout: NHWC tensors, TensorFlow ``'SAME'`` padding (the extra row/column of a
stride-2 conv goes bottom/right, which is what the original TF checkpoint was
trained with), ReLU6 everywhere, no squeeze-excite.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import tensorflow as tf

INPUT_SIZE = 224
NUM_CLASSES = 1000
FEATURE_DIM = 1280
BN_EPSILON = 1e-3

# Lite0 inputs are RGB 0..255 mapped to about [-1, 1] with (x - 127) / 128,
# not ImageNet mean/std.
INPUT_MEAN = 127.0
INPUT_STD = 128.0


class BlockSpec(NamedTuple):
    """Static layout of one MBConv block (not recoverable from the weights).

    Attributes:
        kernel: Depthwise kernel size.
        stride: Depthwise stride.
        expand: Expansion ratio (1 means the block has no expand conv).
    """

    kernel: int
    stride: int
    expand: int


def _stage(repeats: int, kernel: int, stride: int, expand: int) -> list[BlockSpec]:
    # Only the first block of a stage strides; the rest keep resolution.
    return [BlockSpec(kernel, stride if i == 0 else 1, expand) for i in range(repeats)]


# EfficientNet-B0 block layout, which Lite0 shares (width/depth multiplier 1.0).
BLOCK_SPECS: tuple[BlockSpec, ...] = tuple(
    _stage(1, 3, 1, 1)
    + _stage(2, 3, 2, 6)
    + _stage(2, 5, 2, 6)
    + _stage(3, 3, 2, 6)
    + _stage(3, 5, 1, 6)
    + _stage(4, 5, 2, 6)
    + _stage(1, 3, 1, 6)
)


def fold_batchnorm(
    weight: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    conv_bias: np.ndarray | None = None,
    eps: float = BN_EPSILON,
) -> tuple[np.ndarray, np.ndarray]:
    """Folds an inference-mode BatchNorm into the preceding conv.

    ``bn(conv(x, w) + b) == conv(x, w * s) + (b - mean) * s + beta`` with
    ``s = gamma / sqrt(var + eps)``, scaled per output channel.

    Args:
        weight: Conv weight in torch layout, output channels on axis 0
            (``[out, in, kh, kw]``; ``[C, 1, kh, kw]`` for depthwise).
        gamma: BN scale, shape ``[out]``.
        beta: BN shift, shape ``[out]``.
        mean: BN running mean, shape ``[out]``.
        var: BN running variance, shape ``[out]``.
        conv_bias: Optional conv bias, shape ``[out]``.
        eps: BN epsilon (1e-3 for the TF-trained EfficientNet weights).

    Returns:
        ``(folded_weight, folded_bias)`` as float32, weight still in torch layout.
    """
    # Fold in float64 so folding adds no rounding beyond the final float32 cast.
    scale = gamma.astype(np.float64) / np.sqrt(var.astype(np.float64) + eps)
    w = weight.astype(np.float64) * scale.reshape((-1,) + (1,) * (weight.ndim - 1))
    b = np.zeros_like(scale) if conv_bias is None else conv_bias.astype(np.float64)
    b = (b - mean.astype(np.float64)) * scale + beta.astype(np.float64)
    return w.astype(np.float32), b.astype(np.float32)


def _conv_to_tf(w: np.ndarray) -> np.ndarray:
    # torch [out, in, kh, kw] -> tf.nn.conv2d [kh, kw, in, out]
    return np.ascontiguousarray(w.transpose(2, 3, 1, 0))


def _depthwise_to_tf(w: np.ndarray) -> np.ndarray:
    # torch [C, 1, kh, kw] -> tf.nn.depthwise_conv2d [kh, kw, C, 1]
    return np.ascontiguousarray(w.transpose(2, 3, 0, 1))


def fold_state_dict(state_dict: Mapping[str, np.ndarray], eps: float = BN_EPSILON) -> dict[str, np.ndarray]:
    """Maps a lukemelas-named state dict to folded, TF-layout parameters.

    Args:
        state_dict: ``_conv_stem``/``_bn0``/``_blocks.N.*``/``_conv_head``/
            ``_bn1``/``_fc`` tensors as numpy arrays (``num_batches_tracked``
            entries are ignored).
        eps: BatchNorm epsilon.

    Returns:
        Flat dict with keys ``stem/{kernel,bias}``,
        ``blocks/N/{expand,depthwise,project}/{kernel,bias}`` (no ``expand``
        when the block has expand ratio 1), ``head/{kernel,bias}`` and
        ``fc/{kernel,bias}``; all float32.

    Raises:
        KeyError: If an expected tensor is missing.
        ValueError: If the block count does not match Lite0.
    """
    sd = state_dict

    def fold(conv: str, bn: str) -> tuple[np.ndarray, np.ndarray]:
        return fold_batchnorm(
            sd[f"{conv}.weight"],
            sd[f"{bn}.weight"],
            sd[f"{bn}.bias"],
            sd[f"{bn}.running_mean"],
            sd[f"{bn}.running_var"],
            sd.get(f"{conv}.bias"),
            eps,
        )

    n_blocks = len({k.split(".")[1] for k in sd if k.startswith("_blocks.")})
    if n_blocks != len(BLOCK_SPECS):
        raise ValueError(f"expected {len(BLOCK_SPECS)} blocks, state dict has {n_blocks}")

    params: dict[str, np.ndarray] = {}
    w, b = fold("_conv_stem", "_bn0")
    params["stem/kernel"], params["stem/bias"] = _conv_to_tf(w), b
    for i, spec in enumerate(BLOCK_SPECS):
        p = f"_blocks.{i}"
        if spec.expand != 1:
            w, b = fold(f"{p}._expand_conv", f"{p}._bn0")
            params[f"blocks/{i}/expand/kernel"], params[f"blocks/{i}/expand/bias"] = (
                _conv_to_tf(w),
                b,
            )
        w, b = fold(f"{p}._depthwise_conv", f"{p}._bn1")
        params[f"blocks/{i}/depthwise/kernel"] = _depthwise_to_tf(w)
        params[f"blocks/{i}/depthwise/bias"] = b
        w, b = fold(f"{p}._project_conv", f"{p}._bn2")
        params[f"blocks/{i}/project/kernel"], params[f"blocks/{i}/project/bias"] = (
            _conv_to_tf(w),
            b,
        )
    w, b = fold("_conv_head", "_bn1")
    params["head/kernel"], params["head/bias"] = _conv_to_tf(w), b
    params["fc/kernel"] = np.ascontiguousarray(sd["_fc.weight"].T.astype(np.float32))
    params["fc/bias"] = sd["_fc.bias"].astype(np.float32)
    return params


class _Block(tf.Module):
    """One MBConv block: [expand 1x1] -> depthwise kxk -> project 1x1 (+ skip)."""

    def __init__(self, index: int, spec: BlockSpec, params: Mapping[str, np.ndarray]) -> None:
        super().__init__(name=f"block_{index}")
        p = f"blocks/{index}"
        self.stride = spec.stride
        self.expand_kernel = self.expand_bias = None
        if spec.expand != 1:
            self.expand_kernel = tf.Variable(params[f"{p}/expand/kernel"], trainable=False)
            self.expand_bias = tf.Variable(params[f"{p}/expand/bias"], trainable=False)
        self.dw_kernel = tf.Variable(params[f"{p}/depthwise/kernel"], trainable=False)
        self.dw_bias = tf.Variable(params[f"{p}/depthwise/bias"], trainable=False)
        self.project_kernel = tf.Variable(params[f"{p}/project/kernel"], trainable=False)
        self.project_bias = tf.Variable(params[f"{p}/project/bias"], trainable=False)
        in_ch = int(params[f"{p}/depthwise/kernel"].shape[2]) // spec.expand
        out_ch = int(params[f"{p}/project/kernel"].shape[3])
        # Identity skip only where shapes match; drop-connect is training-only.
        self.residual = spec.stride == 1 and in_ch == out_ch

    def __call__(self, x: tf.Tensor) -> tf.Tensor:
        h = x
        if self.expand_kernel is not None:
            h = tf.nn.conv2d(h, self.expand_kernel, 1, "SAME")
            h = tf.nn.relu6(tf.nn.bias_add(h, self.expand_bias))
        h = tf.nn.depthwise_conv2d(h, self.dw_kernel, [1, self.stride, self.stride, 1], "SAME")
        h = tf.nn.relu6(tf.nn.bias_add(h, self.dw_bias))
        h = tf.nn.conv2d(h, self.project_kernel, 1, "SAME")
        # Linear bottleneck: no activation after the projection.
        h = tf.nn.bias_add(h, self.project_bias)
        return x + h if self.residual else h


class EfficientNetLite0(tf.Module):
    """EfficientNet-Lite0 ImageNet classifier / feature extractor.

    Attributes:
        labels: ``tf.string`` tensor ``[1000]`` of human class names, index-aligned
            with ``logits`` (use ``tf.gather(model.labels, ids)``). Held as a
            non-trainable ``tf.Variable`` because a plain ``tf.constant``
            attribute is not kept by ``tf.saved_model.save``.
        input_size: Expected square input side (224), an int32 scalar
            variable so it survives ``tf.saved_model.load`` (``int(m.input_size)``).
    """

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        labels: Sequence[str] | None = None,
        name: str = "efficientnet_lite0",
    ) -> None:
        """Creates the module from folded parameters.

        Args:
            params: Output of :func:`fold_state_dict`.
            labels: 1000 human-readable class names; defaults to ``class_N``.
            name: Module name.
        """
        super().__init__(name=name)
        # A variable, not a Python int, so a loaded SavedModel still knows it.
        self.input_size = tf.Variable(INPUT_SIZE, dtype=tf.int32, trainable=False)
        if labels is None:
            labels = [f"class_{i}" for i in range(NUM_CLASSES)]
        if len(labels) != params["fc/bias"].shape[0]:
            raise ValueError(f"{len(labels)} labels for {params['fc/bias'].shape[0]} classes")
        self.labels = tf.Variable(tf.constant(list(labels), dtype=tf.string), trainable=False, name="labels")
        self.stem_kernel = tf.Variable(params["stem/kernel"], trainable=False)
        self.stem_bias = tf.Variable(params["stem/bias"], trainable=False)
        self.blocks = [_Block(i, s, params) for i, s in enumerate(BLOCK_SPECS)]
        self.head_kernel = tf.Variable(params["head/kernel"], trainable=False)
        self.head_bias = tf.Variable(params["head/bias"], trainable=False)
        self.fc_kernel = tf.Variable(params["fc/kernel"], trainable=False)
        self.fc_bias = tf.Variable(params["fc/bias"], trainable=False)

    def __call__(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        """Runs the network.

        Args:
            images: float32 ``[B, H, W, 3]`` RGB in 0..255, already resized
                (224x224 expected; any size works, the net is fully convolutional).

        Returns:
            Dict with ``features`` ``[B, h, w, 1280]`` (head conv + ReLU6, before
            pooling), ``embedding`` ``[B, 1280]`` (global average pool) and
            ``logits`` ``[B, 1000]``.
        """
        x = (tf.convert_to_tensor(images, tf.float32) - INPUT_MEAN) / INPUT_STD
        x = tf.nn.conv2d(x, self.stem_kernel, 2, "SAME")
        x = tf.nn.relu6(tf.nn.bias_add(x, self.stem_bias))
        for block in self.blocks:
            x = block(x)
        x = tf.nn.conv2d(x, self.head_kernel, 1, "SAME")
        features = tf.nn.relu6(tf.nn.bias_add(x, self.head_bias))
        embedding = tf.reduce_mean(features, axis=[1, 2])
        logits = tf.nn.bias_add(tf.matmul(embedding, self.fc_kernel), self.fc_bias)
        return {"features": features, "embedding": embedding, "logits": logits}

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32, name="images")])
    def serve(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        """Graph-mode entry point exported as the ``serving_default`` signature.

        Args:
            images: float32 ``[B, H, W, 3]`` RGB in 0..255 (224x224 expected).

        Returns:
            Same dict as :meth:`__call__`.
        """
        return self(images)


def build_from_state_dict(
    state_dict: Mapping[str, np.ndarray],
    labels: Sequence[str] | None = None,
    eps: float = BN_EPSILON,
) -> EfficientNetLite0:
    """Builds the TF module from a lukemelas-named numpy state dict.

    Args:
        state_dict: Unfolded weights (conv + BatchNorm) as numpy arrays.
        labels: 1000 human class names, or None for placeholders.
        eps: BatchNorm epsilon.

    Returns:
        The BN-folded :class:`EfficientNetLite0`.
    """
    return EfficientNetLite0(fold_state_dict(state_dict, eps), labels)
