"""Predicting with an exported model through ``paddle.inference`` (and the same API for dygraph models).

``paddle.inference`` is Paddle's deployment engine (the Python face of the C++ library): it loads the
program written by ``paddle.jit.save``, optimises the graph (fuses conv + batch norm, picks oneDNN
kernels on x86 CPUs) and runs it without any Python model code::

    config = paddle.inference.Config("model.json", "model.pdiparams")   # .pdmodel on Paddle 2.6
    config.disable_gpu(); config.set_cpu_math_library_num_threads(2)
    predictor = paddle.inference.create_predictor(config)
    handle = predictor.get_input_handle(predictor.get_input_names()[0])
    handle.reshape(batch.shape); handle.copy_from_cpu(batch)             # float32 [N, 3, S, S]
    predictor.run()
    logits = predictor.get_output_handle(predictor.get_output_names()[0]).copy_to_cpu()

``Predictor(prefix)`` wraps that, and adds the two things the program does not know:

* preprocessing: ``<prefix>.meta.json`` holds the training ``PreprocessConfig``; every image goes
  through ``data.preprocess_image`` and ``data.to_input`` with it, as the datasets do;
* probabilities: logits -> class probabilities by the model's task (``paddle_models.tasks.to_probabilities``),
  after dividing the logits by the recorded ``temperature`` (``calibration``; 1 when none is recorded).

``DygraphPredictor(model, meta)`` offers the same methods for a model still in Python (used by
``Ensemble``, the benchmark and the tests that check both give the same answers).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Union

import numpy as np
import paddle

from ..data import BadSampleError, PreprocessConfig, preprocess_image, to_input
from ..models import evaluating, main_output
from ..calibration import scaled_probabilities
from ..referral import OperatingPoint
from ..tasks import to_probabilities  # noqa: F401  (re-exported by paddle_models.inference)
from ..errors import MissingFileError, UserError, WrongValueError
from ..record import ModelRecord, record_for_model
from .export import EXPORT_AGAIN, DamagedExportError, find_model_files, load_export_record
from .onnx_backend import OnnxUnavailableError, onnxruntime_runner

ImageSource = Union[str, Path, np.ndarray]  # a file path, or a BGR uint8 array as from cv2.imread


@dataclass
class PredictionResult:
    """Predictions for N images."""

    probs: np.ndarray  # [N, C] class probabilities, rows sum to 1
    classes: np.ndarray  # [N] predicted class index (argmax of probs)
    class_names: List[str]  # C names
    files: Optional[List[str]] = None  # where each image came from (None for arrays)
    views: Optional[np.ndarray] = None  # [N, V, C] each test-time-augmented view's probabilities (tta=True)

    @property
    def predicted_names(self) -> List[str]:
        return [self.class_names[k] for k in self.classes]

    def __len__(self) -> int:
        return len(self.classes)


def load_image(source: ImageSource, config: PreprocessConfig) -> np.ndarray:
    """One image (path or BGR array) -> float32 [3, S, S], preprocessed as in training.

    Any failure is reported as ``BadSampleError`` naming the file.
    """
    try:
        return to_input(preprocess_image(source, config), config)
    except BadSampleError:
        raise  # already names the file
    except Exception as error:  # e.g. a wrong dtype or shape, an OpenCV error
        name = source if not isinstance(source, np.ndarray) else f"array of shape {source.shape}"
        raise BadSampleError(f"cannot preprocess image {name}: {error}") from error


def describe_source(source: ImageSource) -> Optional[str]:
    return None if isinstance(source, np.ndarray) else str(source)


def as_image_list(images) -> list:
    """A single image (path, or array [H, W, 3]) becomes a list of one; lists and [N, H, W, 3] stay."""
    if isinstance(images, (str, Path)) or (isinstance(images, np.ndarray) and images.ndim in (2, 3)):
        return [images]
    return list(images)


def chunks(items: Sequence, size: int):
    """Consecutive slices of ``items`` with at most ``size`` elements."""
    if size < 1:
        raise WrongValueError(f"batch_size must be >= 1, got {size}")
    for start in range(0, len(items), size):
        yield items[start:start + size]


class BasePredictor:
    """Shared logic: preprocessing, batching, probabilities.  Subclasses implement ``predict_logits``."""

    def __init__(self, record: ModelRecord):
        self.record = record
        self.preprocess = record.preprocess
        self.task = record.task
        self.class_names = list(record.class_names)
        self.num_classes = len(self.class_names)
        self.input_size = record.input_size
        self.temperature = float(record.temperature or 1.0)  # fitted on validation (calibration.py)
        self.operating_point = OperatingPoint.from_dict(record.operating_point)  # referral.py

    @property
    def meta(self) -> ModelRecord:
        """The model's record (read like the stored dict: ``predictor.meta["preprocess"]``)."""
        return self.record

    def predict_logits(self, batch: np.ndarray) -> np.ndarray:
        """float32 [N, 3, S, S] (already preprocessed) -> logits [N, K]."""
        raise NotImplementedError

    def predict_probs(self, inputs: np.ndarray, batch_size: int = 8) -> np.ndarray:
        """Preprocessed inputs float32 [N, 3, S, S] -> class probabilities [N, C]."""
        inputs = np.asarray(inputs, dtype=np.float32)
        expected = (3, self.input_size, self.input_size)
        if inputs.ndim != 4 or inputs.shape[1:] != expected:
            raise ValueError(f"expected inputs [N, {', '.join(map(str, expected))}], got {list(inputs.shape)}")
        logits = [self.predict_logits(batch) for batch in chunks(inputs, batch_size)]
        if not logits:
            return np.zeros((0, self.num_classes))
        return scaled_probabilities(np.concatenate(logits), self.task, self.temperature)

    def load_images(self, images: Sequence[ImageSource]) -> np.ndarray:
        """Image files or BGR arrays -> float32 [N, 3, S, S] with the saved preprocessing."""
        size = self.input_size
        if not len(images):
            return np.zeros((0, 3, size, size), np.float32)
        return np.stack([load_image(source, self.preprocess) for source in images])

    def predict_views(self, inputs: np.ndarray, batch_size: int = 8) -> np.ndarray:
        """Test-time augmentation: probabilities [N, V, C] of each image, flipped left-right and upside down.

        A fundus flipped left-right is the other eye's; upside down, the same eye photographed with
        the camera turned.  A model that has learnt the disease answers all three alike; when they
        fall on both sides of the operating point the image is "uncertain" (``referral.decide``).
        """
        views = (inputs, inputs[:, :, :, ::-1], inputs[:, :, ::-1, :])  # [N, 3, S, S]: as is, mirrored, upside down
        return np.stack([self.predict_probs(np.ascontiguousarray(view), batch_size) for view in views], axis=1)

    def predict_images(self, images: Sequence[ImageSource], batch_size: int = 8, tta: bool = False) -> PredictionResult:
        """Image files (or BGR uint8 arrays, as from cv2.imread) -> ``PredictionResult``.

        Images are decoded and preprocessed ``batch_size`` at a time, so memory stays small.
        ``tta``: also predict the flipped views (``predict_views``); the probabilities are their mean.
        """
        images = as_image_list(images)
        if tta:
            parts = [self.predict_views(self.load_images(batch), batch_size) for batch in chunks(images, batch_size)]
            views = np.concatenate(parts) if parts else np.zeros((0, 3, self.num_classes))
            probs = views.mean(axis=1)
        else:
            parts = [self.predict_probs(self.load_images(batch), batch_size) for batch in chunks(images, batch_size)]
            views, probs = None, np.concatenate(parts) if parts else np.zeros((0, self.num_classes))
        files = [describe_source(source) for source in images]
        return PredictionResult(probs, probs.argmax(axis=1), self.class_names,
                                files if any(f is not None for f in files) else None, views)


