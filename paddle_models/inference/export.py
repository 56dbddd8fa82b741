"""Export a trained model for deployment: ``paddle.jit.save`` plus a JSON file of everything around it.

A dygraph model is Python code; to run it without that code (a server, ``paddle.inference``, C++),
``paddle.jit.save`` traces ``forward`` into a static program for a fixed input signature
(``InputSpec [batch, 3, S, S]``; ``batch=None`` means "any batch size") and writes two files:

=================  ===========================  ===========================
Paddle             program                      weights
=================  ===========================  ===========================
2.6                ``<prefix>.pdmodel``         ``<prefix>.pdiparams``
3.x (PIR)          ``<prefix>.json``            ``<prefix>.pdiparams``
=================  ===========================  ===========================

The program alone cannot classify a fundus photograph correctly: it expects images cropped, resized
and normalised *exactly* as in training.  So ``export_model`` also writes ``<prefix>.meta.json``
with the preprocessing (``PreprocessConfig.to_dict()``), the class names, the task and the input
size.  ``Predictor`` reads it back and applies the same preprocessing functions the datasets use,
so training and deployment cannot drift apart.

Design choice: the exported program returns **logits** (the model's raw outputs).  Turning them into
class probabilities (softmax; sigmoid -> [1 - p, p] for one-logit binary models; cumulative
"grade >= k" probabilities -> class probabilities for ordinal models) happens in NumPy in the
predictor, with the same function that ``engine.evaluate`` uses.  One conversion, one place.

Grad-CAM needs gradients through the Python model, which a static program cannot give (and Paddle
3.x's PIR weights file cannot be read back into a dygraph model).  So ``export_model`` also writes
``<prefix>.dygraph.pdparams``: a checkpoint in the engine's format (``{"model": state dict, "meta":
meta}``), which ``load_dygraph(prefix)`` rebuilds with ``engine.load_model``.  The screening app uses
the exported program for the probabilities and this model for the heat maps.  ``export_checkpoint``
copies the checkpoint's best epoch (``best_epoch``, counted from 1 as training prints it) and its
validation metrics into the meta, for the app's model card.

GoogLeNet returns (main, aux1, aux2) while training; the export runs the model in eval mode through
``MainHead``, so only the main head is traced and the auxiliary heads' weights are not saved.
"""
from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple, Optional

import numpy as np
import paddle
from paddle import nn

from ..engine import load_model
from ..engine.checkpoint import load_checkpoint, model_from_state, save_checkpoint
from ..errors import MissingFileError, UserError, WrongValueError
from ..experiment import evaluation_dataset
from ..files import WriteError, temporary_path, write_text
from ..models import evaluating, main_output
from ..record import DYGRAPH_SUFFIX, META_SUFFIX, ModelRecord, RecordError, record_for_model
from .onnx_backend import ONNX_SUFFIX, convert_to_onnx
from .quantize import CALIBRATION_NOTE, QuantizationError, calibration_inputs, check_calibration, quantize_layer

FORMAT_VERSION = 1
INPUT_NAME = "image"


class ExportedModel(NamedTuple):
    """The three files of an exported model (iterating gives the paths)."""

    model_file: Path  # <prefix>.json (Paddle 3.x) or <prefix>.pdmodel (Paddle 2.6)
    params_file: Path  # <prefix>.pdiparams
    meta_file: Path  # <prefix>.meta.json
    dygraph_file: Path  # <prefix>.dygraph.pdparams: weights + meta for the Python model (Grad-CAM)


class MainHead(nn.Layer):
    """Wrap a model so that ``forward`` returns only its main logits [N, K]."""

    def __init__(self, model: nn.Layer):
        super().__init__()
        self.model = model

    def forward(self, image):
        return main_output(self.model(image))


PROGRAM_SUFFIXES = (".json", ".pdmodel")  # Paddle 3.x, Paddle 2.6


