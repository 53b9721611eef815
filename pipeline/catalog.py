"""Catalogue management over a run's tables: bulk tags (CSV, JSON lines, XMP sidecars) and similar-style search."""

import csv
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO
from xml.sax.saxutils import escape

import numpy as np
from apache_beam.io.filesystems import FileSystems

from models.element_names import MEASURES
from models.similarity import nearest
from pipeline.query import connect

TAG_COLUMNS = ("uri", "id", "image_id", "style", "style_score", "tags", "model_version")
XMP_NAMESPACE = "urn:image-style:xmp:1.0/"
SIDECAR_SCHEMES = ("", "gs")  # where a sidecar can be written beside the image through Beam's FileSystems


def tag_rows(output: str) -> Iterator[dict[str, Any]]:
    """uri, id, image_id, style, style_score, tags and model_version of every tagged image, by uri."""
    result = connect(output).execute(
        "SELECT uri, id, image_id, style, styles[1].score, tags, model_version FROM images ORDER BY uri"
    )
    while batch := result.fetchmany(10_000):
        yield from (dict(zip(TAG_COLUMNS, row, strict=True)) for row in batch)


def write_tags(rows: Iterable[dict[str, Any]], out: TextIO, fmt: str) -> int:
    """Writes the rows as CSV (tags joined by ``;``) or JSON lines; returns how many."""
    if fmt not in ("csv", "json"):
        raise ValueError(f"unknown format {fmt!r}: use csv or json")
    writer = csv.DictWriter(out, TAG_COLUMNS)
    if fmt == "csv":
        writer.writeheader()
    count = 0
    for row in rows:
        if fmt == "csv":
            writer.writerow({**row, "tags": ";".join(row["tags"])})
        else:
            out.write(json.dumps(row) + "\n")
        count += 1
    return count


def keywords(row: dict[str, Any]) -> list[str]:
    """The image's keywords for a DAM: its top style, then its other tags."""
    return list(dict.fromkeys([row["style"], *row["tags"]]))


def xmp_sidecar(row: dict[str, Any]) -> str:
    """An XMP packet with the keywords as dc:subject and the top style, score and model version."""
    subjects = "".join(f"<rdf:li>{escape(word)}</rdf:li>" for word in keywords(row))
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        f'    xmlns:imagestyle="{XMP_NAMESPACE}">\n'
        f"   <dc:subject><rdf:Bag>{subjects}</rdf:Bag></dc:subject>\n"
        f"   <imagestyle:style>{escape(row['style'])}</imagestyle:style>\n"
        f"   <imagestyle:score>{row['style_score']:.4f}</imagestyle:score>\n"
        f"   <imagestyle:modelVersion>{escape(row['model_version'] or '')}</imagestyle:modelVersion>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>\n'
    )


def sidecar_paths(uris: list[str]) -> dict[str, str]:
    """Each image's sidecar: ``photo.xmp`` (Adobe's naming), or ``photo.jpg.xmp`` when two images share a stem."""
    stems = {uri: os.path.splitext(uri)[0] for uri in uris}
    shared = Counter(stems.values())
    return {uri: f"{stem}.xmp" if shared[stem] == 1 else f"{uri}.xmp" for uri, stem in stems.items()}


@dataclass
class SidecarReport:
    """What ``write_sidecars`` did: sidecars written, ones already there (kept), images it cannot write beside."""

    written: int = 0
    kept: int = 0
    unsupported: int = 0


def write_sidecars(rows: list[dict[str, Any]], overwrite: bool = False) -> SidecarReport:
    """Writes an XMP sidecar beside each local or gs:// image; an existing sidecar is kept unless `overwrite`.

    An existing sidecar may hold a photo editor's work, and merging XMP is out of scope, so it is not touched.
    """
    report = SidecarReport()
    writable = [row for row in rows if FileSystems.get_scheme(row["uri"]) in (None, *SIDECAR_SCHEMES)]
    report.unsupported = len(rows) - len(writable)
    paths = sidecar_paths([row["uri"] for row in writable])
    for row in writable:
        path = paths[row["uri"]]
        if FileSystems.exists(path) and not overwrite:
            report.kept += 1
            continue
        with FileSystems.create(path, mime_type="application/rdf+xml") as handle:
            handle.write(xmp_sidecar(row).encode("utf-8"))
        report.written += 1
    return report


@dataclass(frozen=True)
class Catalogue:
    """The vectors similar-style search reads from a run: one row per tagged image."""

    uris: list[str]
    keys: dict[str, int]  # uri, id and image_id → row
    styles: list[str]
    embeddings: np.ndarray  # [N, E] unit vectors
    measures: np.ndarray  # [N, len(MEASURES)]


def measure_vector(measures: dict[str, float | None]) -> np.ndarray:
    """The element measures of a record as a vector (a missing one as 0)."""
    return np.array([measures.get(name) or 0.0 for name in MEASURES], np.float64)


def load_catalogue(output: str) -> Catalogue:
    """The tagged images of a run with their style embeddings and measures."""
    rows = (
        connect(output)
        .execute("SELECT uri, id, image_id, style, style_embedding, measures FROM images ORDER BY uri")
        .fetchall()
    )
    if not rows:
        raise ValueError(f"{output} has no tagged images")
    keys = {}
    for i, (uri, image_id, content_id, *_rest) in enumerate(rows):
        for key in (content_id, image_id, uri):  # a uri wins over an equal id of another row
            if key:
                keys[key] = i
    return Catalogue(
        uris=[row[0] for row in rows],
        keys=keys,
        styles=[row[3] for row in rows],
        embeddings=np.array([row[4] for row in rows], np.float64),
        measures=np.stack([measure_vector(row[5]) for row in rows]),
    )


def similar_images(catalogue: Catalogue, query: str, k: int, record: dict | None = None) -> list[dict[str, Any]]:
    """The `k` images of the catalogue nearest `query` (a uri, id or image_id of the run, or a new image's `record`).

    Args:
        catalogue: from ``load_catalogue``.
        query: what the user named.
        k: how many to return.
        record: the style record of `query` when it is not in the catalogue (``StyleResolver.resolve``).

    Returns:
        One dict per neighbour: rank, uri, style, similarity and its two parts.
    """
    row = catalogue.keys.get(query)
    if row is not None:
        embedding, measures = catalogue.embeddings[row], catalogue.measures[row]
    elif record is not None:
        embedding, measures = np.asarray(record["style_embedding"], np.float64), measure_vector(record["measures"])
    else:
        raise KeyError(f"{query} is not in the run's images; pass its style record")
    neighbours = nearest(embedding, measures, catalogue.embeddings, catalogue.measures, k, exclude=row)
    return [
        {
            "rank": rank,
            "uri": catalogue.uris[n.index],
            "style": catalogue.styles[n.index],
            "similarity": round(n.similarity, 4),
            "embedding_similarity": round(n.embedding_similarity, 4),
            "element_similarity": round(n.element_similarity, 4),
        }
        for rank, n in enumerate(neighbours, 1)
    ]
