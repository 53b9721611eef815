"""Options of the tagging pipeline: command line → options → transforms."""

from apache_beam.options.pipeline_options import PipelineOptions

from models.paths import STYLE_CLASSIFIER_DIR
from transforms.decode import MAX_BYTES, MAX_PIXELS


class ImageStyleOptions(PipelineOptions):
    """Where images come from, which model tags them, and where the records go."""

    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        parser.add_argument("--input", help="batch: a text file of image references, or a glob")
        parser.add_argument("--input_subscription", help="streaming: Pub/Sub subscription projects/P/subscriptions/S")
        parser.add_argument("--input_topic", help="streaming: Pub/Sub topic projects/P/topics/T")
        parser.add_argument("--watch", help="streaming: a glob (local or gs://) whose files are tagged as they appear")
        parser.add_argument("--watch_interval", type=float, default=10.0, help="streaming: seconds between polls")
        parser.add_argument(
            "--watch_seconds", type=float, default=0.0, help="streaming: stop --watch after this long (0: never)"
        )
        parser.add_argument("--window_seconds", type=float, default=60.0, help="streaming: seconds per output file")
        parser.add_argument("--output", help="output folder for Parquet: images/ and dead_letters/ tables")
        parser.add_argument("--output_table", help="BigQuery table PROJECT:DATASET.TABLE for tagged images")
        parser.add_argument(
            "--dead_letter_table", help="BigQuery table for dead letters (default: OUTPUT_TABLE_dead_letters)"
        )
        parser.add_argument("--model", default=str(STYLE_CLASSIFIER_DIR), help="style classifier SavedModel")
        parser.add_argument(
            "--model_watch",
            help="glob of saved_model.pb files, e.g. gs://B/models/*/saved_model.pb: the newest replaces --model "
            "while the job runs",
        )
        parser.add_argument(
            "--model_watch_interval", type=float, default=60.0, help="seconds between checks of --model_watch"
        )
        parser.add_argument("--batch_size", type=int, default=32, help="largest batch per model call")
        parser.add_argument(
            "--share_model", action="store_true", help="one model copy per machine, shared by its worker processes"
        )
        parser.add_argument("--max_bytes", type=int, default=MAX_BYTES, help="larger files become dead letters")
        parser.add_argument("--allow_http", action="store_true", help="fetch http(s) references")
        parser.add_argument(
            "--allow_private_addresses", action="store_true", help="with --allow_http: also loopback/private hosts"
        )
        parser.add_argument("--http_timeout", type=float, default=10.0, help="seconds per http(s) connect and read")
        parser.add_argument("--max_pixels", type=int, default=MAX_PIXELS, help="larger images become dead letters")
