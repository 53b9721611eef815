"""Tensors → inference → record: a typed ModelHandler for our SavedModels and the RunInference step."""

import datetime
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

import apache_beam as beam
import numpy as np
from apache_beam.io.filesystems import FileSystems
from apache_beam.ml.inference.base import KeyedModelHandler, ModelHandler, PredictionResult, RunInference

from transforms.images import ImageMeta
from transforms.schema import IMAGE_FIELDS, conform


def load_saved_model(path: str) -> Any:
    """``tf.saved_model.load``, with TensorFlow imported only where a model is loaded."""
    import tensorflow as tf

    return tf.saved_model.load(path)


class WatchedModel:
    """A SavedModel that replaces itself with the newest one matching a pattern, checked every `interval` seconds.

    A streaming job picks up a new model version without a restart: drop ``v2/`` (with its
    ``saved_model.pb``) beside ``v1/`` and the next batch after the check runs on it; its records
    carry its version. A match that does not load (still being copied, say) is logged and retried
    at the next check while the newest one that loads serves.
    """

    def __init__(self, pattern: str, interval: float, fallback_dir: str) -> None:
        """Loads the newest match of `pattern` (a glob of ``saved_model.pb`` files), or `fallback_dir` if none."""
        self._pattern, self._interval = pattern, interval
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self.path, self._model = fallback_dir, None
        self._refresh()
        if self._model is None:
            self._model = load_saved_model(fallback_dir)

    def versions(self) -> list[str]:
        """The SavedModel directories of the matches, newest first (by modification time, then path)."""
        matches = FileSystems.match([self._pattern])[0].metadata_list
        newest_first = sorted(matches, key=lambda m: (m.last_updated_in_seconds, m.path), reverse=True)
        return [m.path.rsplit("/", 1)[0] for m in newest_first]

    def _refresh(self) -> None:
        """Serves the newest version that loads, if it is newer than the current one."""
        self._checked_at = time.monotonic()
        for path in self.versions():
            if path == self.path and self._model is not None:
                return
            try:
                model = load_saved_model(path)
            except Exception as error:  # a half-copied model must not stop a running job
                logging.warning("model %s does not load (%s); trying an older one", path, error)
                continue
            self.path, self._model = path, model
            logging.info("serving model %s", path)
            return

    def serve(self, images: Any) -> dict[str, Any]:
        """The current model's ``serve``, after a check for a newer one when the interval has passed."""
        with self._lock:
            if time.monotonic() - self._checked_at >= self._interval:
                self._refresh()
            model = self._model
        return model.serve(images)


class StyleModelHandler(ModelHandler[np.ndarray, PredictionResult, Any]):
    """Loads a style classifier SavedModel with ``tf.saved_model.load`` and calls its typed ``serve``.

    Beam's stock TensorFlow handlers cannot load a Keras 3 era SavedModel, and calling
    ``model.signatures[...]`` skips shape checks, so this handler calls the tf.function.
    """

    def __init__(
        self,
        model_dir: str,
        min_batch_size: int = 1,
        max_batch_size: int = 32,
        max_batch_duration_secs: float | None = None,
        share_across_processes: bool = False,
        model_watch: str | None = None,
        model_watch_interval: float = 60.0,
    ) -> None:
        """Configures the handler.

        Args:
            model_dir: the SavedModel directory (local or gs://).
            min_batch_size: smallest batch RunInference forms.
            max_batch_size: largest batch per ``serve`` call.
            max_batch_duration_secs: in streaming, the longest a batch waits to fill.
            share_across_processes: load one copy per machine instead of one per process.
            model_watch: a glob of ``saved_model.pb`` files; the newest replaces the model (see ``WatchedModel``).
            model_watch_interval: seconds between checks of `model_watch`.
        """
        super().__init__()
        self._model_dir = model_dir
        self._watch = (model_watch, model_watch_interval)
        self._batch = {"min_batch_size": min_batch_size, "max_batch_size": max_batch_size}
        if max_batch_duration_secs is not None:
            self._batch["max_batch_duration_secs"] = max_batch_duration_secs
        self._share = share_across_processes

    def load_model(self) -> Any:
        """Loads the SavedModel once per worker (or per machine when shared); a ``WatchedModel`` when watching."""
        pattern, interval = self._watch
        if pattern:
            return WatchedModel(pattern, interval, self._model_dir)
        return load_saved_model(self._model_dir)

    def run_inference(
        self, batch: Sequence[np.ndarray], model: Any, inference_args: dict[str, Any] | None = None
    ) -> Iterable[PredictionResult]:
        """Runs ``serve`` on the stacked batch and splits its outputs per image."""
        import tensorflow as tf

        outputs = {name: value.numpy() for name, value in model.serve(tf.constant(np.stack(batch))).items()}
        model_id = getattr(model, "path", self._model_dir)
        return [
            PredictionResult(example, {name: value[i] for name, value in outputs.items()}, model_id=model_id)
            for i, example in enumerate(batch)
        ]

    def get_num_bytes(self, batch: Sequence[np.ndarray]) -> int:
        """Bytes of the batch's pixels, for Beam's metrics."""
        return sum(example.nbytes for example in batch)

    def batch_elements_kwargs(self) -> dict[str, Any]:
        """Batch sizes (and duration in streaming) for BatchElements."""
        return dict(self._batch)

    def share_model_across_processes(self) -> bool:
        """Whether workers on one machine share one loaded model."""
        return self._share


def image_record(element: tuple[ImageMeta, PredictionResult]) -> dict[str, Any]:
    """The tagged image row for one inference result, shaped by the one schema."""
    from models.styles import styles_from_outputs

    meta, result = element
    (styles,) = styles_from_outputs({name: np.asarray(value)[None] for name, value in result.inference.items()})
    record = {**meta._asdict(), **styles, "processed_at": datetime.datetime.now(datetime.UTC)}
    return conform(record, IMAGE_FIELDS)


def style_inference(
    model_dir: str,
    max_batch_size: int,
    max_batch_duration_secs: float | None = None,
    share_model: bool = False,
    model_watch: str | None = None,
    model_watch_interval: float = 60.0,
) -> beam.PTransform:
    """RunInference over (ImageMeta, pixels) producing image rows, with exception handling."""
    handler = StyleModelHandler(
        model_dir,
        max_batch_size=max_batch_size,
        max_batch_duration_secs=max_batch_duration_secs,
        share_across_processes=share_model,
        model_watch=model_watch,
        model_watch_interval=model_watch_interval,
    )
    handler = KeyedModelHandler(handler).with_postprocess_fn(image_record)
    return RunInference(handler).with_exception_handling()
