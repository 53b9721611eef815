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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.elements import ElementResolver


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
    from transforms.references import parse_reference

    references = list(paths)
    if input_list:
        references += [ref.uri for line in Path(input_list).read_text().splitlines() for ref in parse_reference(line)]
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
    references: Iterable[str], resolver: "ElementResolver", batch_size: int
) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    """Yields (uri, record, None) for each readable image and (uri, None, error) otherwise.

    `resolver` is an ``ElementResolver`` (elements) or a ``StyleResolver`` (styles and elements).
    """
    import numpy as np

    from models.element_detector import INPUT_SIZE
    from transforms.decode import ImageDecodeError
    from transforms.read import ImageReadError, read_image

    for batch in _batches(references, batch_size):
        decoded = []
        for uri in batch:
            try:
                decoded.append((uri, read_image(uri, INPUT_SIZE)))
            except (ImageReadError, ImageDecodeError) as error:
                yield uri, None, str(error)
        if not decoded:
            continue
        records = resolver.resolve(np.stack([image.pixels for _, image in decoded]))
        for (uri, image), record in zip(decoded, records, strict=True):
            header = {"uri": uri, "image_id": image.image_id, "width": image.width, "height": image.height}
            yield uri, {**header, "format": image.format, "mode": image.mode, **record}, None


def _print_records(args: argparse.Namespace, resolver_class: type, default_model: Path) -> int:
    """Shared body of ``elements`` and ``classify``: JSON lines out, one error line per bad file."""
    references = _references(args.paths, args.input)
    if not references:
        print(f"image-style {args.command}: no images given", file=sys.stderr)
        return 2
    resolver = resolver_class(args.model or default_model)
    failures = 0
    for uri, record, error in resolve_references(references, resolver, args.batch_size):
        if error is not None:
            failures += 1
            print(f"image-style: error: {uri}: {error}", file=sys.stderr)
        else:
            print(json.dumps(record, indent=2 if args.pretty else None), flush=True)
    return 1 if failures else 0


def _elements_command(args: argparse.Namespace) -> int:
    import_tensorflow_quietly()
    from models.elements import ElementResolver
    from models.paths import ELEMENT_DETECTOR_DIR

    return _print_records(args, ElementResolver, ELEMENT_DETECTOR_DIR)


def _classify_command(args: argparse.Namespace) -> int:
    import_tensorflow_quietly()
    from models.paths import STYLE_CLASSIFIER_DIR
    from models.styles import StyleResolver

    return _print_records(args, StyleResolver, STYLE_CLASSIFIER_DIR)


def _dataset_build_command(args: argparse.Namespace) -> int:
    import logging

    from models.dataset import REAL_LABELS, build_dataset, composition, read_manifest

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    manifest = build_dataset(
        Path(args.out),
        real_labels=None if args.no_real else Path(args.real or REAL_LABELS),
        synthetic_per_style=args.synthetic_per_style,
        user_data=args.user,
        seed=args.seed,
    )
    for key, counts in sorted(composition(read_manifest(manifest)).items()):
        print(f"{key:<22} {sum(counts.values()):>5}  " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"manifest: {manifest}")
    return 0


def _train_command(args: argparse.Namespace) -> int:
    import_tensorflow_quietly()
    from models.evaluate import evaluate
    from models.train import train

    model_dir = train(
        Path(args.data),
        Path(args.out),
        backbone=args.backbone,
        backbone_size=args.backbone_size,
        seed=args.seed,
        hidden=args.hidden,
        members=args.members,
        epochs=args.epochs,
        version=args.version,
    )
    if not args.no_evaluate:
        evaluate(Path(args.data), model_dir)
    return 0


def _evaluate_command(args: argparse.Namespace) -> int:
    import_tensorflow_quietly()
    from models.evaluate import evaluate

    evaluate(Path(args.data), Path(args.model))
    return 0


def _run_command(args: argparse.Namespace, beam_args: list[str]) -> int:
    import_tensorflow_quietly()
    from pipeline.options import ImageStyleOptions
    from pipeline.query import summary
    from pipeline.tagging import run

    run(beam_args)  # a streaming job runs until it is stopped
    output = ImageStyleOptions(beam_args).output
    if output:
        print(summary(output))
        print(f"tables: {output}/images/*.parquet, {output}/dead_letters/*.parquet")
    return 0


def _profile_command(args: argparse.Namespace, beam_args: list[str]) -> int:
    from pipeline.options import ImageStyleOptions
    from pipeline.profiles import profile_summary, run

    run(beam_args)  # a streaming job runs until it is stopped
    output = ImageStyleOptions(beam_args).output
    print(profile_summary(output))
    print(f"tables: {output}/user_profiles/, {output}/image_engagement/, {output}/profile_dead_letters/")
    return 0


