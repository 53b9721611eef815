"""The HTML report at 1,000 and 10,000 rows: build time, file size and page load time, side by side in one run.

The rows repeat one pipeline run over the bundled samples. "distinct" gives every row its own
JPEG, so every thumbnail differs (the largest file); "repeated" points the rows at the sample
files themselves, so thumbnails come from the cache. Load time runs from navigation until the
first card is visible in Debian's headless Chromium, the median of three loads. Run:
``python benchmarks/report_load.py [--rows 1000 10000]``.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parent.parent
LOADS = 3


def tagged_samples(folder: Path) -> tuple[list[dict], list[dict]]:
    """The image rows and dead letters of one pipeline run over the bundled samples (and one missing file)."""
    from pipeline.cli import import_tensorflow_quietly

    import_tensorflow_quietly()
    from pipeline.tagging import run
    from transforms.decode import IMAGE_SUFFIXES

    folder.mkdir()
    images = sorted(str(p) for p in (REPO / "samples").iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    references = folder / "references.txt"
    references.write_text("\n".join([*images, str(folder / "missing.jpg")]) + "\n")
    run(["--input", str(references), "--output", str(folder)])
    tables = {
        name: pq.read_table(sorted((folder / name).glob("*.parquet"))).to_pylist()
        for name in ("images", "dead_letters")
    }
    return tables["images"], tables["dead_letters"]


def distinct_jpegs(folder: Path, rows: list[dict], count: int) -> list[tuple[str, str]]:
    """`count` different 320x240 JPEGs cut from the rows' images at random places: (uri, image_id) each."""
    from transforms.decode import content_id

    photos = []
    for row in rows:
        image = ImageOps.exif_transpose(Image.open(row["uri"]))
        if image.mode not in ("I;16", "I", "F"):  # 16-bit data converts to white; the 8-bit photos suffice
            photos.append(image.convert("RGB"))
    rng = np.random.default_rng(0)
    folder.mkdir()
    made = []
    for i in range(count):
        photo = photos[i % len(photos)]
        width, height = round(photo.width * rng.uniform(0.4, 0.9)), round(photo.height * rng.uniform(0.4, 0.9))
        left, top = int(rng.integers(0, photo.width - width + 1)), int(rng.integers(0, photo.height - height + 1))
        path = folder / f"image_{i:05d}.jpg"
        photo.crop((left, top, left + width, top + height)).resize((320, 240)).save(path, quality=85)
        made.append((str(path), content_id(path.read_bytes())))
    return made


def write_run(folder: Path, images: list[dict], dead_letters: list[dict]) -> None:
    """A run's output folder holding exactly these rows."""
    from transforms.schema import DEAD_LETTER_FIELDS, IMAGE_FIELDS, arrow_schema, conform

    for name, rows, fields in (("images", images, IMAGE_FIELDS), ("dead_letters", dead_letters, DEAD_LETTER_FIELDS)):
        (folder / name).mkdir(parents=True)
        table = pa.Table.from_pylist([conform(row, fields) for row in rows], schema=arrow_schema(fields))
        pq.write_table(table, folder / name / "part-00000-of-00001.parquet")


def load_seconds(browser, html: Path) -> float:
    """Median seconds from navigation to the first card visible, over fresh pages."""
    times = []
    for _ in range(LOADS):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        start = time.perf_counter()
        page.goto(html.as_uri(), wait_until="commit")
        page.wait_for_selector("#cards .card", state="visible", timeout=120_000)
        times.append(time.perf_counter() - start)
        page.close()
    return statistics.median(times)


def main() -> None:
    """Builds and loads each report, then prints one line per case."""
    from playwright.sync_api import sync_playwright

    from pipeline.report import CHROMIUM, CHROMIUM_ARGS, write_report

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 10_000])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="report_load_"))
    images, dead = tagged_samples(work / "samples_run")
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for count in args.rows:
            jpegs = distinct_jpegs(work / f"jpegs_{count}", images, count)
            letters = [{**dead[0], "uri": f"/missing/{i}.jpg", "id": str(i)} for i in range(count // 100)]
            for case in ("distinct", "repeated"):
                rows = [{**images[i % len(images)], "id": str(i)} for i in range(count)]
                if case == "distinct":
                    rows = [
                        {**row, "uri": uri, "image_id": image_id}
                        for row, (uri, image_id) in zip(rows, jpegs, strict=True)
                    ]
                output = work / f"run_{count}_{case}"
                write_run(output, rows, letters)
                start = time.perf_counter()
                summary = write_report(str(output), str(output / "report.html"))
                build = time.perf_counter() - start
                load = load_seconds(browser, output / "report.html")
                results.append((count, case, summary.thumbnails, build, summary.size_bytes / 1e6, load))
        browser.close()
    print(f"{'rows':>7} {'images':<9} {'thumbnails':>10} {'build s':>8} {'size MB':>8} {'load s':>7}")
    for count, case, thumbnails, build, size, load in results:
        print(f"{count:>7,} {case:<9} {thumbnails:>10,} {build:>8.2f} {size:>8.1f} {load:>7.2f}")
    print(f"(files under {work})")


if __name__ == "__main__":
    main()
