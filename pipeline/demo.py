"""``make demo``: the Beam pipeline on the bundled sample images (DirectRunner, local Parquet), summarised.

Writes demo_output/references.txt, then demo_output/images/ and demo_output/dead_letters/.
"""

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
OUTPUT = REPO / "demo_output"
EXAMPLE_QUERY = (
    "SELECT style, count(*) AS images, round(avg(measures.brightness), 2) AS brightness FROM images GROUP BY style"
)


def main() -> int:
    """Runs the pipeline over the samples and prints what it made."""
    from pipeline.cli import import_tensorflow_quietly

    import_tensorflow_quietly()
    from pipeline.query import connect, summary
    from pipeline.tagging import run
    from transforms.decode import IMAGE_SUFFIXES

    shutil.rmtree(OUTPUT, ignore_errors=True)
    OUTPUT.mkdir()
    references = OUTPUT / "references.txt"
    images = sorted(str(p) for p in SAMPLES.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    references.write_text("\n".join(images) + "\n")
    print(f"Tagging {len(images)} sample images with the Beam pipeline (DirectRunner) ...\n")
    run(["--input", str(references), "--output", str(OUTPUT)])

    print(summary(str(OUTPUT)))
    tables = connect(str(OUTPUT))
    print("\nper image (style, score, why):")
    rows = tables.execute("SELECT uri, style, styles[1].score, explanation FROM images ORDER BY style, uri").fetchall()
    for uri, style, score, explanation in rows:
        print(f"  {Path(uri).name:<24} {style:<16} {score:.2f}  {'; '.join(explanation)}")
    print(f"\ntables:  {OUTPUT}/images/*.parquet  {OUTPUT}/dead_letters/*.parquet")
    print(f'query:   .venv/bin/image-style query --output {OUTPUT} "{EXAMPLE_QUERY}"')
    print(tables.sql(EXAMPLE_QUERY))
    print("next:")
    for command in (
        "report --output demo_output --html demo_output/report.html",
        "tags --output demo_output --format csv",
        "similar samples/rocket.jpg --output demo_output -k 5",
        "profile --events samples/events.csv --output demo_output --half_life_days 14",
        "recommend --user alice --output demo_output -k 5",
    ):
        print(f"  .venv/bin/image-style {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