def find_model_files(prefix) -> tuple:
    """(program file, weights file) of an exported model; the program is .json (3.x) or .pdmodel (2.6)."""
    prefix = str(prefix)
    params_file = Path(prefix + ".pdiparams")
    for suffix in PROGRAM_SUFFIXES:
        model_file = Path(prefix + suffix)
        if model_file.is_file() and params_file.is_file():
            return model_file, params_file
    raise MissingFileError(
        f"no exported model at prefix {prefix!r}: expected {prefix}.json (Paddle 3.x) or {prefix}.pdmodel "
        f"(Paddle 2.6) together with {prefix}.pdiparams.  Export one with export_model / export_checkpoint "
        "(or `python -m paddle_models export`)."
    )


def _to_json(value):
    """json.dump fallback: NumPy scalars and arrays, paths, anything else as its string."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


FORMATS = ("paddle", "onnx")  # paddle: the paddle.inference program; onnx: that program and <prefix>.onnx
PRECISIONS = ("fp32", "int8")


class DamagedExportError(UserError):
    """An exported model's file is unreadable or incomplete; the message names it and says export again."""


def check_export_options(format: str, precision: str) -> None:
    if format not in FORMATS:
        raise UserError(f"unknown export format {format!r}: choose one of {', '.join(FORMATS)}")
    if precision not in PRECISIONS:
        raise UserError(f"unknown precision {precision!r}: choose one of {', '.join(PRECISIONS)}")
    if format == "onnx" and precision == "int8":
        raise UserError("INT8 runs on paddle.inference (oneDNN): export precision='int8' with format='paddle', "
                        "or format='onnx' with precision='fp32'")


def export_model(model: nn.Layer, out_prefix, input_size: Optional[int] = None,
                 batch_size: Optional[int] = None, meta: Optional[dict] = None, format: str = "paddle",
                 precision: str = "fp32", calibration: Optional[np.ndarray] = None) -> ExportedModel:
    """Save ``model`` as a static inference program + weights + ``<prefix>.meta.json``.

    input_size: image side S of the InputSpec [batch, 3, S, S]; default: the preprocessing's output
        side (``record.input_size``), else ``model.default_input_size``.
    batch_size: None for a dynamic batch dimension (any number of images per call), or a fixed int
        (the predictor then pads the last batch).
    meta: the checkpoint's ``ModelRecord`` (``engine.load_model`` returns it), or a partial dict whose
        missing entries get defaults (``record.record_for_model``: task 'multiclass', ImageNet-normalised
        default preprocessing, names 'class 0', ...).
    format: 'paddle', or 'onnx' to write ``<prefix>.onnx`` as well (``paddle2onnx``; run it with
        ``Predictor(prefix, backend="onnxruntime")``).
    precision: 'fp32', or 'int8' (post-training quantization, ``quantize.py``), calibrated on
        ``calibration``: preprocessed *training* images, float32 [N, 3, S, S].

    Every file is written into a temporary folder next to the prefix first and moved into place only
    when all are complete (``staged_export``): a failed export leaves an earlier one at the prefix intact.
    """
    if batch_size is not None and int(batch_size) < 1:
        raise WrongValueError(f"batch_size must be None (dynamic) or >= 1, got {batch_size}")
    check_export_options(format, precision)
    record = record_for_model(model, meta, input_size)
    size = record.input_size
    spec = paddle.static.InputSpec([batch_size, 3, size, size], "float32", name=INPUT_NAME)
    if precision == "int8":
        calibration = check_calibration(calibration, size, batch_size)
    export = {}
    with staged_export(Path(out_prefix)) as stage, evaluating(model, gradients=True):
        # eval mode: dropout off, batch norm running statistics, main head only
        if precision == "int8":
            model_file, params_file = quantize_layer(MainHead(model), spec, calibration, stage, batch_size)
            export["quantization"] = {"calibration_images": len(calibration), "method": CALIBRATION_NOTE,
                                      "tool": "paddle.static.quantization.PostTrainingQuantization"}
        else:
            paddle.jit.save(MainHead(model), str(stage), input_spec=[spec])
            model_file, params_file = find_model_files(stage)
        onnx_file = None
        if format == "onnx":
            onnx_file = convert_to_onnx(model_file, params_file, Path(str(stage) + ONNX_SUFFIX))
        export.update(format_version=FORMAT_VERSION, output="logits", input_name=INPUT_NAME,
                      batch_size=None if batch_size is None else int(batch_size), precision=precision,
                      model_file=model_file.name, params_file=params_file.name,
                      onnx_file=onnx_file.name if onnx_file else None, paddle_version=paddle.__version__)
        stored = record.updated(export=export).to_dict()
        write_text(Path(str(stage) + META_SUFFIX), json.dumps(stored, indent=2, default=_to_json))

        save_checkpoint({"model": model.state_dict(), "meta": stored}, Path(str(stage) + DYGRAPH_SUFFIX))
    prefix = str(out_prefix)
    return ExportedModel(Path(prefix + model_file.suffix), Path(prefix + ".pdiparams"),
                         Path(prefix + META_SUFFIX), Path(prefix + DYGRAPH_SUFFIX))


