"""Reference to bytes through Beam's FileSystems (local paths, gs:// and every registered scheme).

A plain function, shared by the CLI and the pipeline's read step.
"""

from apache_beam.io.filesystems import FileSystems


class ImageReadError(OSError):
    """The reference could not be read; the message says why in one line."""


def read_bytes(uri: str, max_bytes: int) -> bytes:
    """Reads the whole object at `uri`, refusing objects larger than `max_bytes`.

    Raises:
        ImageReadError: missing, unreadable or oversized objects.
    """
    try:
        with FileSystems.open(uri, compression_type="uncompressed") as handle:
            data = handle.read(max_bytes + 1)
    except Exception as error:  # every filesystem has its own errors; all mean "unreadable"
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        missing = isinstance(error, FileNotFoundError) or getattr(error, "code", None) == 404  # 404: GCS NotFound
        if missing or "not found" in message.lower() or "no such file" in message.lower():
            raise ImageReadError(f"not found: {uri}") from None
        raise ImageReadError(f"cannot read {uri}: {message}") from None
    if len(data) > max_bytes:
        raise ImageReadError(f"file too large: more than {max_bytes} bytes")
    return data
