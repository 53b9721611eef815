"""Records → sink: Parquet tables under one output folder, local or gs://."""

import apache_beam as beam

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

    def __init__(self, table: str, fields: tuple[Field, ...], streaming: bool = False) -> None:
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
