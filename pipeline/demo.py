"""``make demo``: resolve the style elements of the bundled sample images and print a summary.

Writes one JSON object per image to demo_output/elements.jsonl.
"""

import json
import sys
from pathlib import Path

from pipeline.cli import resolve_references

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
OUTPUT = REPO / "demo_output"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp"}


def main() -> int:
    """Runs the demo and prints one summary line per image."""
    from models.elements import ElementResolver
    from pipeline.cli import import_tensorflow_quietly

    import_tensorflow_quietly()
    resolver = ElementResolver()

    images = sorted(str(p) for p in SAMPLES.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    OUTPUT.mkdir(exist_ok=True)
    out_file = OUTPUT / "elements.jsonl"
    print(f"Resolving style elements of {len(images)} sample images in {SAMPLES} ...\n")
    print(f"{'image':<24} {'size':>10}  {'top object':<24} {'palette (largest first)':<46} light  sat  subject")
    failures = 0
    with out_file.open("w") as sink:
        for uri, record, error in resolve_references(images, resolver, batch_size=16):
            name = Path(uri).name
            if record is None:
                failures += 1
                print(f"{name:<24} error: {error}")
                continue
            sink.write(json.dumps(record) + "\n")
            top = record["objects"][0]
            palette = " ".join(f"{c['hex']}:{c['fraction']:.2f}" for c in record["palette"][:4])
            measures = record["measures"]
            print(
                f"{name:<24} {record['width']:>4}x{record['height']:<5} {top['label'][:18]:<18} {top['score']:.2f}"
                f"  {palette:<46} {measures['brightness']:.2f}  {measures['saturation']:.2f}"
                f"  {record['foreground']['fraction']:.2f}"
            )
    print(f"\nFull element records: {out_file}")
    print(f"One image by hand:     .venv/bin/image-style elements --pretty {images[0]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
