"""gs:// references end to end against a local GCS emulator (gcp-storage-emulator)."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import apache_beam as beam
import pytest

from pipeline.options import ImageStyleOptions
from pipeline.query import connect
from pipeline.tagging import build_pipeline

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module")
def gcs_emulator() -> str:
    """A GCS emulator on a free loopback port, in memory."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    emulator = Path(sys.executable).parent / "gcp-storage-emulator"
    process = subprocess.Popen(
        [str(emulator), "start", "--host=127.0.0.1", f"--port={port}", "--in-memory"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.socket() as client:
            if client.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def bucket(gcs_emulator: str, monkeypatch: pytest.MonkeyPatch):
    """A bucket with two images and a text file; Beam's gcsio talks to it anonymously (tests only)."""
    from apache_beam.io.gcp import gcsio
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_emulator)

    def anonymous_client(*_args, **_kwargs) -> storage.Client:
        return storage.Client(project="test-project", credentials=AnonymousCredentials())

    # Without this, gcsio looks for credentials and stalls for half a minute before going anonymous.
    monkeypatch.setattr(gcsio, "create_storage_client", anonymous_client)
    client = anonymous_client()
    images = client.create_bucket("catalog")
    images.blob("shop/rocket.jpg").upload_from_filename(str(SAMPLES / "rocket.jpg"))
    images.blob("shop/logo.png").upload_from_filename(str(SAMPLES / "logo_rgba.png"))
    images.blob("shop/notes.jpg").upload_from_string(b"not an image")
    yield "gs://catalog"
    for blob in client.list_blobs("catalog"):
        blob.delete()
    images.delete()


def test_gs_glob_and_list_end_to_end(bucket: str, tmp_path: Path) -> None:
    listing = tmp_path / "references.txt"
    listing.write_text(f"{bucket}/shop/rocket.jpg\n{bucket}/shop/missing.jpg\n")
    for source, output in ((f"{bucket}/shop/*", tmp_path / "glob"), (str(listing), tmp_path / "list")):
        options = ImageStyleOptions(["--input", source, "--output", str(output)])
        with beam.Pipeline(options=options) as pipeline:
            build_pipeline(pipeline, options)
    tables = connect(str(tmp_path / "glob"))
    assert sorted(r[0] for r in tables.execute("SELECT uri FROM images").fetchall()) == [
        f"{bucket}/shop/logo.png",
        f"{bucket}/shop/rocket.jpg",
    ]
    assert tables.execute("SELECT uri, stage FROM dead_letters").fetchall() == [(f"{bucket}/shop/notes.jpg", "decode")]
    tables = connect(str(tmp_path / "list"))
    assert tables.execute("SELECT uri FROM images").fetchall() == [(f"{bucket}/shop/rocket.jpg",)]
    assert tables.execute("SELECT stage, error FROM dead_letters").fetchall() == [
        ("read", f"not found: {bucket}/shop/missing.jpg")
    ]
