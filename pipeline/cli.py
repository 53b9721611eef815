"""The ``image-style`` command line.

``image-style elements PATH...`` resolves images one batch at a time without starting Beam,
through the same read, decode and model functions the pipeline wraps.
"""

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def import_tensorflow_quietly() -> None:
    """Imports TensorFlow and initialises its devices with stderr muted.

    TensorFlow's C++ start-up lines (oneDNN, CUDA probing) ignore TF_CPP_MIN_LOG_LEVEL and
    would bury the per-image errors; Python exceptions still surface after stderr returns.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # honoured once TensorFlow's logging is up
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow as tf

        tf.config.list_physical_devices()
        tf.constant(0.0).numpy()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _references(paths: list[str], input_list: str | None) -> list[str]:
    """The references named on the command line, then those in the --input file."""
    references = list(paths)
    if input_list:
        lines = Path(input_list).read_text().splitlines()
        references += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return references


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def resolve_references(
    references: Iterable[str], model_dir: str, batch_size: int
) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    """Yields (uri, element record, None) for each readable image and (uri, None, error) otherwise."""
    import_tensorflow_quietly()
    from models.element_detector import INPUT_SIZE
    from models.elements import ElementDetector
    from transforms.decode import MAX_BYTES, ImageDecodeError, decode_image
    from transforms.read import ImageReadError, read_bytes

    detector = ElementDetector(model_dir)
    for batch in _batches(references, batch_size):
        decoded = []
        for uri in batch:
            try:
                decoded.append((uri, decode_image(read_bytes(uri, MAX_BYTES), INPUT_SIZE)))
            except (ImageReadError, ImageDecodeError) as error:
                yield uri, None, str(error)
        if not decoded:
            continue
        import numpy as np

        records = detector.resolve(np.stack([image.pixels for _, image in decoded]))
        for (uri, image), elements in zip(decoded, records, strict=True):
            header = {"uri": uri, "image_id": image.image_id, "width": image.width, "height": image.height}
            yield uri, {**header, "format": image.format, "mode": image.mode, **elements}, None


def _elements_command(args: argparse.Namespace) -> int:
    from models.paths import ELEMENT_DETECTOR_DIR

    references = _references(args.paths, args.input)
    if not references:
        print("image-style elements: no images given", file=sys.stderr)
        return 2
    failures = 0
    for uri, record, error in resolve_references(references, args.model or str(ELEMENT_DETECTOR_DIR), args.batch_size):
        if error is not None:
            failures += 1
            print(f"image-style: error: {uri}: {error}", file=sys.stderr)
        else:
            print(json.dumps(record, indent=2 if args.pretty else None), flush=True)
    return 1 if failures else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(prog="image-style", description="Resolve image style elements and design style.")
    commands = parser.add_subparsers(dest="command", required=True)
    elements = commands.add_parser("elements", help="print the style elements of images, one JSON object per line")
    elements.add_argument("paths", nargs="*", help="image paths or gs:// references")
    elements.add_argument("--input", help="a text file of references, one per line")
    elements.add_argument("--model", help="element detector SavedModel directory (default: the bundled one)")
    elements.add_argument("--batch-size", type=int, default=32, help="images per model call")
    elements.add_argument("--pretty", action="store_true", help="indent the JSON")
    elements.set_defaults(run=_elements_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``image-style`` console script."""
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
