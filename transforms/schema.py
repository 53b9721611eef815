"""The output records, defined once: the Parquet (pyarrow) and BigQuery schemas derive from here.

``IMAGE_FIELDS`` describes a tagged image row (the JSON ``image-style classify`` prints, plus
``id``, ``model_version`` and ``processed_at``); ``DEAD_LETTER_FIELDS`` a reference that failed.
``USER_PROFILE_FIELDS`` and ``IMAGE_ENGAGEMENT_FIELDS`` describe the profile pipeline's tables.
"""

from dataclasses import dataclass

import pyarrow as pa

from models.element_names import COMPOSITION, MEASURES


@dataclass(frozen=True)
class Field:
    """One column: a BigQuery-style name, type and mode, with sub-fields for records."""

    name: str
    type: str  # STRING, INTEGER, FLOAT, BOOLEAN, TIMESTAMP or RECORD
    mode: str = "NULLABLE"  # NULLABLE, REQUIRED or REPEATED
    fields: tuple["Field", ...] = ()


def _floats(names: tuple[str, ...] | list[str]) -> tuple[Field, ...]:
    return tuple(Field(name, "FLOAT") for name in names)


_LABEL_SCORE = (Field("label", "STRING"), Field("score", "FLOAT"))
_COLOUR = (Field("hex", "STRING"), Field("fraction", "FLOAT"), Field("name", "STRING"), Field("family", "STRING"))
_REGION = (
    Field("fraction", "FLOAT"),
    Field("palette", "RECORD", "REPEATED", _COLOUR),
    *_floats(MEASURES),
)

IMAGE_FIELDS: tuple[Field, ...] = (
    Field("uri", "STRING", "REQUIRED"),
    Field("id", "STRING"),
    Field("image_id", "STRING"),
    Field("width", "INTEGER"),
    Field("height", "INTEGER"),
    Field("format", "STRING"),
    Field("mode", "STRING"),
    Field("style", "STRING"),
    Field("styles", "RECORD", "REPEATED", _LABEL_SCORE),
    Field("tags", "STRING", "REPEATED"),
    Field("explanation", "STRING", "REPEATED"),
    Field("style_embedding", "FLOAT", "REPEATED"),
    Field(
        "palette",
        "RECORD",
        "REPEATED",
        (
            *_COLOUR,
            Field("rgb", "INTEGER", "REPEATED"),
            Field("score", "FLOAT"),
            Field("role", "STRING"),
            Field("foreground_share", "FLOAT"),
        ),
    ),
    Field("measures", "RECORD", fields=_floats([*MEASURES, "negative_space"])),
    Field("composition", "RECORD", fields=_floats(COMPOSITION)),
    Field("foreground", "RECORD", fields=_REGION),
    Field("background", "RECORD", fields=_REGION),
    Field(
        "areas",
        "RECORD",
        "REPEATED",
        (
            Field("role", "STRING"),
            Field("box", "RECORD", fields=_floats(["x_min", "y_min", "x_max", "y_max"])),
            Field("fraction", "FLOAT"),
            Field("hex", "STRING"),
            Field("name", "STRING"),
            Field("family", "STRING"),
            Field("saliency", "FLOAT"),
            Field("objects", "RECORD", "REPEATED", _LABEL_SCORE),
        ),
    ),
    Field("objects", "RECORD", "REPEATED", _LABEL_SCORE),
    Field("model_version", "STRING"),
    Field("processed_at", "TIMESTAMP"),
)

DEAD_LETTER_FIELDS: tuple[Field, ...] = (
    Field("uri", "STRING", "REQUIRED"),
    Field("id", "STRING"),
    Field("stage", "STRING", "REQUIRED"),
    Field("error_type", "STRING"),
    Field("error", "STRING"),
    Field("failed_at", "TIMESTAMP"),
)

USER_PROFILE_FIELDS: tuple[Field, ...] = (
    Field("user_id", "STRING", "REQUIRED"),
    Field("style_affinity", "RECORD", "REPEATED", _LABEL_SCORE),  # every style, summing to 1, highest first
    Field("top_style", "STRING"),
    Field("n_events", "INTEGER"),
    Field("updated_at", "TIMESTAMP"),  # batch: --as_of; streaming: the user's newest event
)

IMAGE_ENGAGEMENT_FIELDS: tuple[Field, ...] = (
    Field("uri", "STRING", "REQUIRED"),
    Field("n_events", "INTEGER"),
    Field("engagement", "FLOAT"),  # Σ event weight × decay as of updated_at
    Field("half_life_days", "FLOAT"),
    Field("updated_at", "TIMESTAMP"),
)

_ARROW_TYPES = {
    "STRING": pa.string(),
    "INTEGER": pa.int64(),
    "FLOAT": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
}


def _arrow_type(field: Field) -> pa.DataType:
    is_record = field.type == "RECORD"
    value = pa.struct([_arrow_field(f) for f in field.fields]) if is_record else _ARROW_TYPES[field.type]
    return pa.list_(value) if field.mode == "REPEATED" else value


def _arrow_field(field: Field) -> pa.Field:
    return pa.field(field.name, _arrow_type(field), nullable=field.mode != "REQUIRED")


def arrow_schema(fields: tuple[Field, ...]) -> pa.Schema:
    """The pyarrow schema of Parquet files."""
    return pa.schema([_arrow_field(f) for f in fields])


def bigquery_schema(fields: tuple[Field, ...]) -> dict:
    """The BigQuery table schema (``{"fields": [...]}``), nested and repeated fields included."""

    def convert(field: Field) -> dict:
        out = {"name": field.name, "type": field.type, "mode": field.mode}
        if field.fields:
            out["fields"] = [convert(f) for f in field.fields]
        return out

    return {"fields": [convert(f) for f in fields]}


def conform(record: dict, fields: tuple[Field, ...]) -> dict:
    """Keeps exactly the schema's fields of `record` (missing ones as None, repeated as []), recursively."""
    out = {}
    for field in fields:
        value = record.get(field.name)
        if field.type == "RECORD" and field.mode == "REPEATED":
            out[field.name] = [conform(item, field.fields) for item in value or []]
        elif field.type == "RECORD":
            out[field.name] = None if value is None else conform(value, field.fields)
        elif field.mode == "REPEATED":
            out[field.name] = list(value or [])
        else:
            out[field.name] = value
    return out
