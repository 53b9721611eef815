"""The Beam pipeline against a plain loop over the same model, side by side in one run.

Both read the same 512-px JPEGs, decode them with the same function and call the same
SavedModel's ``serve`` in batches of 32; the pipeline adds Beam (DirectRunner, two threads),
RunInference, dead-letter handling and Parquet. Each mode runs in its own process so its peak
memory is its own. Run: ``python benchmarks/pipeline_throughput.py [--images N]``.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BATCH = 32


def make_jpegs(folder: Path, count: int) -> Path:
    """Writes `count` 512x512 JPEGs cut from real photos and returns a references file."""
    import skimage.data
    from PIL import Image
    from sklearn.datasets import load_sample_images

    photos = [skimage.data.chelsea(), skimage.data.coffee(), skimage.data.astronaut(), *load_sample_images().images]
    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        photo = Image.fromarray(photos[i % len(photos)])
        scale = 512 / min(photo.size) * rng.uniform(1.0, 1.5)
        photo = photo.resize((round(photo.width * scale), round(photo.height * scale)))
        left, top = (int(rng.integers(0, max(d - 512, 0) + 1)) for d in photo.size)
        path = folder / f"image_{i:05d}.jpg"
        photo.crop((left, top, left + 512, top + 512)).save(path, quality=90)
        paths.append(str(path))
    references = folder / "references.txt"
    references.write_text("\n".join(paths) + "\n")
    return references


def plain_loop(references: Path) -> None:
    """Decode + ``model.serve`` in batches, no Beam."""
    import tensorflow as tf

    from models.element_detector import INPUT_SIZE
    from models.paths import STYLE_CLASSIFIER_DIR
    from transforms.read import read_image

    model = tf.saved_model.load(str(STYLE_CLASSIFIER_DIR))
    uris = references.read_text().split()
    for begin in range(0, len(uris), BATCH):
        pixels = [read_image(uri, INPUT_SIZE).pixels for uri in uris[begin : begin + BATCH]]
        model.serve(tf.constant(np.stack(pixels)))


def pipeline(references: Path) -> None:
    """The batch pipeline into Parquet in a temporary folder."""
    from pipeline.tagging import run

    with tempfile.TemporaryDirectory() as output:
        run(["--input", str(references), "--output", output, f"--batch_size={BATCH}"])


def measure(mode: str, references: Path) -> dict:
    """Runs one mode in this process; reports wall seconds and peak memory."""
    from pipeline.cli import import_tensorflow_quietly

    import_tensorflow_quietly()
    start = time.perf_counter()
    {"plain": plain_loop, "pipeline": pipeline}[mode](references)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    """Measures both modes on the same images and prints the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=512, help="how many 512-px JPEGs")
    parser.add_argument("--mode", choices=["plain", "pipeline"], help=argparse.SUPPRESS)
    parser.add_argument("--references", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(measure(args.mode, args.references)))
        return
    with tempfile.TemporaryDirectory() as folder:
        references = make_jpegs(Path(folder), args.images)
        results = {}
        for mode in ("plain", "pipeline"):
            command = [sys.executable, __file__, "--mode", mode, "--references", str(references)]
            completed = subprocess.run(command, capture_output=True, text=True, check=True)
            results[mode] = json.loads(completed.stdout.strip().splitlines()[-1])
    print(f"\n{args.images} JPEGs of 512x512, style classifier, batch {BATCH}, model load included")
    print(f"{'mode':<10}{'seconds':>9}{'images/s':>10}{'peak MB':>9}")
    for mode, r in results.items():
        print(f"{mode:<10}{r['seconds']:>9.1f}{args.images / r['seconds']:>10.1f}{r['peak_mb']:>9.0f}")
    ratio = results["plain"]["seconds"] / results["pipeline"]["seconds"]
    print(f"pipeline / plain loop throughput: {ratio:.2f} (aim: 0.8 or more)")


if __name__ == "__main__":
    main()
