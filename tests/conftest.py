"""Shared fixtures: the bundled models are loaded once per test session; one tagged run of the samples; the
Pub/Sub emulator."""

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from pipeline.cli import import_tensorflow_quietly

import_tensorflow_quietly()


@pytest.fixture(scope="session")
def detector():
    """The bundled element detector SavedModel, loaded through the Python API."""
    from models.elements import ElementResolver

    return ElementResolver()


def solid(height: int, width: int, rgb: tuple[int, int, int]) -> np.ndarray:
    """An image of one colour."""
    return np.full((height, width, 3), rgb, np.uint8)


@pytest.fixture(scope="session")
def tagged_samples(tmp_path_factory: pytest.TempPathFactory):
    """The output folder of one pipeline run over the bundled samples (images/ and dead_letters/), as `make demo`."""
    from pathlib import Path

    from pipeline.tagging import run
    from transforms.decode import IMAGE_SUFFIXES

    samples = Path(__file__).resolve().parent.parent / "samples"
    output = tmp_path_factory.mktemp("tagged_samples")
    references = output / "references.txt"
    images = sorted(str(p) for p in samples.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    references.write_text("\n".join([*images, str(samples / "missing.jpg")]) + "\n")
    run(["--input", str(references), "--output", str(output)])
    return output


@pytest.fixture(scope="session")
def pubsub_emulator() -> str:
    """The real Pub/Sub emulator on a free loopback port (``host:port``), shared by the tests and stopped after them."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        ["gcloud", "beta", "emulators", "pubsub", "start", f"--host-port=127.0.0.1:{port}", "--project=test-project"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.time() + 90
    for line in process.stdout:
        if "Server started" in line:
            break
        if time.time() > deadline:
            break
    else:
        pytest.fail("the Pub/Sub emulator did not start")
    yield f"127.0.0.1:{port}"
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def wait_until(ready: Callable[[], bool], seconds: float = 150, what: str = "the stream's rows") -> None:
    """Polls `ready` every second until it holds; fails the test after `seconds`."""
    deadline = time.time() + seconds
    while not ready():
        if time.time() > deadline:
            pytest.fail(f"no {what} after {seconds:.0f} s")
        time.sleep(1)


@dataclass
class PubSubTopic:
    """A topic on the emulator with one subscription, and its publisher."""

    topic: str
    subscription: str
    publisher: Any

    def publish(self, data: bytes) -> None:
        """Publishes one message and waits until the emulator has it."""
        self.publisher.publish(self.topic, data).result(timeout=30)


@pytest.fixture
def pubsub_topic(pubsub_emulator: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> PubSubTopic:
    """A fresh topic and subscription named after the test, with PUBSUB_EMULATOR_HOST set for Beam and the clients."""
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator)
    from google.cloud import pubsub_v1

    name = re.sub(r"[^A-Za-z0-9-]", "-", request.node.name)[:200]
    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    topic = publisher.create_topic(name=f"projects/test-project/topics/{name}").name
    subscription = subscriber.create_subscription(name=f"projects/test-project/subscriptions/{name}", topic=topic).name
    return PubSubTopic(topic, subscription, publisher)
