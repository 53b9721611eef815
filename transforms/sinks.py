"""Records → sink: Parquet tables under one output folder, local or gs://."""

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io import fileio
from apache_beam.transforms import window

from transforms.schema import Field, arrow_schema, bigquery_schema


class WriteParquetTable(beam.PTransform):
    """Writes rows as the Parquet table ``OUTPUT/<table>/part-*.parquet`` with the schema's explicit types."""

    def __init__(self, output: str, table: str, fields: tuple[Field, ...]) -> None:
        super().__init__()
        self._prefix = f"{output.rstrip('/')}/{table}/part"
        self._schema = arrow_schema(fields)

    def expand(self, rows: beam.PCollection) -> beam.pvalue.PDone:
        """Writes the files."""
        return rows | beam.io.WriteToParquet(self._prefix, self._schema, file_name_suffix=".parquet")


class ParquetSink(fileio.FileSink):
    """A fileio sink writing one Parquet file per window and shard (WriteToParquet rejects unbounded input)."""

    def __init__(self, schema: pa.Schema) -> None:
        self._schema = schema
        self._rows: list[dict] = []
        self._handle = None

    def open(self, fh) -> None:
        """Starts a file."""
        self._handle, self._rows = fh, []

    def write(self, record: dict) -> None:
        """Buffers a row; a window's rows are written together."""
        self._rows.append(record)

    def flush(self) -> None:
        """Writes the buffered rows as one Parquet file."""
        pq.write_table(pa.Table.from_pylist(self._rows, schema=self._schema), self._handle)


class WriteWindowedParquetTable(beam.PTransform):
    """Streaming: rows into fixed windows, each window's rows into ``OUTPUT/<table>/`` Parquet files."""

    def __init__(self, output: str, table: str, fields: tuple[Field, ...], window_seconds: float) -> None:
        super().__init__()
        self._path = f"{output.rstrip('/')}/{table}"
        self._schema = arrow_schema(fields)
        self._window_seconds = window_seconds

    def expand(self, rows: beam.PCollection) -> beam.PCollection:
        """Windows and writes the rows; returns the written files' metadata."""
        schema = self._schema
        return (
            rows
            | "Window" >> beam.WindowInto(window.FixedWindows(self._window_seconds))
            | "WriteFiles"
            >> fileio.WriteToFiles(
                self._path,
                sink=lambda _destination: ParquetSink(schema),
                file_naming=fileio.default_file_naming("part", ".parquet"),
                shards=1,
            )
        )


def bigquery_row(row: dict, fields: tuple[Field, ...]) -> dict:
    """A row as BigQuery's JSON load format wants it: timestamps as ISO-8601 strings, nested alike."""
    out = {}
    for field in fields:
        value = row.get(field.name)
        if value is None:
            out[field.name] = None
        elif field.type == "RECORD" and field.mode == "REPEATED":
            out[field.name] = [bigquery_row(item, field.fields) for item in value]
        elif field.type == "RECORD":
            out[field.name] = bigquery_row(value, field.fields)
        elif field.type == "TIMESTAMP":
            out[field.name] = value.isoformat()
        else:
            out[field.name] = value
    return out


class WriteBigQueryTable(beam.PTransform):
    """Writes rows to a BigQuery table made from the one schema: file loads in batch, Storage Write API streaming."""

    def __init__(self, table: str, fields: tuple[Field, ...], streaming: bool) -> None:
        super().__init__()
        self._table, self._fields, self._streaming = table, fields, streaming

    def expand(self, rows: beam.PCollection) -> beam.PCollection:
        """Converts and writes the rows."""
        from apache_beam.io.gcp.bigquery import BigQueryDisposition, WriteToBigQuery

        fields = self._fields
        method = WriteToBigQuery.Method.STORAGE_WRITE_API if self._streaming else WriteToBigQuery.Method.FILE_LOADS
        return (
            rows
            | "ToBigQueryRow" >> beam.Map(lambda row: bigquery_row(row, fields))
            | "Write"
            >> WriteToBigQuery(
                self._table,
                schema=bigquery_schema(fields),
                method=method,
                create_disposition=BigQueryDisposition.CREATE_IF_NEEDED,
                write_disposition=BigQueryDisposition.WRITE_APPEND,
            )
        )


def write_tables(
    outputs: dict[str, beam.PCollection],
    tables: tuple[tuple[str, tuple[Field, ...]], ...],
    output: str | None,
    bigquery_tables: dict[str, str] | None,
    streaming: bool,
    window_seconds: float,
) -> None:
    """Writes each named PCollection as ``OUTPUT/<table>/`` Parquet (by window in streaming) and/or to BigQuery.

    Args:
        outputs: the rows of each table, by table name.
        tables: (table name, fields) of the tables to write.
        output: the Parquet folder, or None for none.
        bigquery_tables: table name → BigQuery table, or None for none.
        streaming: whether the rows are unbounded.
        window_seconds: the window of one set of files in streaming.
    """
    for table, fields in tables:
        label = table.title().replace("_", "")
        if output and streaming:
            outputs[table] | f"Write{label}" >> WriteWindowedParquetTable(output, table, fields, window_seconds)
        elif output:
            outputs[table] | f"Write{label}" >> WriteParquetTable(output, table, fields)
        if bigquery_tables:
            outputs[table] | f"{label}ToBigQuery" >> WriteBigQueryTable(bigquery_tables[table], fields, streaming)
