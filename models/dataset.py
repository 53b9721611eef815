"""The sample data set: real labelled images, generated designs and user data, in one manifest.

The manifest is a CSV with ``uri,style,secondary_style,origin,source_package,licence,split``.
``origin`` is ``real``, ``user`` or ``synthetic``. Real and user images are split per style into
train, validation and test by a seeded hash of the uri; synthetic images are only ever trained
on, so every metric is measured on real images alone.
"""

import csv
import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np
from PIL import Image

from transforms.decode import IMAGE_SUFFIXES

REAL_LABELS = Path(__file__).resolve().parent / "data" / "real_labels.csv"
TEST_SHARE, VALIDATION_SHARE = 0.25, 0.15

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sample:
    """One labelled image."""

    uri: str
    style: str
    secondary_style: str = ""
    origin: str = "user"
    source_package: str = ""
    licence: str = ""
    split: str = ""


def read_labels(path: str | Path, origin: str) -> list[Sample]:
    """Samples from a CSV with at least ``uri,style`` (local or gs://)."""
    from apache_beam.io.filesystems import FileSystems

    with FileSystems.open(str(path)) as handle:
        rows = list(csv.DictReader(handle.read().decode("utf-8").splitlines()))
    if rows and not {"uri", "style"} <= set(rows[0]):
        raise ValueError(f"{path}: a labels CSV needs the columns uri and style")
    return [
        Sample(
            uri=row["uri"].strip(),
            style=row["style"].strip(),
            secondary_style=(row.get("secondary_style") or "").strip(),
            origin=origin,
            source_package=(row.get("source_package") or "").strip(),
            licence=(row.get("licence") or "").strip(),
        )
        for row in rows
        if row["uri"].strip() and row["style"].strip()
    ]


def read_style_folders(root: str) -> list[Sample]:
    """Samples from one folder per style, ``root/<style>/<image>`` (local or gs://)."""
    from apache_beam.io.filesystems import FileSystems

    root = root.rstrip("/")
    matches = FileSystems.match([f"{root}/*/*"])[0].metadata_list
    samples = []
    for metadata in sorted(matches, key=lambda m: m.path):
        relative = metadata.path[len(root) + 1 :]
        style, _, name = relative.partition("/")
        if name.lower().endswith(IMAGE_SUFFIXES) and "/" not in name:
            samples.append(Sample(uri=metadata.path, style=style, origin="user"))
    return samples


def read_user_data(location: str) -> list[Sample]:
    """User data: a labels CSV, or a folder with one sub-folder per style."""
    return read_labels(location, "user") if location.lower().endswith(".csv") else read_style_folders(location)


def _materialise_package_sample(sample: Sample, folder: Path) -> Sample:
    """Writes ``skimage:NAME`` / ``sklearn:NAME`` sample images to files the pipeline can read."""
    scheme, _, name = sample.uri.partition(":")
    if scheme == "skimage":
        import skimage.data

        pixels = getattr(skimage.data, name)()
    else:
        from sklearn.datasets import load_sample_image

        pixels = load_sample_image(name)
    if pixels.dtype == bool:
        pixels = pixels.astype(np.uint8) * 255
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{scheme}_{Path(name).stem}.png"
    Image.fromarray(pixels).save(path)
    return replace(sample, uri=str(path))


def assign_splits(samples: Iterable[Sample], seed: int) -> list[Sample]:
    """Splits real and user samples per style by a seeded hash of the uri; synthetic ones train."""
    samples = list(samples)
    out = [replace(s, split="train") for s in samples if s.origin == "synthetic"]
    by_style: dict[str, list[Sample]] = {}
    for sample in samples:
        if sample.origin != "synthetic":
            by_style.setdefault(sample.style, []).append(sample)
    for group in by_style.values():
        group.sort(key=lambda s: hashlib.sha1(f"{seed}:{s.uri}".encode()).hexdigest())
        n_test = round(len(group) * TEST_SHARE)
        n_validation = round(len(group) * VALIDATION_SHARE)
        for i, sample in enumerate(group):
            split = "test" if i < n_test else "validation" if i < n_test + n_validation else "train"
            out.append(replace(sample, split=split))
    return out


def build_dataset(
    out_dir: Path,
    real_labels: Path | None = REAL_LABELS,
    synthetic_per_style: int = 0,
    user_data: Sequence[str] = (),
    seed: int = 0,
) -> Path:
    """Assembles the manifest from real labels, generated designs and user data.

    Real images whose files are missing (their Debian package is not installed) are
    skipped with a warning naming how many.

    Returns:
        The manifest path, ``out_dir/manifest.csv``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    samples: list[Sample] = []
    if real_labels is not None:
        real = read_labels(real_labels, "real")
        for sample in real:
            if sample.uri.startswith(("skimage:", "sklearn:")):
                samples.append(_materialise_package_sample(sample, out_dir / "package_samples"))
            elif Path(sample.uri).exists():
                samples.append(sample)
        missing = len(real) - len(samples)
        if missing:
            log.warning("%d of %d real images are missing (install models/data/real_packages.txt)", missing, len(real))
    for location in user_data:
        samples += read_user_data(location)
    if synthetic_per_style:
        from models.generator import generate_dataset
        from models.taxonomy import style_ids

        styles = style_ids(s.style for s in samples)
        labels_csv = generate_dataset(out_dir / "synthetic", synthetic_per_style, seed=seed, styles=styles)
        samples += read_labels(labels_csv, "synthetic")
    samples = assign_splits(samples, seed)
    manifest = out_dir / "manifest.csv"
    write_manifest(samples, manifest)
    return manifest


def write_manifest(samples: Iterable[Sample], path: Path) -> None:
    """Writes samples as a manifest CSV."""
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[f.name for f in fields(Sample)])
        writer.writeheader()
        writer.writerows(asdict(s) for s in samples)


def read_manifest(path: str | Path) -> list[Sample]:
    """Reads a manifest written by ``build_dataset``."""
    with Path(path).open(newline="") as handle:
        return [Sample(**row) for row in csv.DictReader(handle)]


def composition(samples: Iterable[Sample]) -> dict[str, Counter]:
    """Counts of samples per (origin, split) and style: the data set's composition."""
    counts: dict[str, Counter] = {}
    for sample in samples:
        counts.setdefault(f"{sample.origin}/{sample.split}", Counter())[sample.style] += 1
    return counts
