"""The Flex Template's metadata agrees with the pipeline's options."""

import argparse
import json
import re
from pathlib import Path

from pipeline.options import ImageStyleOptions

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _option_dests() -> dict[str, argparse.Action]:
    parser = argparse.ArgumentParser()
    ImageStyleOptions._add_argparse_args(parser)
    return {action.dest: action for action in parser._actions if action.dest != "help"}


def test_metadata_lists_every_option_and_nothing_else() -> None:
    metadata = json.loads((TEMPLATES / "metadata.json").read_text())
    parameters = {p["name"]: p for p in metadata["parameters"]}
    options = _option_dests()
    assert set(parameters) == set(options)
    for name, parameter in parameters.items():
        assert parameter["label"] and parameter["helpText"] and parameter["regexes"], name
        assert parameter["isOptional"] == (not options[name].required), name


def test_metadata_regexes_accept_good_values_and_reject_bad_ones() -> None:
    regexes = {p["name"]: p["regexes"][0] for p in json.loads((TEMPLATES / "metadata.json").read_text())["parameters"]}
    good = {
        "input": "gs://bucket/catalog/*.jpg",
        "output": "gs://bucket/out",
        "output_table": "my-project:catalog.image_styles",
        "dead_letter_table": "my-project:catalog.dead",
        "model": "gs://bucket/models/style/model",
        "batch_size": "32",
        "max_bytes": "67108864",
        "max_pixels": "100000000",
    }
    bad = {"input": "catalog.txt", "output_table": "no-dataset", "batch_size": "0", "max_pixels": "-1"}
    for name, value in good.items():
        assert re.fullmatch(regexes[name], value), (name, value)
    for name, value in bad.items():
        assert not re.fullmatch(regexes[name], value), (name, value)


def test_dockerfile_names_the_entry_point_and_setup_file() -> None:
    dockerfile = (TEMPLATES / "Dockerfile").read_text()
    assert "python311-template-launcher-base" in dockerfile
    assert 'FLEX_TEMPLATE_PYTHON_PY_FILE="${WORKDIR}/pipeline/main.py"' in dockerfile
    assert 'FLEX_TEMPLATE_PYTHON_SETUP_FILE="${WORKDIR}/setup.py"' in dockerfile
    assert (TEMPLATES.parent / "pipeline" / "main.py").exists()
