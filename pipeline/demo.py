"""``make demo``: classify the bundled sample images and resolve their style elements, with a summary.

Writes one JSON object per image to demo_output/styles.jsonl.
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
    from pipeline.cli import import_tensorflow_quietly

    import_tensorflow_quietly()
    from models.styles import StyleResolver

    resolver = StyleResolver()

    images = sorted(str(p) for p in SAMPLES.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    OUTPUT.mkdir(exist_ok=True)
    out_file = OUTPUT / "styles.jsonl"
    print(f"Classifying {len(images)} sample images in {SAMPLES} ...\n")
    print(f"{'image':<22} {'size':>10}  {'style':<22} {'top object':<20} {'palette (largest first)':<40} light  sat")
    failures = 0
    with out_file.open("w") as sink:
        for uri, record, error in resolve_references(images, resolver, batch_size=16):
            name = Path(uri).name
            if record is None:
                failures += 1
                print(f"{name:<24} error: {error}")
                continue
            sink.write(json.dumps(record) + "\n")
            top_style, top_object = record["styles"][0], record["objects"][0]
            palette = " ".join(f"{c['hex']}:{c['fraction']:.2f}" for c in record["palette"][:3])
            measures = record["measures"]
            print(
                f"{name[:22]:<22} {record['width']:>4}x{record['height']:<5} {top_style['label']:<16} "
                f"{top_style['score']:.2f}  {top_object['label'][:20]:<20} {palette:<40} "
                f"{measures['brightness']:.2f}  {measures['saturation']:.2f}"
            )
            print(f"{'':<24}why: {'; '.join(record['explanation'])}")
    print(f"\nFull records (styles, tags, explanation, palette, measures, areas, objects): {out_file}")
    print(f"One image by hand: .venv/bin/image-style classify --pretty {images[0]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
