"""The bundled style classifier loads, answers for every style, and classifies known images sensibly."""

import json
from pathlib import Path

import numpy as np
import pytest

from models.generator import STYLE_RECIPES, generate
from models.paths import STYLE_CLASSIFIER_DIR
from models.taxonomy import load_taxonomy
from pipeline.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def classifier():
    from models.styles import StyleResolver

    return StyleResolver()


def test_bundled_model_has_its_card_and_every_style() -> None:
    metrics = json.loads((STYLE_CLASSIFIER_DIR.parent / "metrics.json").read_text())
    assert metrics["labels"] == [style.id for style in load_taxonomy()]
    # The card's headline figures are measured on held-out real images and beat both baselines.
    model, colour, majority = (metrics[k]["top1"] for k in ("model", "colour_statistics", "majority_class"))
    assert model > colour > majority
    assert "Held-out real images" in (STYLE_CLASSIFIER_DIR.parent / "model_card.md").read_text()


def test_designs_generated_with_unseen_seeds_get_their_style(classifier) -> None:
    styles = list(STYLE_RECIPES)
    images = np.stack([np.asarray(generate(s, seed=987_654 + k).resize((224, 224))) for s in styles for k in (0, 1)])
    records = classifier.resolve(images)
    top2 = [styles[i // 2] in [s["label"] for s in r["styles"][:2]] for i, r in enumerate(records)]
    assert np.mean(top2) >= 0.85


def test_classify_cli_prints_styles_tags_and_explanation(capsys: pytest.CaptureFixture[str]) -> None:
    samples = REPO / "samples"
    assert main(["classify", str(samples / "hubble_deep_field.jpg"), str(samples / "rocket.jpg")]) == 0
    hubble, rocket = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    for record in (hubble, rocket):
        assert {"uri", "style", "styles", "tags", "explanation", "palette", "objects", "areas"} <= set(record)
        scores = [s["score"] for s in record["styles"]]
        assert scores == sorted(scores, reverse=True) and sum(scores) == pytest.approx(1.0, abs=1e-3)
        assert record["style"] == record["styles"][0]["label"]
        assert len(record["explanation"]) == 3
    assert {s["label"] for s in hubble["styles"][:2]} & {"future_tech", "mysterious_hard"}
    assert rocket["styles"][0]["label"] in ("future_tech", "mysterious_hard")


def test_classify_reports_bad_files_and_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    assert main(["classify", str(broken), str(REPO / "samples" / "coffee.webp")]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1 and f"{broken}: not an image" in err
