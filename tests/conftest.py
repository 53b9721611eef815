"""Shared fixtures: the bundled models are loaded once per test session."""

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
