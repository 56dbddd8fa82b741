"""INT8 post-training quantization for ``paddle.inference`` on the CPU.

Post-training quantization (PTQ) keeps the trained FP32 weights and adds, in front of every
convolution and fully connected layer but the first convolution, the *scales* that map its float inputs and weights to 8-bit
integers.  The scales are measured on a few hundred images at most (``calibration``: images from the
training split, never the validation images the agreement is measured on).  At run time oneDNN turns
each quantize -> conv -> dequantize group into one INT8 convolution: four times fewer bytes to move and,
on CPUs with AVX512-VNNI (``grep avx512_vnni /proc/cpuinfo``), one instruction per four multiply-adds.

Which tool, and why: Paddle has two post-training quantizers.

* ``paddle.quantization.PTQ`` (dygraph): on Paddle 3.x its converted model cannot be saved with a
  dynamic batch dimension under the PIR program format, and the PIR predictor then fails with "Tensor
  holds no memory"; with the old program format oneDNN's INT8 pass accepts it but its per-tensor
  weight scales gave logits no better than chance (measured on ResNet-18, Paddle 3.3.1).
* ``paddle.static.quantization.PostTrainingQuantization`` (static program): the tool behind
  PaddleSlim's ``quant_post_static`` and Paddle Inference's documented x86 INT8 recipe, per-channel
  weight scales, the same API on Paddle 2.6 and 3.x.  We use this one.  It reads and writes the
  *old* program format (``.pdmodel``), so on Paddle 3.x the FP32 program is saved once more in that
  format for it (``paddle.pir_utils.DygraphOldIrGuard``), and the INT8 export is a ``.pdmodel``
  under both Paddle series.  PaddleSlim is not used: its releases lag behind Paddle 3.x.

The quantized program keeps ``quantize_linear`` / ``dequantize_linear`` operators (the ONNX-style
format, ``onnx_format=True``); ``Predictor`` switches on ``config.enable_onednn_int8()`` for it, which
fuses them into INT8 kernels.  Without oneDNN the same program runs in FP32 with simulated rounding.
"""
from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import paddle

from ..errors import UserError

# Which layers stay in FP32.  The first convolution reads the image itself (3 channels, about 2% of a
# ResNet's multiply-adds), and 8-bit steps on its inputs and weights are the largest single source of
# error: on lesson 12's ResNet-18 (seed 0, INT8 simulated in float32) quantizing every layer changed a
# probability by up to 0.12, every layer but the first by 0.05.  Keeping the first layer in floating point
# is the usual practice of post-training quantization for the same reason.
KEEP_FIRST_CONVOLUTION_FP32 = True

# How each activation's scale is chosen from the calibration images.  'hist': the 99.999th percentile of
# its absolute values (a histogram), so one outlier pixel does not stretch the scale.  On LeNet trained on
# synthetic iChallenge-PM (seeds 1, 2, 5; 100 validation images) it kept every top-1 class and the AUC to
# 0.0004, with the largest probability change 0.015-0.032; 'abs_max' (the largest value) changed them by
# up to 0.045, and Paddle's default 'KL' by up to 0.08 (on 32 images).
ALGORITHM = "hist"
CALIBRATION_NOTE = ("hist: activation scales at the 99.999th percentile of the calibration images' values; "
                    "weight scales per output channel (channel_wise_abs_max); first convolution in FP32")
DEFAULT_CALIBRATION_IMAGES = 64
WEIGHT_OPERATORS = {"conv2d", "depthwise_conv2d", "mul", "matmul", "matmul_v2"}  # what INT8 speeds up


class QuantizationError(UserError):
    """The model (or this Paddle) cannot be quantized to INT8; the message says why."""


def old_program_format():
    """A context in which ``paddle.jit.save`` writes the old ``.pdmodel`` format (Paddle 3.x); 2.6 needs none."""
    guard = getattr(getattr(paddle, "pir_utils", None), "DygraphOldIrGuard", None)
    return guard() if guard is not None else contextlib.nullcontext()


def static_program_format():
    """A context for static-graph work on old-format programs (``OldIrGuard`` on 3.x, nothing on 2.6)."""
    guard = getattr(getattr(paddle, "pir_utils", None), "OldIrGuard", None)
    return guard() if guard is not None else contextlib.nullcontext()


@contextlib.contextmanager
def static_mode():
    paddle.enable_static()
    try:
        yield
    finally:
        paddle.disable_static()


class CalibrationBatches(paddle.io.DataLoader):
    """The calibration images as PostTrainingQuantization reads them: ``loader()`` yields feed dicts.

    Paddle 2.6 accepts only a ``paddle.io.DataLoader`` (an isinstance check) and, like 3.x, only calls
    it and asks its length; a full DataLoader would need the static program's feed variables, so this
    subclass skips DataLoader's own setup and just serves the batches.
    """

    def __init__(self, calibration: np.ndarray, input_name: str, batch_size: int):  # noqa: no super().__init__
        self.feeds = [{input_name: calibration[start:start + batch_size]}
                      for start in range(0, len(calibration), batch_size)]

    def __call__(self):
        return iter(self.feeds)

    def __iter__(self):
        return iter(self.feeds)

    def __len__(self) -> int:
        return len(self.feeds)