def default_threads() -> int:
    return max(1, os.cpu_count() or 1)


# oneDNN's INT8 graph can fold a ResNet's residual addition into the convolution before it; the sum is
# then requantized to the convolution's 8-bit output scale.  On lesson 12's ResNet-18 (seed 0) that
# fusion alone moved a probability by up to 0.48 where the same program without it moved by 0.10, for
# about 30% more throughput (865 against 618 images/s).  We keep the accuracy: the pass is switched off
# (its Paddle 3.x and Paddle 2.6 names).
RESIDUAL_FUSION_PASSES = ("conv_elementwise_add_onednn_fuse_pass", "conv_elementwise_add_mkldnn_fuse_pass")


def make_config(model_file: Path, params_file: Path, threads: int, onednn: bool, int8: bool = False):
    """A CPU ``paddle.inference.Config`` for the exported files (Paddle 2.6 and 3.x)."""
    config = paddle.inference.Config(str(model_file), str(params_file))
    config.disable_gpu()
    config.set_cpu_math_library_num_threads(threads)
    if model_file.suffix == ".json" and hasattr(config, "enable_new_ir"):
        config.enable_new_ir(True)  # Paddle 3.x: the .json program is PIR ("new IR")
    if not onednn:  # oneDNN (formerly MKL-DNN) kernels: ~4x faster on x86, last-digit differences
        disable = getattr(config, "disable_onednn", None) or getattr(config, "disable_mkldnn")
        disable()
    elif int8:  # fuse quantize -> conv -> dequantize into oneDNN INT8 kernels (quantize.py)
        enable_int8 = getattr(config, "enable_onednn_int8", None) or getattr(config, "enable_mkldnn_int8")
        enable_int8()
        for name in RESIDUAL_FUSION_PASSES:  # delete_pass ignores a name this Paddle does not have
            config.delete_pass(name)
    config.disable_glog_info()  # no per-pass log lines
    return config


