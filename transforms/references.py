"""Where references come from in batch: a text file of references, or a glob (local or gs://)."""

import apache_beam as beam
from apache_beam.io import fileio

from transforms.images import ImageRef

GLOB_CHARACTERS = "*?["


def parse_reference(line: str) -> list[ImageRef]:
    """One line of a references file: the uri itself; blank lines and # comments give none."""
    uri = line.strip()
    return [] if not uri or uri.startswith("#") else [ImageRef(uri, uri)]


class ReadReferences(beam.PTransform):
    """Image references from a glob (every matching file) or a text file (one reference per line)."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self._source = source

    def expand(self, pipeline: beam.pvalue.PBegin) -> beam.PCollection:
        """The references as ImageRef values."""
        if any(c in self._source for c in GLOB_CHARACTERS):
            return (
                pipeline
                | "Match" >> fileio.MatchFiles(self._source)
                | "ToRef" >> beam.Map(lambda metadata: ImageRef(metadata.path, metadata.path))
            )
        return pipeline | "ReadList" >> beam.io.ReadFromText(self._source) | "Parse" >> beam.FlatMap(parse_reference)