# every file an export may write; an export replaces them all (a .pdmodel left from Paddle 2.6 beside
# a new .json, or an old .onnx, would otherwise be taken for part of the new export)
EXPORT_SUFFIXES = (".json", ".pdmodel", ".pdiparams", ".pdiparams.info", ".onnx", DYGRAPH_SUFFIX, META_SUFFIX)


@contextmanager
def staged_export(prefix: Path):
    """Yield a prefix inside a temporary folder beside ``prefix``; when the block ends without an error,
    move every file written there to ``prefix`` + its suffix, the record (meta) last.

    Like the checkpoints' ``atomic_write``: a full disk, an error or Ctrl-C while writing leaves an
    earlier export at ``prefix`` as it was.  The old record is removed first, so even a crash during the
    few renames cannot pair an old record with new weights (the prefix then holds no export: export again).
    """
    folder = prefix.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stage_dir = temporary_path(prefix)
        stage_dir.mkdir()
    except OSError as error:
        raise WriteError(f"cannot export to {prefix}: {error.strerror or error}. Choose a folder you can "
                         "write to") from error
    try:
        try:
            yield stage_dir / prefix.name
        except OSError as error:  # a full disk, a read-only folder: the earlier export is intact
            raise WriteError(f"cannot export to {prefix}: {error.strerror or error}. Free disk space or choose "
                             "another output prefix; any earlier export there is unchanged") from error
        written = {path.name[len(prefix.name):]: path for path in stage_dir.iterdir()}
        target = {suffix: Path(str(prefix) + suffix) for suffix in set(EXPORT_SUFFIXES) | set(written)}
        target[META_SUFFIX].unlink(missing_ok=True)
        for suffix, path in target.items():
            if suffix not in written:
                path.unlink(missing_ok=True)
        for suffix in sorted(written, key=lambda s: s == META_SUFFIX):  # the record last
            os.replace(written[suffix], target[suffix])
    finally:
        shutil.rmtree(stage_dir, ignore_errors=True)


def export_checkpoint(checkpoint_path, out_prefix, input_size: Optional[int] = None,
                      batch_size: Optional[int] = None, format: str = "paddle", precision: str = "fp32",
                      calibration_images: int = 64, data_root=None) -> ExportedModel:
    """A training checkpoint (``best.pdparams``) -> an exported model, with the checkpoint's record.

    The record also gets the checkpoint's ``best_epoch`` (counted from 1, as the training lines print
    it; the checkpoint itself counts from 0) and ``metrics`` (the scores of that epoch).
    precision 'int8' calibrates on ``calibration_images`` images of the checkpoint's *training* split,
    read from ``data_root`` (default: where the checkpoint was trained).
    """
    check_export_options(format, precision)
    state = load_checkpoint(checkpoint_path)  # read and checksum-verified once
    model, record = model_from_state(state, checkpoint_path)
    epoch = state.get("epoch")
    record = record.updated(best_epoch=epoch + 1 if isinstance(epoch, int) else None,
                            metrics=dict(state.get("metrics") or {}))
    calibration = None
    if precision == "int8":
        calibration = training_images_for_calibration(record, checkpoint_path, calibration_images, data_root)
    return export_model(model, out_prefix, input_size=input_size, batch_size=batch_size, meta=record,
                        format=format, precision=precision, calibration=calibration)


