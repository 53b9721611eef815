"""Nearness in style between tagged images: the style embedding, steadied by the measured elements.

Plain numpy, no Beam and no TensorFlow: ``image-style similar`` reads the vectors from a run's
tables and ranks them here.
"""

from dataclasses import dataclass

import numpy as np

EMBEDDING_WEIGHT = 0.7  # the learned style embedding leads; light, colour and texture measures refine it


@dataclass(frozen=True)
class Neighbour:
    """One catalogue image near the query: its row index and its similarity (1 is identical)."""

    index: int
    similarity: float
    embedding_similarity: float
    element_similarity: float


def element_similarity(query: np.ndarray, catalogue: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Similarity in 0..1 of measure vectors: a Gaussian of their distance in catalogue standard deviations."""
    z = (catalogue - query) / spread
    return np.exp(-np.mean(z * z, axis=1) / 2.0)


def nearest(
    query_embedding: np.ndarray,
    query_measures: np.ndarray,
    embeddings: np.ndarray,
    measures: np.ndarray,
    k: int,
    exclude: int | None = None,
) -> list[Neighbour]:
    """The `k` catalogue rows nearest the query in style.

    Args:
        query_embedding: the query's unit style embedding [E].
        query_measures: the query's element measures [F].
        embeddings: the catalogue's unit style embeddings [N, E].
        measures: the catalogue's element measures [N, F].
        k: how many neighbours.
        exclude: a row not to return (the query itself when it is in the catalogue).

    Returns:
        Neighbours, most similar first.
    """
    spread = measures.std(axis=0) + 1e-6
    by_embedding = embeddings @ query_embedding
    by_elements = element_similarity(query_measures, measures, spread)
    similarity = EMBEDDING_WEIGHT * by_embedding + (1.0 - EMBEDDING_WEIGHT) * by_elements
    if exclude is not None:
        similarity[exclude] = -np.inf
    order = np.argsort(-similarity, kind="stable")[: max(0, min(k, len(similarity) - (exclude is not None)))]
    return [Neighbour(int(i), float(similarity[i]), float(by_embedding[i]), float(by_elements[i])) for i in order]