def check_calibration(calibration, input_size: int, batch_size: Optional[int]) -> np.ndarray:
    """float32 [N, 3, S, S] preprocessed images, N >= 1 (and a multiple of a fixed export batch)."""
    if calibration is None:
        raise QuantizationError("INT8 export needs calibration images (preprocessed training images, "
                                "float32 [N, 3, S, S]): pass calibration=... (export_checkpoint takes "
                                "calibration_images=... of the checkpoint's training split)")
    calibration = np.asarray(calibration, np.float32)
    if calibration.ndim != 4 or calibration.shape[1:] != (3, input_size, input_size) or not len(calibration):
        raise QuantizationError(f"calibration images must be float32 [N, 3, {input_size}, {input_size}] with "
                                f"N >= 1, got {list(calibration.shape)}")
    if batch_size is not None:  # a fixed-batch program accepts only whole batches
        whole = len(calibration) // batch_size * batch_size
        if whole == 0:
            raise QuantizationError(f"{len(calibration)} calibration image(s) for an export with a fixed batch "
                                    f"of {batch_size}: give at least {batch_size}")
        calibration = calibration[:whole]
    return calibration


def quantize_layer(layer: paddle.nn.Layer, spec: paddle.static.InputSpec, calibration: np.ndarray,
                   out_prefix: Path, batch_size: Optional[int] = None) -> Sequence[Path]:
    """Save ``layer`` (eval mode, returns logits) as an INT8 program ``<out_prefix>.pdmodel`` + ``.pdiparams``.

    Returns (program file, weights file).  Raises ``QuantizationError`` naming why, when Paddle cannot
    quantize this model.
    """
    try:
        # optional: a Paddle build without it gets the clear error below
        from paddle.static.quantization import PostTrainingQuantization
    except ImportError as error:
        raise QuantizationError(f"Paddle {paddle.__version__} has no paddle.static.quantization"
                                f".PostTrainingQuantization ({error}): INT8 export needs Paddle 2.6 or 3.x "
                                "with it; export in FP32 (precision='fp32')") from error
    out_prefix = Path(out_prefix)
    with tempfile.TemporaryDirectory(prefix="fp32_program_", dir=out_prefix.parent) as scratch:
        try:
            with old_program_format():  # e.g. Paddle 3.3 cannot trace GELU (ConvMixer) in the old format
                paddle.jit.save(layer, str(Path(scratch) / "model"), input_spec=[spec])
            if not (Path(scratch) / "model.pdmodel").is_file():
                raise QuantizationError(f"Paddle {paddle.__version__} did not write an old-format (.pdmodel) "
                                        "program, which PostTrainingQuantization needs: export in FP32")
            with static_program_format(), static_mode():
                keep_fp32 = first_convolution_weights(Path(scratch) / "model") if KEEP_FIRST_CONVOLUTION_FP32 else []
                quantizer = PostTrainingQuantization(
                    executor=paddle.static.Executor(paddle.CPUPlace()), model_dir=scratch,
                    model_filename="model.pdmodel", params_filename="model.pdiparams",
                    data_loader=CalibrationBatches(calibration, spec.name, batch_size or 8),
                    algo=ALGORITHM, weight_quantize_type="channel_wise_abs_max",
                    skip_tensor_list=keep_fp32,
                    onnx_format=True)  # quantize_linear/dequantize_linear: what oneDNN's INT8 pass fuses
                program = quantizer.quantize()
                if not any(op.type in WEIGHT_OPERATORS for op in program.global_block().ops):
                    raise QuantizationError("no layer of this model could be quantized (INT8 covers "
                                            "convolutions and fully connected layers): export in FP32")
                quantizer.save_quantized_model(str(out_prefix.parent), model_filename=out_prefix.name + ".pdmodel",
                                               params_filename=out_prefix.name + ".pdiparams")
        except (QuantizationError, OSError):  # OSError: a full disk, reported by the export as such
            raise
        except Exception as error:  # noqa: BLE001  (Paddle raises many kinds; the reason is in the text)
            reason, name = last_line(error), type(getattr(layer, "model", layer)).__name__
            raise QuantizationError(f"Paddle {paddle.__version__} cannot quantize {name} to INT8 "
                                    f"({type(error).__name__}: {reason}); export in FP32 (precision='fp32')") from error
    return Path(str(out_prefix) + ".pdmodel"), Path(str(out_prefix) + ".pdiparams")


def first_convolution_weights(program_prefix: Path) -> list:
    """The weight name of the program's first convolution (``[]`` if it has none), to keep it in FP32."""
    executor = paddle.static.Executor(paddle.CPUPlace())
    program, _, _ = paddle.static.load_inference_model(str(program_prefix), executor)
    convolutions = [op for op in program.global_block().ops if op.type in ("conv2d", "depthwise_conv2d")]
    return [convolutions[0].input("Filter")[0]] if convolutions else []


def last_line(error: BaseException) -> str:
    """The line of a Paddle error that says what went wrong (its traceback of user code comes first)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def calibration_inputs(dataset, count: int = DEFAULT_CALIBRATION_IMAGES, seed: int = 0) -> np.ndarray:
    """``count`` preprocessed images of ``dataset`` (all if it has fewer), a seeded random choice: [N, 3, S, S]."""
    if count < 1:
        raise QuantizationError(f"calibration_images={count} is not allowed: it must be >= 1")
    if len(dataset) == 0:
        raise QuantizationError("no calibration images: the training split is empty")
    chosen = np.sort(np.random.default_rng(seed).choice(len(dataset), min(count, len(dataset)), replace=False))
    return np.stack([np.asarray(dataset[int(i)][0], np.float32) for i in chosen])