def paddle_inference_runner(model_file: Path, params_file: Path, threads: int, onednn: bool, int8: bool):
    """``run(batch float32 [N, 3, S, S]) -> logits [N, K]`` through a ``paddle.inference`` predictor."""
    engine = paddle.inference.create_predictor(make_config(model_file, params_file, threads, onednn, int8))
    handle = engine.get_input_handle(engine.get_input_names()[0])
    output_name = engine.get_output_names()[0]

    def run(batch: np.ndarray) -> np.ndarray:
        handle.reshape(list(batch.shape))
        handle.copy_from_cpu(np.ascontiguousarray(batch, dtype=np.float32))
        engine.run()
        return engine.get_output_handle(output_name).copy_to_cpu()
    return run


BACKENDS = ("paddle", "onnxruntime")  # paddle.inference; ONNX Runtime (exports made with --format onnx)


def first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip() and "user code" not in line]
    return lines[0] if lines else type(error).__name__


class Predictor(BasePredictor):
    """An exported model on the CPU through ``paddle.inference`` (or ONNX Runtime)::

        predictor = Predictor("export/resnet50")                 # export/resnet50.json (.pdmodel) ...
        result = predictor.predict_images(["V0001.jpg", "V0002.jpg"])
        result.probs.shape, result.predicted_names               # ((2, 2), ['PM', 'non-PM'])

    threads: CPU math threads (default: all cores).  onednn: use oneDNN kernels (default, fast);
    ``onednn=False`` gives plain kernels whose results match dygraph to the last digits.
    backend: 'paddle' (``paddle.inference``), or 'onnxruntime' for an export written with
    ``format="onnx"`` (``<prefix>.onnx``).  An INT8 export (``precision="int8"``) runs its INT8
    kernels with oneDNN on.  Preprocessing and probabilities are the same for every backend.
    """

    def __init__(self, prefix, threads: Optional[int] = None, onednn: bool = True, backend: str = "paddle"):
        super().__init__(load_export_record(prefix))
        if backend not in BACKENDS:
            raise UserError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
        self.prefix, self.backend = str(prefix), backend
        self.precision = self.record.export.get("precision") or "fp32"
        self.fixed_batch = self.record.export.get("batch_size")  # None: any batch size
        threads = threads or default_threads()
        if backend == "onnxruntime":
            self.model_file = self.onnx_file()
            self._run = self._load(lambda: onnxruntime_runner(self.model_file, threads), self.model_file)
        else:
            self.model_file, self.params_file = find_model_files(prefix)
            self._run = self._load(lambda: paddle_inference_runner(
                self.model_file, self.params_file, threads, onednn, self.precision == "int8"),
                f"{self.model_file} + {self.params_file.name}")

    def onnx_file(self) -> Path:
        name = self.record.export.get("onnx_file")
        path = Path(self.prefix).with_name(name) if name else None
        if path is None or not path.is_file():
            raise MissingFileError(f"{self.prefix}.onnx is missing: the onnxruntime backend needs an export "
                                    "made with format='onnx'")
        return path

    @staticmethod
    def _load(make_runner, files):
        """Build the engine; a damaged or truncated file becomes one line naming it."""
        try:
            return make_runner()
        except (OnnxUnavailableError, MemoryError):
            raise
        except Exception as error:  # noqa: BLE001  (Paddle and ONNX Runtime raise RuntimeError, ValueError, ...)
            raise DamagedExportError(f"cannot load the exported model {files} ({first_line(error)}): the files are "
                                     f"damaged or incomplete; {EXPORT_AGAIN}") from error

    def predict_logits(self, batch: np.ndarray) -> np.ndarray:
        """float32 [N, 3, S, S] -> logits [N, K]; with a fixed export batch size, pads and splits."""
        if self.fixed_batch is None:
            return self._run(batch)
        outputs = []
        for part in chunks(batch, self.fixed_batch):
            padding = self.fixed_batch - len(part)
            padded = np.concatenate([part, np.zeros((padding, *part.shape[1:]), part.dtype)]) if padding else part
            outputs.append(self._run(padded)[:len(part)])
        return np.concatenate(outputs)


class DygraphPredictor(BasePredictor):
    """The same API for a dygraph model: ``DygraphPredictor(model, record)`` (the checkpoint's record).

    Without a record, images are preprocessed with the default ``PreprocessConfig`` at ``input_size``
    (default ``model.default_input_size``); a partial dict is completed (``record.record_for_model``).
    """

    def __init__(self, model, meta=None, input_size: Optional[int] = None):
        super().__init__(record_for_model(model, meta, input_size))
        self.model = model

    def predict_logits(self, batch: np.ndarray) -> np.ndarray:
        with evaluating(self.model):
            return main_output(self.model(paddle.to_tensor(np.asarray(batch, np.float32)))).numpy()