def _recommend_command(args: argparse.Namespace) -> int:
    from pipeline.recommend import format_json, format_text, recommend

    try:
        recommendations = recommend(args.output, args.user, args.k, args.diversity)
    except ValueError as error:
        print(f"image-style recommend: error: {error}", file=sys.stderr)
        return 2
    print((format_json if args.format == "json" else format_text)(recommendations))
    return 0


def _query_command(args: argparse.Namespace) -> int:
    from pipeline.query import connect

    print(connect(args.output).sql(args.sql))
    return 0


def _report_command(args: argparse.Namespace) -> int:
    from pipeline.report import write_report

    try:
        report = write_report(args.output, args.html, thumbnail_size=args.thumbnail_size, thumbnails=args.thumbnails)
    except (FileNotFoundError, ValueError) as error:
        print(f"image-style report: {error}", file=sys.stderr)
        return 2
    size = f"{report.size_bytes / 1e6:.1f} MB" if report.size_bytes >= 1e6 else f"{report.size_bytes / 1e3:.0f} KB"
    print(f"report: {report.images} images, {report.dead_letters} dead letters, {size}: {report.path}")
    return 0


def _tags_command(args: argparse.Namespace) -> int:
    from pipeline.catalog import tag_rows, write_sidecars, write_tags

    rows = tag_rows(args.output)
    if args.xmp:  # read once: the export and the sidecars both need the rows
        rows = list(rows)
    if args.out:
        with open(args.out, "w", newline="") as out:
            count = write_tags(rows, out, args.format)
        print(f"{count} images' tags written to {args.out}", file=sys.stderr)
    else:
        write_tags(rows, sys.stdout, args.format)
    if args.xmp:
        report = write_sidecars(rows, overwrite=args.overwrite_xmp)
        print(
            f"XMP sidecars: {report.written} written, {report.kept} already there and kept, "
            f"{report.unsupported} images where no sidecar can be written (http)",
            file=sys.stderr,
        )
    return 0


def _similar_command(args: argparse.Namespace) -> int:
    from pipeline.catalog import load_catalogue, similar_images

    catalogue = load_catalogue(args.output)
    record = None
    if args.uri not in catalogue.keys:  # a new image: tag it with the same model first
        import_tensorflow_quietly()
        from models.styles import StyleResolver

        resolver = StyleResolver(args.model) if args.model else StyleResolver()
        _, record, error = next(resolve_references([args.uri], resolver, 1))
        if error is not None:
            print(f"image-style: error: {args.uri}: {error}", file=sys.stderr)
            return 1
    picks = similar_images(catalogue, args.uri, args.k, record)
    for pick in picks:
        if args.format == "json":
            print(json.dumps(pick))
        else:
            print(f"{pick['rank']:>3}  {pick['similarity']:.3f}  {pick['style']:<16}  {pick['uri']}")
    return 0


