"""ONNX: the exported program converted with ``paddle2onnx``, run with ONNX Runtime.

ONNX is an open file format for neural networks; ONNX Runtime (Microsoft) runs it on CPUs and GPUs
from Python, C, C#, Java and JavaScript, without Paddle installed.  ``paddle2onnx`` converts the
program ``paddle.jit.save`` wrote (``.json`` on Paddle 3.x; ``.pdmodel`` on 2.6) into ``<prefix>.onnx``::

    paddle2onnx.export("model.json", "model.pdiparams", "model.onnx", opset_version=13)
    session = onnxruntime.InferenceSession("model.onnx", providers=["CPUExecutionProvider"])
    logits = session.run(None, {"image": batch})[0]                 # float32 [N, 3, S, S] -> [N, K]

The ONNX file computes the same logits as the Paddle program; ``Predictor(prefix, backend="onnxruntime")``
adds the same preprocessing and probabilities from ``<prefix>.meta.json``.

Versions: paddle2onnx 2.x reads Paddle 3.x programs and refuses to import under Paddle < 3.0;
paddle2onnx 1.x (``pip install "paddle2onnx<2"``) is the series for Paddle 2.6 (1.3.1 converts
Paddle 2.6.2's ``.pdmodel``; checked with the same agreement as on 3.x).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import paddle

from ..errors import UserError

OPSET = 13  # ONNX operator set: convolutions, batch norm, pooling, Gemm; run by every ONNX Runtime since 1.6
ONNX_SUFFIX = ".onnx"


class OnnxUnavailableError(UserError):
    """paddle2onnx or onnxruntime is missing, or does not fit the installed Paddle."""


def import_paddle2onnx():
    try:
        # optional: paddle2onnx is only needed for ONNX export (a clear error if missing)
        import paddle2onnx
    except ImportError as error:
        raise OnnxUnavailableError(f"ONNX export needs paddle2onnx: pip install paddle2onnx ({error})") from error
    except ValueError as error:  # paddle2onnx 2.x under Paddle 2.6: "paddlepaddle version should not be less than 3.0"
        raise OnnxUnavailableError(
            f"the installed paddle2onnx does not support Paddle {paddle.__version__} (it needs Paddle 3.x); "
            'on Paddle 2.6 install paddle2onnx 1.x: pip install "paddle2onnx<2"') from error
    return paddle2onnx


def import_onnxruntime():
    try:
        # optional: ONNX Runtime is only needed to run an ONNX export (a clear error if missing)
        import onnxruntime
    except ImportError as error:
        raise OnnxUnavailableError(f"the onnxruntime backend needs ONNX Runtime: pip install onnxruntime ({error})") from error
    return onnxruntime


def onnx_unavailable_reason():
    """None if ONNX export and ONNX Runtime work here, else why not (one line, for skips and notes)."""
    try:
        import_paddle2onnx()
        import_onnxruntime()
    except OnnxUnavailableError as error:
        return str(error)
    return None


def convert_to_onnx(model_file: Path, params_file: Path, onnx_file: Path) -> Path:
    """The exported Paddle program -> ``onnx_file``; raises ``UserError`` naming the model if it fails."""
    paddle2onnx = import_paddle2onnx()
    options = {"opset_version": OPSET, "enable_onnx_checker": True}
    if "optimize_tool" in paddle2onnx.export.__code__.co_varnames:  # paddle2onnx 2.x
        # its default ('polygraphy') pip-installs packages while converting; onnxoptimizer comes with paddle2onnx
        options["optimize_tool"] = "onnxoptimizer"
    try:
        paddle2onnx.export(str(model_file), str(params_file), str(onnx_file), **options)
    except Exception as error:  # noqa: BLE001  (paddle2onnx logs its own reason, then fails in many ways)
        raise UserError(f"paddle2onnx {getattr(paddle2onnx, '__version__', '')} could not convert {model_file} "
                        f"to ONNX ({type(error).__name__}: {error}); its log above says which operator. "
                        "Export with format='paddle' instead") from error
    if not Path(onnx_file).is_file() or Path(onnx_file).stat().st_size == 0:
        raise UserError(f"paddle2onnx wrote no {onnx_file} for {model_file} (its log above says why); "
                        "export with format='paddle' instead")
    return Path(onnx_file)


def onnxruntime_runner(onnx_file: Path, threads: int) -> Callable[[np.ndarray], np.ndarray]:
    """``run(batch float32 [N, 3, S, S]) -> logits [N, K]`` through an ONNX Runtime CPU session."""
    onnxruntime = import_onnxruntime()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads  # threads inside one operator (a convolution)
    options.inter_op_num_threads = 1  # a CNN is one chain of operators: nothing to run side by side
    options.log_severity_level = 3  # errors only
    session = onnxruntime.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name

    def run(batch: np.ndarray) -> np.ndarray:
        return session.run(None, {input_name: np.ascontiguousarray(batch, dtype=np.float32)})[0]
    return run
