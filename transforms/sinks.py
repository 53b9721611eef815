"""Records → sink: Parquet tables under one output folder, local or gs://."""

import apache_beam as beam

from transforms.schema import Field, arrow_schema


class WriteParquetTable(beam.PTransform):
    """Writes rows as the Parquet table ``OUTPUT/<table>/part-*.parquet`` with the schema's explicit types."""

    def __init__(self, output: str, table: str, fields: tuple[Field, ...]) -> None:
        super().__init__()
        self._prefix = f"{output.rstrip('/')}/{table}/part"
        self._schema = arrow_schema(fields)

    def expand(self, rows: beam.PCollection) -> beam.pvalue.PDone:
        """Writes the files."""
        return rows | beam.io.WriteToParquet(self._prefix, self._schema, file_name_suffix=".parquet")
