"""Catalogue management on a real run: tag export, XMP sidecars, similar-style search and the saved queries."""

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from models.similarity import nearest
from pipeline.catalog import keywords, sidecar_paths, tag_rows, write_sidecars
from pipeline.cli import main
from pipeline.query import connect

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"


def _table(output: Path) -> dict[str, tuple]:
    rows = connect(str(output)).execute("SELECT uri, style, tags FROM images").fetchall()
    return {uri: (style, list(tags)) for uri, style, tags in rows}


def test_tags_export_as_csv_and_json_lines(tagged_samples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = _table(tagged_samples)
    assert main(["tags", "--output", str(tagged_samples), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["uri"]: (r["style"], r["tags"].split(";") if r["tags"] else []) for r in rows} == table
    assert all(0 < float(r["style_score"]) <= 1 and r["model_version"] for r in rows)

    out = tagged_samples / "tags.jsonl"
    assert main(["tags", "--output", str(tagged_samples), "--format", "json", "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["uri"]: (r["style"], r["tags"]) for r in records} == table


def _subjects(sidecar: Path) -> list[str]:
    description = ET.parse(sidecar).getroot().find(f"{RDF}RDF/{RDF}Description")
    return [li.text for li in description.find(f"{DC}subject/{RDF}Bag")]


def test_xmp_sidecars_carry_the_keywords_and_keep_existing_ones(tagged_samples: Path, tmp_path: Path) -> None:
    rows = list(tag_rows(str(tagged_samples)))[:3]
    for row in rows:  # sidecars go beside copies, not beside the repo's samples
        row["uri"] = str(shutil.copy(row["uri"], tmp_path))
    (tmp_path / "kept.xmp").write_text("an editor's sidecar")
    rows[2]["uri"] = str(shutil.copy(rows[2]["uri"], tmp_path / "kept.jpg"))
    rows.append({**rows[0], "uri": "https://example.com/a.jpg"})

    report = write_sidecars(rows)
    assert (report.written, report.kept, report.unsupported) == (2, 1, 1)
    for row in rows[:2]:
        sidecar = Path(row["uri"]).with_suffix(".xmp")
        assert _subjects(sidecar) == keywords(row) and keywords(row)[0] == row["style"]
    assert (tmp_path / "kept.xmp").read_text() == "an editor's sidecar"
    assert write_sidecars(rows[2:3], overwrite=True).written == 1
    assert _subjects(tmp_path / "kept.xmp") == keywords(rows[2])


def test_sidecars_of_images_sharing_a_stem_do_not_collide() -> None:
    assert sidecar_paths(["/a/x.jpg", "/a/x.png", "/a/y.jpg"]) == {
        "/a/x.jpg": "/a/x.jpg.xmp",
        "/a/x.png": "/a/x.png.xmp",
        "/a/y.jpg": "/a/y.xmp",
    }


def test_nearest_ranks_by_embedding_and_measures() -> None:
    embeddings = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [1.0, 0.0]])
    measures = np.array([[0.5], [0.5], [0.5], [0.9]])
    picks = nearest(embeddings[0], measures[0], embeddings, measures, k=3, exclude=0)
    # A near style in the same light beats the same style in a light 2.3 deviations off; an unlike style is last.
    assert [p.index for p in picks] == [1, 3, 2]
    assert picks[1].embedding_similarity == pytest.approx(1.0) and picks[1].element_similarity < 0.1
    assert picks[0].similarity == pytest.approx(0.7 * 0.8 + 0.3 * 1.0)
    assert len(nearest(embeddings[0], measures[0], embeddings, measures, k=10, exclude=0)) == 3


def test_similar_finds_the_same_image_first_for_a_new_file(
    tagged_samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = shutil.copy(SAMPLES / "rocket.jpg", tmp_path / "new_upload.jpg")
    assert main(["similar", str(copy), "--output", str(tagged_samples), "-k", "3", "--format", "json"]) == 0
    picks = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [p["rank"] for p in picks] == [1, 2, 3]
    assert Path(picks[0]["uri"]).name == "rocket.jpg" and picks[0]["similarity"] > 0.99
    assert picks[0]["similarity"] >= picks[1]["similarity"] >= picks[2]["similarity"]

    in_run = picks[0]["uri"]
    assert main(["similar", in_run, "--output", str(tagged_samples), "-k", "20", "--format", "json"]) == 0
    picks = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert in_run not in {p["uri"] for p in picks} and len(picks) == len(_table(tagged_samples)) - 1


def test_records_carry_a_unit_style_embedding(tagged_samples: Path) -> None:
    embeddings = connect(str(tagged_samples)).execute("SELECT style_embedding FROM images").fetchall()
    assert all(len(e) == 32 and abs(np.linalg.norm(e) - 1) < 1e-3 for (e,) in embeddings)


def _saved_queries() -> dict[str, str]:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    blocks = re.findall(r"```sql\n(.*?)```", readme, re.S)
    return {block.splitlines()[0].removeprefix("-- "): block for block in blocks}


def test_the_readme_saved_queries_answer_their_question(tagged_samples: Path) -> None:
    queries = _saved_queries()
    tables = connect(str(tagged_samples))
    rows = pq.read_table(tagged_samples / "images").to_pylist()

    distribution = tables.execute(queries["distribution by style"]).fetchall()
    counts = Counter(r["style"] for r in rows)
    assert {style: n for style, n, _ in distribution} == counts
    assert sum(percent for *_, percent in distribution) == pytest.approx(100, abs=0.5)

    found = tables.execute(queries["images of a style with a given colour family (at least 10% of the image)"])
    expected = {
        r["uri"]
        for r in rows
        if r["style"] == "future_tech" and any(c["family"] == "blue" and c["fraction"] >= 0.1 for c in r["palette"])
    }
    assert {uri for uri, _ in found.fetchall()} == expected and expected

    review = tables.execute(queries["low-confidence images to review: a weak top style, or a close runner-up"])
    expected = {
        r["uri"]
        for r in rows
        if r["styles"][0]["score"] < 0.5 or r["styles"][0]["score"] - r["styles"][1]["score"] < 0.15
    }
    assert {row[0] for row in review.fetchall()} == expected
