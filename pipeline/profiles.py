"""The profile pipeline: user events ⋈ tagged images → user_profiles, image_engagement, profile_dead_letters.

A user's ``style_affinity`` is normalise(Σ weight(event) × decay(age) × the image's style scores)
over their events; an image's ``engagement`` is Σ weight × decay over its events. Batch reads an
events file or glob and writes one row per user and per engaged image, as of ``--as_of``;
streaming reads Pub/Sub and writes each user's and image's updated row after every event, one set
of files per window (readers take the newest row per key). Every event ends as exactly one
contribution or one dead letter in ``profile_dead_letters``.
"""

import time

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from models.affinity import DEFAULT_EVENT_WEIGHTS, parse_event_weights
from pipeline.options import ImageStyleOptions
from pipeline.query import connect, views
from pipeline.runner import run_job
from transforms.events import ProfileEvents, ReadCatalogue, ReadEvents, ReadEventsFromPubSub, event_time
from transforms.schema import DEAD_LETTER_FIELDS, IMAGE_ENGAGEMENT_FIELDS, USER_PROFILE_FIELDS
from transforms.sinks import write_tables

SUMMARY_DEAD_LETTERS = 20  # the summary lists this many; the table has them all
PROFILE_TABLES = (
    ("user_profiles", USER_PROFILE_FIELDS),
    ("image_engagement", IMAGE_ENGAGEMENT_FIELDS),
    ("profile_dead_letters", DEAD_LETTER_FIELDS),
)


class ProfileOptions(PipelineOptions):
    """Where events come from, how they weigh and decay, and which BigQuery table gets the profiles.

    ``--output`` (the tagging run's folder: its images/ are the catalogue, and the profile tables
    are written beside them) and ``--window_seconds`` are ImageStyleOptions' own: Beam parses every
    options class together and refuses a flag defined twice.
    """

    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        parser.add_argument("--events", help="batch: an events file or glob: .csv (with a header), .jsonl or .parquet")
        parser.add_argument("--events_subscription", help="streaming: Pub/Sub subscription projects/P/subscriptions/S")
        parser.add_argument("--events_topic", help="streaming: Pub/Sub topic projects/P/topics/T")
        parser.add_argument(
            "--event_weights",
            default=DEFAULT_EVENT_WEIGHTS,
            help="type=weight,... : the known event types and their weights; other types are dead letters",
        )
        parser.add_argument(
            "--half_life_days", type=float, default=0.0, help="an event's weight halves every this many days (0: never)"
        )
        parser.add_argument(
            "--as_of", help="batch: ISO-8601 time the profiles are as of (default: now); later events are dead letters"
        )
        parser.add_argument(
            "--profile_table",
            help="BigQuery table PROJECT:DATASET.TABLE for profiles; TABLE_engagement and TABLE_dead_letters beside it",
        )


def read_raw_events(pipeline: beam.Pipeline, options: ProfileOptions) -> beam.PCollection:
    """The raw events from the one source given."""
    sources = [name for name in ("events", "events_subscription", "events_topic") if getattr(options, name)]
    if len(sources) != 1:
        raise ValueError("give exactly one of --events, --events_subscription, --events_topic")
    if options.events:
        return pipeline | "Events" >> ReadEvents(options.events)
    return pipeline | "PubSubEvents" >> ReadEventsFromPubSub(options.events_subscription, options.events_topic)


def batch_as_of(text: str | None) -> float:
    """Epoch seconds of --as_of (ISO-8601 or epoch seconds); now when not given."""
    try:
        return event_time(text) if text else time.time()
    except ValueError as error:
        raise ValueError(f"--as_of: {error}") from None


def build_profile_pipeline(pipeline: beam.Pipeline, options: PipelineOptions) -> dict[str, beam.PCollection]:
    """Adds the job to `pipeline` and returns its PCollections, by table name, so tests can assert on them."""
    profile, folder = options.view_as(ProfileOptions), options.view_as(ImageStyleOptions)
    if not folder.output:
        raise ValueError("give --output: the folder of the tagging run whose images the events name")
    if not FileSystems.match([f"{folder.output.rstrip('/')}/images/*.parquet"])[0].metadata_list:
        raise ValueError(f"no tagged images in {folder.output}/images: run `image-style run --output` there first")
    if profile.half_life_days < 0:
        raise ValueError("--half_life_days must be 0 (no decay) or more")
    streaming = options.view_as(StandardOptions).streaming
    if (profile.events_subscription or profile.events_topic) and not streaming:
        raise ValueError("--events_subscription and --events_topic need --streaming")
    if streaming and profile.as_of:
        raise ValueError("--as_of is for batch: a stream's rows are as of each user's newest event")
    as_of = None if streaming else batch_as_of(profile.as_of)
    raw_events = read_raw_events(pipeline, profile)
    catalogue = pipeline | "Catalogue" >> ReadCatalogue(folder.output)
    weights = parse_event_weights(profile.event_weights)
    outputs = raw_events | "Profile" >> ProfileEvents(catalogue, weights, profile.half_life_days, as_of)
    bigquery_tables = profile.profile_table and {
        "user_profiles": profile.profile_table,
        "image_engagement": f"{profile.profile_table}_engagement",
        "profile_dead_letters": f"{profile.profile_table}_dead_letters",
    }
    write_tables(outputs, PROFILE_TABLES, folder.output, bigquery_tables, streaming, folder.window_seconds)
    return outputs


def profile_summary(output: str) -> str:
    """Users per top style, engaged images and the dead letters of a batch profile run, as printed after it."""
    connection = connect(output)
    tables = views(connection)
    lines = []
    if "user_profiles" in tables:
        sql = "SELECT top_style, count(*), sum(n_events) FROM user_profiles GROUP BY 1 ORDER BY 2 DESC, 1"
        rows = connection.execute(sql).fetchall()
        lines.append(f"user profiles: {sum(n for _, n, _ in rows)} ({sum(e for _, _, e in rows)} events)")
        lines += [f"  {style:<18} {n:>6}" for style, n, _ in rows]
    if "image_engagement" in tables:
        (count,) = connection.execute("SELECT count(*) FROM image_engagement").fetchone()
        lines.append(f"engaged images: {count}")
    if "profile_dead_letters" in tables:
        rows = connection.execute("SELECT stage, error FROM profile_dead_letters ORDER BY stage, error").fetchall()
        lines.append(f"profile dead letters: {len(rows)}")
        lines += [f"  {stage:<6} {error}" for stage, error in rows[:SUMMARY_DEAD_LETTERS]]
        if len(rows) > SUMMARY_DEAD_LETTERS:
            lines.append(f"  ... {len(rows) - SUMMARY_DEAD_LETTERS} more: image-style query --output {output} ...")
    return "\n".join(lines) or "no profile tables"


def run(argv: list[str]) -> beam.runners.runner.PipelineResult:
    """Runs the job to the end (a stream: until stopped); locally on the DirectRunner with two threads by default."""
    return run_job(build_profile_pipeline, argv)