def _add_image_arguments(parser: argparse.ArgumentParser, model_help: str) -> None:
    parser.add_argument("paths", nargs="*", help="image paths or gs:// references")
    parser.add_argument("--input", help="a text file of references, one per line")
    parser.add_argument("--model", help=model_help)
    parser.add_argument("--batch-size", type=int, default=32, help="images per model call")
    parser.add_argument("--pretty", action="store_true", help="indent the JSON")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(prog="image-style", description="Resolve image style elements and design style.")
    commands = parser.add_subparsers(dest="command", required=True)

    elements = commands.add_parser("elements", help="print the style elements of images, one JSON object per line")
    _add_image_arguments(elements, "element detector SavedModel directory (default: the bundled one)")
    elements.set_defaults(run=_elements_command)

    classify = commands.add_parser("classify", help="print the design style and elements of images, JSON lines")
    _add_image_arguments(classify, "style classifier SavedModel directory (default: the bundled one)")
    classify.set_defaults(run=_classify_command)

    dataset = commands.add_parser("dataset", help="build the labelled sample data set")
    dataset_commands = dataset.add_subparsers(dest="dataset_command", required=True)
    build = dataset_commands.add_parser("build", help="assemble real, generated and user images into a manifest")
    build.add_argument("--out", required=True, help="output folder (manifest.csv, generated images)")
    build.add_argument("--real", help="real labels CSV (default: models/data/real_labels.csv)")
    build.add_argument("--no-real", action="store_true", help="leave the bundled real labels out")
    build.add_argument("--synthetic-per-style", type=int, default=150, help="generated designs per style")
    build.add_argument("--user", action="append", default=[], help="a CSV of uri,style or a folder per style")
    build.add_argument("--seed", type=int, default=0, help="seed of the split and the generator")
    build.set_defaults(run=_dataset_build_command)

    train = commands.add_parser("train", help="train, export and evaluate the style classifier")
    train.add_argument("--data", required=True, help="manifest.csv from `image-style dataset build`")
    train.add_argument("--out", required=True, help="output folder: model/, cache/, model_card.md, metrics.json")
    train.add_argument("--backbone", help="TF-Hub handle or local SavedModel path (default: bundled Lite0)")
    train.add_argument("--backbone-size", type=int, default=224, help="input side of --backbone")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--hidden", type=int, default=256, help="hidden units of the style head")
    train.add_argument("--members", type=int, default=5, help="heads from consecutive seeds, averaged")
    train.add_argument("--epochs", type=int, default=300, help="most epochs; early stopping ends sooner")
    train.add_argument("--version", help="version stamped on every record (default: style-classifier-YYYYMMDD)")
    train.add_argument("--no-evaluate", action="store_true", help="skip the evaluation after export")
    train.set_defaults(run=_train_command)

    evaluate = commands.add_parser("evaluate", help="metrics on held-out real images, baselines, model card")
    evaluate.add_argument("--data", required=True, help="manifest.csv")
    evaluate.add_argument("--model", required=True, help="the exported SavedModel directory (OUT/model)")
    evaluate.set_defaults(run=_evaluate_command)

    run = commands.add_parser(
        "run",
        help="the Beam pipeline: tag every referenced image (options: pipeline/options.py and Beam's)",
        description="Batch: --input FILE_OR_GLOB. Streaming: --watch GLOB, or --streaming with --input_subscription "
        "or --input_topic. "
        "Sinks: --output FOLDER (Parquet) and/or --output_table PROJECT:DATASET.TABLE.",
    )
    run.set_defaults(run=_run_command, passes_beam_args=True)

    profile = commands.add_parser(
        "profile",
        help="the Beam pipeline: users' style affinity from their events (options: pipeline/profiles.py and Beam's)",
        description="Batch: --events FILE_OR_GLOB (.csv with a header, .jsonl or .parquet). Streaming: --streaming "
        "with --events_subscription or --events_topic. --output FOLDER: a tagging run's folder; its images/ are the "
        "catalogue, user_profiles/, image_engagement/ and profile_dead_letters/ are written beside them. "
        "Also --event_weights view=1,click=2,cart=4,purchase=8, --half_life_days, --as_of, --profile_table.",
    )
    profile.set_defaults(run=_profile_command, passes_beam_args=True)

    recommend = commands.add_parser("recommend", help="a user's catalogue images ranked by style affinity, with why")
    recommend.add_argument("--user", required=True, help="the user_id")
    recommend.add_argument("--output", required=True, help="the folder of the tagging and profile runs")
    recommend.add_argument("-k", type=int, default=10, help="how many images")
    recommend.add_argument(
        "--diversity", type=float, default=0.3, help="0..1: 0 ranks by match alone, more keeps one style from filling"
    )
    recommend.add_argument("--format", choices=["text", "json"], default="text", help="json: one object per pick")
    recommend.set_defaults(run=_recommend_command)

    query = commands.add_parser(
        "query", help="run SQL with DuckDB over a run's tables (images, dead_letters, user_profiles, ...)"
    )
    query.add_argument("--output", required=True, help="the run's output folder")
    query.add_argument("sql", help='for example "SELECT style, count(*) FROM images GROUP BY style"')
    query.set_defaults(run=_query_command)

    report = commands.add_parser("report", help="write a self-contained HTML catalogue of a run (styles, dead letters)")
    report.add_argument("--output", required=True, help="the run's output folder")
    report.add_argument("--html", required=True, help="the HTML file to write")
    report.add_argument("--thumbnail-size", type=int, default=96, help="longer side of the thumbnails, pixels")
    report.add_argument(
        "--no-thumbnails", dest="thumbnails", action="store_false", help="placeholders instead of reading the images"
    )
    report.set_defaults(run=_report_command)

    tags = commands.add_parser("tags", help="export uri → top style and tags of a run, for a DAM/PIM import")
    tags.add_argument("--output", required=True, help="the run's output folder")
    tags.add_argument("--format", choices=("csv", "json"), default="csv", help="CSV, or JSON lines")
    tags.add_argument("--out", help="write to this file instead of standard output")
    tags.add_argument("--xmp", action="store_true", help="also write an XMP sidecar (dc:subject) beside each image")
    tags.add_argument("--overwrite-xmp", action="store_true", help="replace sidecars that are already there")
    tags.set_defaults(run=_tags_command)

    similar = commands.add_parser("similar", help="the images of a run nearest in style to an image")
    similar.add_argument("uri", help="a uri, id or image_id of the run, or any other image (tagged first)")
    similar.add_argument("--output", required=True, help="the run's output folder")
    similar.add_argument("-k", type=int, default=10, help="how many images")
    similar.add_argument("--format", choices=("text", "json"), default="text")
    similar.add_argument("--model", help="style classifier SavedModel for a new image (default: bundled)")
    similar.set_defaults(run=_similar_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``image-style`` console script."""
    args, extra = build_parser().parse_known_args(argv)
    if getattr(args, "passes_beam_args", False):
        return args.run(args, extra)  # --model, --batch_size, --runner, ... go to the pipeline options
    if extra:
        build_parser().error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return args.run(args)
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
