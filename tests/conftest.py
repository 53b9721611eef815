"""Shared fixtures: the bundled models are loaded once per test session; one tagged run of the samples."""

import numpy as np
import pytest

from pipeline.cli import import_tensorflow_quietly

import_tensorflow_quietly()


@pytest.fixture(scope="session")
def detector():
    """The bundled element detector SavedModel, loaded through the Python API."""
    from models.elements import ElementResolver

    return ElementResolver()


def solid(height: int, width: int, rgb: tuple[int, int, int]) -> np.ndarray:
    """An image of one colour."""
    return np.full((height, width, 3), rgb, np.uint8)


@pytest.fixture(scope="session")
def tagged_samples(tmp_path_factory: pytest.TempPathFactory):
    """The output folder of one pipeline run over the bundled samples (images/ and dead_letters/), as `make demo`."""
    from pathlib import Path

    from pipeline.tagging import run

    samples = Path(__file__).resolve().parent.parent / "samples"
    output = tmp_path_factory.mktemp("tagged_samples")
    references = output / "references.txt"
    images = sorted(str(p) for p in samples.iterdir() if p.suffix != ".md" and p.suffix != ".py")
    references.write_text("\n".join([*images, str(samples / "missing.jpg")]) + "\n")
    run(["--input", str(references), "--output", str(output)])
    return output
