"""The style taxonomy: data, not code. A new style is a new id in the labels (and, for a
readable name, a row in models/data/styles.csv); retraining picks it up."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

STYLES_CSV = Path(__file__).resolve().parent / "data" / "styles.csv"


@dataclass(frozen=True)
class Style:
    """One design style."""

    id: str
    name: str
    description: str


def load_taxonomy(path: Path = STYLES_CSV) -> list[Style]:
    """The styles listed in the taxonomy file, in file order."""
    with path.open(newline="") as handle:
        return [Style(row["id"], row["name"], row["description"]) for row in csv.DictReader(handle)]


def style_ids(labels: Iterable[str], path: Path = STYLES_CSV) -> list[str]:
    """The taxonomy's ids in file order, then any new ids found in `labels`, sorted."""
    known = [style.id for style in load_taxonomy(path)]
    extra = sorted(set(labels) - set(known) - {""})
    return known + extra
