"""http(s) references: off by default, loopback refused unless allowed, byte cap kept, pipeline end to end."""

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import apache_beam as beam
import pytest

from pipeline.options import ImageStyleOptions
from pipeline.query import connect
from pipeline.tagging import build_pipeline
from transforms.read import HttpPolicy, ImageReadError, read_bytes

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A static file server over the samples on 127.0.0.1."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SAMPLES))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_http_is_off_unless_allowed_and_loopback_needs_its_own_permission(server: str) -> None:
    url = f"{server}/rocket.jpg"
    with pytest.raises(ImageReadError, match="http\\(s\\) references are off"):
        read_bytes(url, 10**7)
    with pytest.raises(ImageReadError, match="private or loopback"):
        read_bytes(url, 10**7, HttpPolicy(allowed=True))
    assert read_bytes(url, 10**7, HttpPolicy(True, True)) == (SAMPLES / "rocket.jpg").read_bytes()


def test_http_errors_and_caps(server: str) -> None:
    policy = HttpPolicy(True, True, timeout=5)
    with pytest.raises(ImageReadError, match="not found"):
        read_bytes(f"{server}/nothing.jpg", 10**7, policy)
    with pytest.raises(ImageReadError, match="file too large"):
        read_bytes(f"{server}/rocket.jpg", 1000, policy)


def test_pipeline_fetches_http_references_when_allowed(server: str, tmp_path: Path) -> None:
    listing = tmp_path / "references.txt"
    listing.write_text(f"{server}/coffee.webp\n{server}/nothing.jpg\n")
    for flags, output in (([], tmp_path / "off"), (["--allow_http", "--allow_private_addresses"], tmp_path / "on")):
        options = ImageStyleOptions(["--input", str(listing), "--output", str(output), *flags])
        with beam.Pipeline(options=options) as pipeline:
            build_pipeline(pipeline, options)
    off, on = connect(str(tmp_path / "off")), connect(str(tmp_path / "on"))
    assert off.execute("SELECT count(*) FROM dead_letters WHERE stage = 'read'").fetchone()[0] == 2
    assert on.execute("SELECT uri FROM images").fetchall() == [(f"{server}/coffee.webp",)]
    assert on.execute("SELECT error FROM dead_letters").fetchall() == [(f"not found: {server}/nothing.jpg",)]
