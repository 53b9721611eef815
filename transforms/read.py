"""Reference to bytes: Beam's FileSystems (local paths, gs:// and every registered scheme), and
http(s) only when the caller allows it.

A plain function, shared by the CLI and the pipeline's read step.
"""

import ipaddress
import socket
import urllib.parse
import urllib.request
from dataclasses import dataclass

from apache_beam.io.filesystems import FileSystems

from transforms.decode import MAX_BYTES, DecodedImage, decode_image


class ImageReadError(OSError):
    """The reference could not be read; the message says why in one line."""


@dataclass(frozen=True)
class HttpPolicy:
    """Whether http(s) references are fetched, and from where."""

    allowed: bool = False
    allow_private: bool = False  # loopback, private, link-local and reserved addresses
    timeout: float = 10.0  # seconds, for connecting and for each read


def _check_host(url: str, policy: HttpPolicy) -> None:
    """Refuses URLs whose host resolves to a private or loopback address unless the policy allows them."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImageReadError(f"not an http(s) url: {url}")
    if policy.allow_private:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except OSError as error:
        raise ImageReadError(f"cannot resolve {parts.hostname}: {error}") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise ImageReadError(f"refused: {parts.hostname} is a private or loopback address ({ip})")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Applies the same address check to every redirect target."""

    def __init__(self, policy: HttpPolicy) -> None:
        super().__init__()
        self._policy = policy

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check_host(newurl, self._policy)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _read_http(url: str, max_bytes: int, policy: HttpPolicy) -> bytes:
    if not policy.allowed:
        raise ImageReadError("http(s) references are off (allow them with --allow_http)")
    _check_host(url, policy)
    opener = urllib.request.build_opener(_CheckedRedirects(policy))
    try:
        with opener.open(url, timeout=policy.timeout) as response:
            length = response.headers.get("Content-Length")
            if length and int(length) > max_bytes:
                raise ImageReadError(f"file too large: {length} bytes > cap {max_bytes}")
            return response.read(max_bytes + 1)
    except ImageReadError:
        raise
    except urllib.error.HTTPError as error:
        prefix = "not found" if error.code == 404 else f"cannot read {url}: HTTP {error.code}"
        raise ImageReadError(f"{prefix}: {url}" if error.code == 404 else prefix) from None
    except (OSError, ValueError) as error:
        raise ImageReadError(f"cannot read {url}: {error}") from None


def read_bytes(uri: str, max_bytes: int, http: HttpPolicy = HttpPolicy()) -> bytes:
    """Reads the whole object at `uri`, refusing objects larger than `max_bytes`.

    Raises:
        ImageReadError: missing, unreadable, refused or oversized objects.
    """
    if uri.startswith(("http://", "https://")):
        data = _read_http(uri, max_bytes, http)
    else:
        try:
            with FileSystems.open(uri, compression_type="uncompressed") as handle:
                data = handle.read(max_bytes + 1)
        except Exception as error:  # every filesystem has its own errors; all mean "unreadable"
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            missing = isinstance(error, FileNotFoundError) or getattr(error, "code", None) == 404  # GCS NotFound
            if missing or "not found" in message.lower() or "no such file" in message.lower():
                raise ImageReadError(f"not found: {uri}") from None
            raise ImageReadError(f"cannot read {uri}: {message}") from None
    if len(data) > max_bytes:
        raise ImageReadError(f"file too large: more than {max_bytes} bytes")
    return data


def read_image(uri: str, size: int, http: HttpPolicy = HttpPolicy()) -> DecodedImage:
    """Reads and decodes one image for the models, with the default caps: what the CLI and training use.

    The pipeline runs the same two steps as separate stages so a dead letter can name which failed.
    """
    return decode_image(read_bytes(uri, MAX_BYTES, http), size)
