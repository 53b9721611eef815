"""Tensors → inference → record: a typed ModelHandler for our SavedModels and the RunInference step."""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

import apache_beam as beam
import numpy as np
from apache_beam.ml.inference.base import KeyedModelHandler, ModelHandler, PredictionResult, RunInference

from transforms.images import ImageMeta
from transforms.schema import IMAGE_FIELDS, conform


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
    ) -> None:
        """Configures the handler.

        Args:
            model_dir: the SavedModel directory (local or gs://).
            min_batch_size: smallest batch RunInference forms.
            max_batch_size: largest batch per ``serve`` call.
            max_batch_duration_secs: in streaming, the longest a batch waits to fill.
            share_across_processes: load one copy per machine instead of one per process.
        """
        super().__init__()
        self._model_dir = model_dir
        self._batch = {"min_batch_size": min_batch_size, "max_batch_size": max_batch_size}
        if max_batch_duration_secs is not None:
            self._batch["max_batch_duration_secs"] = max_batch_duration_secs
        self._share = share_across_processes

    def load_model(self) -> Any:
        """Loads the SavedModel once per worker (or per machine when shared)."""
        import tensorflow as tf

        return tf.saved_model.load(self._model_dir)

    def run_inference(
        self, batch: Sequence[np.ndarray], model: Any, inference_args: dict[str, Any] | None = None
    ) -> Iterable[PredictionResult]:
        """Runs ``serve`` on the stacked batch and splits its outputs per image."""
        import tensorflow as tf

        outputs = {name: value.numpy() for name, value in model.serve(tf.constant(np.stack(batch))).items()}
        return [
            PredictionResult(example, {name: value[i] for name, value in outputs.items()}, model_id=self._model_dir)
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
    model_dir: str, max_batch_size: int, max_batch_duration_secs: float | None = None, share_model: bool = False
) -> beam.PTransform:
    """RunInference over (ImageMeta, pixels) producing image rows, with exception handling."""
    handler = StyleModelHandler(
        model_dir,
        max_batch_size=max_batch_size,
        max_batch_duration_secs=max_batch_duration_secs,
        share_across_processes=share_model,
    )
    handler = KeyedModelHandler(handler).with_postprocess_fn(image_record)
    return RunInference(handler).with_exception_handling()
