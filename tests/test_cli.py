"""``image-style elements``: one JSON object per image, one error line per bad file, non-zero exit."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main

REPO = Path(__file__).resolve().parent.parent
SAMPLES = sorted(p for p in (REPO / "samples").iterdir() if p.suffix in {".png", ".jpg", ".webp", ".gif", ".bmp"})


def test_every_bundled_sample_resolves(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["elements", *map(str, SAMPLES)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["uri"] for r in records] == [str(p) for p in SAMPLES]
    formats = {r["format"] for r in records}
    assert {"PNG", "JPEG", "WEBP", "GIF", "BMP"} <= formats
    assert {"CMYK", "RGBA", "P", "I;16"} <= {r["mode"] for r in records}
    for record in records:
        assert {"uri", "image_id", "width", "height", "palette", "objects", "areas", "measures"} <= set(record)
        assert {"hex", "fraction", "name", "family", "role"} <= set(record["palette"][0])
        assert {"label", "score"} == set(record["objects"][0])


def test_bad_files_get_one_error_line_each_and_the_rest_still_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_image = tmp_path / "notes.jpg"
    not_image.write_text("just text")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.png"
    good = REPO / "samples" / "chelsea.png"
    listing = tmp_path / "list.txt"
    listing.write_text(f"# a comment\n{missing}\n\n")

    code = main(["elements", str(not_image), str(good), str(empty), "--input", str(listing)])

    out, err = capsys.readouterr()
    assert code == 1
    assert [json.loads(line)["uri"] for line in out.splitlines()] == [str(good)]
    errors = err.splitlines()
    assert len(errors) == 3
    assert f"{not_image}: not an image" in errors[0]
    assert f"{empty}: empty file" in errors[1]
    assert f"{missing}: not found" in errors[2]


def test_console_script_output_is_clean_json_lines() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "elements", str(REPO / "samples" / "coffee.webp")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    (line,) = completed.stdout.splitlines()
    assert json.loads(line)["objects"][0]["label"] == "espresso"
    assert completed.stderr == ""
