"""Profile pipeline throughput (events/s) against a plain loop over the same functions, side by side.

Both read the same synthetic events file over the sample catalogue (the bundled samples, tagged
first; not timed), check each event, join it with the catalogue and sum it into its user's profile
and its image's engagement; the pipeline adds Beam (DirectRunner, two threads), the exception
handling and the Parquet tables. Run: ``python benchmarks/profile_throughput.py [--events N]``.
"""

import argparse
import datetime
import json
import random
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
EVENT_TYPES = {"view": 0.7, "click": 0.2, "cart": 0.07, "purchase": 0.03}  # how often each occurs
HALF_LIFE_DAYS = 14.0
SPAN_DAYS = 60


def tag_samples(folder: Path) -> Path:
    """Tags the bundled sample images into `folder` (images/) and returns it."""
    from pipeline.cli import import_tensorflow_quietly

    import_tensorflow_quietly()
    from pipeline.tagging import run
    from transforms.decode import IMAGE_SUFFIXES

    references = folder / "references.txt"
    samples = sorted(str(p) for p in (REPO / "samples").iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    references.write_text("\n".join(samples) + "\n")
    run(["--input", str(references), "--output", str(folder)])
    return folder


def write_events(folder: Path, count: int, users: int, suffix: str) -> tuple[Path, datetime.datetime]:
    """`count` random events by `users` users over the catalogue's images; returns the file and the newest time."""
    rows = pq.read_table(sorted((folder / "images").glob("*.parquet")), columns=["uri", "image_id"]).to_pylist()
    rng = random.Random(0)
    end = datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    kinds = rng.choices(list(EVENT_TYPES), weights=list(EVENT_TYPES.values()), k=count)
    events = []
    for kind in kinds:
        image = rng.choice(rows)
        moment = end - datetime.timedelta(seconds=rng.uniform(0, SPAN_DAYS * 86_400))
        named = {"uri": image["uri"], "image_id": None} if rng.random() < 0.8 else {**image, "uri": None}
        events.append({"user_id": f"user{rng.randrange(users):05d}", **named, "event": kind, "timestamp": moment})
    path = folder / f"events{suffix}"
    if suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(events), path)
    elif suffix == ".jsonl":
        path.write_text("".join(json.dumps({**e, "timestamp": e["timestamp"].isoformat()}) + "\n" for e in events))
    else:
        lines = (
            f"{e['user_id']},{e['uri'] or ''},{e['image_id'] or ''},{e['event']},{e['timestamp'].isoformat()}\n"
            for e in events
        )
        path.write_text("user_id,uri,image_id,event,timestamp\n" + "".join(lines))
    return path, end


def plain_loop(folder: Path, events: Path, as_of: float) -> int:
    """Reads, checks, joins and sums every event without Beam; returns how many became contributions."""
    from models.affinity import DEFAULT_EVENT_WEIGHTS, DecayedSum, parse_event_weights
    from transforms.events import catalogue_keys, event_reader, join_catalogue, parse_event, read_catalogue_rows

    catalogue = {}
    for path in sorted((folder / "images").glob("*.parquet")):
        with path.open("rb") as handle:
            catalogue.update(pair for row in read_catalogue_rows(handle) for pair in catalogue_keys(row))
    weights = parse_event_weights(DEFAULT_EVENT_WEIGHTS)
    users: dict[str, DecayedSum] = {}
    images: dict[str, DecayedSum] = {}
    with events.open("rb") as handle:
        for raw in event_reader(str(events))(str(events), handle):
            joined = join_catalogue(parse_event(raw, weights, as_of), catalogue)
            users.setdefault(joined.user_id, DecayedSum(HALF_LIFE_DAYS)).add(joined.time, joined.weight, joined.styles)
            images.setdefault(joined.uri, DecayedSum(HALF_LIFE_DAYS)).add(joined.time, joined.weight, {})
    for total in users.values():
        total.affinity()
    return sum(total.count for total in users.values())


def pipeline(folder: Path, events: Path, as_of: float) -> int:
    """The batch profile pipeline into Parquet; returns how many events became contributions."""
    from pipeline.profiles import run
    from pipeline.query import connect

    as_of_text = datetime.datetime.fromtimestamp(as_of, datetime.UTC).isoformat()
    run(["--events", str(events), "--output", str(folder), f"--half_life_days={HALF_LIFE_DAYS}", "--as_of", as_of_text])
    return connect(str(folder)).execute("SELECT sum(n_events) FROM user_profiles").fetchone()[0]


def main() -> None:
    """Measures both modes on the same events and prints events/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="how many synthetic events")
    parser.add_argument("--users", type=int, default=1_000, help="how many distinct users")
    parser.add_argument("--format", choices=[".csv", ".jsonl", ".parquet"], default=".csv", help="events file format")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = tag_samples(Path(temporary))
        events, end = write_events(folder, args.events, args.users, args.format)
        results = {}
        for mode, measure in (("plain", plain_loop), ("pipeline", pipeline)):
            start = time.perf_counter()
            contributions = measure(folder, events, end.timestamp())
            results[mode] = time.perf_counter() - start
            assert contributions == args.events, f"{mode}: {contributions} of {args.events} events contributed"
    print(f"\n{args.events} events ({args.format}) by {args.users} users over the tagged samples, half-life on")
    print(f"{'mode':<10}{'seconds':>9}{'events/s':>11}")
    for mode, seconds in results.items():
        print(f"{mode:<10}{seconds:>9.1f}{args.events / seconds:>11.0f}")
    print(f"pipeline / plain loop throughput: {results['plain'] / results['pipeline']:.2f}")


if __name__ == "__main__":
    main()