def training_images_for_calibration(record: ModelRecord, checkpoint_path, count: int, data_root=None) -> np.ndarray:
    """``count`` preprocessed images of the split the checkpoint was trained on (not its validation share)."""
    data_root = data_root or record.settings.get("data_root")
    if not record.dataset or not data_root:
        raise QuantizationError(f"{checkpoint_path} does not record its training data, which INT8 calibration "
                                "needs: pass data_root=... (and train with this course's `train`)")
    return calibration_inputs(evaluation_dataset(record, data_root, split="train"), count)


EXPORT_COMMAND = "python -m paddle_models export --checkpoint RUN/best.pdparams --output PREFIX"


def not_an_export(prefix) -> str:
    """Why ``prefix`` names no exported model, and what to pass instead (for a one-line error)."""
    path = Path(str(prefix))
    if path.is_dir():
        found = sorted(str(meta)[:-len(META_SUFFIX)] for meta in path.glob("*" + META_SUFFIX))
        inside = f"the export in it: {found[0]}" if len(found) == 1 else \
            f"exports in it: {', '.join(found)}" if found else f"it holds none; write one with {EXPORT_COMMAND}"
        return f"{path} is a folder: pass an exported model's prefix, the file name without its suffix ({inside})"
    for suffix in (META_SUFFIX, DYGRAPH_SUFFIX, ".pdiparams") + PROGRAM_SUFFIXES:
        if path.name.endswith(suffix) and Path(str(path)[:-len(suffix)] + META_SUFFIX).is_file():
            return f"{path}: pass the export's prefix {str(path)[:-len(suffix)]}, without {suffix}"
    if path.suffix == ".pdparams" and path.is_file():
        return f"{path} is a training checkpoint, not an exported model: export it first ({EXPORT_COMMAND})"
    return (f"{path}{META_SUFFIX} is missing: no exported model at prefix {path} (the predictor needs the meta "
            f"file to preprocess images as in training). Export one with {EXPORT_COMMAND}")


REQUIRED_META = ("preprocess", "task", "class_names", "input_size")
EXPORT_AGAIN = "export the model again (python -m paddle_models export ... --overwrite)"


def load_export_meta(prefix) -> dict:
    """``<prefix>.meta.json`` as written by ``export_model``: the stored record, as a plain dict; a damaged
    one is named (``DamagedExportError``)."""
    path = Path(str(prefix) + META_SUFFIX)
    if not path.is_file():
        raise MissingFileError(not_an_export(prefix))
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DamagedExportError(f"{path} is damaged (not valid JSON: {error}): {EXPORT_AGAIN}") from error
    missing = [key for key in REQUIRED_META if key not in meta] if isinstance(meta, dict) else list(REQUIRED_META)
    if missing:
        raise DamagedExportError(f"{path} is damaged (it lacks {', '.join(missing)}): {EXPORT_AGAIN}")
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise WrongValueError(f"{path} has format_version {meta['format_version']}; this code reads "
                         f"up to {FORMAT_VERSION}: update paddle_models")
    return meta


def load_export_record(prefix) -> ModelRecord:
    """The ``ModelRecord`` of an exported model (what the predictor, the app and Grad-CAM read)."""
    path = Path(str(prefix) + META_SUFFIX)
    try:
        return ModelRecord.from_dict(load_export_meta(prefix), source=path)
    except RecordError as error:
        raise DamagedExportError(f"{error}: {EXPORT_AGAIN}") from None


def load_dygraph(prefix):
    """The Python (dygraph) model of an export, for Grad-CAM: ``(model in eval mode, meta)``.

    Reads ``<prefix>.dygraph.pdparams`` (written by ``export_model``); exports made before it existed
    raise ``FileNotFoundError`` saying to export again.
    """
    path = Path(str(prefix) + DYGRAPH_SUFFIX)
    if not path.is_file():
        raise MissingFileError(f"{path} is missing: export the checkpoint again (python -m paddle_models "
                                "export ...) to get the weights Grad-CAM needs")
    return load_model(path)
