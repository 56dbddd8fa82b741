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
from pathlib import Path
from typing import NamedTuple, Optional

import numpy as np
import paddle
from paddle import nn

from ..files import write_text
from ..models import evaluating, main_output
from ..record import ModelRecord, record_for_model

META_SUFFIX = ".meta.json"
DYGRAPH_SUFFIX = ".dygraph.pdparams"
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
    raise FileNotFoundError(
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


def export_model(model: nn.Layer, out_prefix, input_size: Optional[int] = None,
                 batch_size: Optional[int] = None, meta: Optional[dict] = None) -> ExportedModel:
    """Save ``model`` as a static inference program + weights + ``<prefix>.meta.json``.

    input_size: image side S of the InputSpec [batch, 3, S, S]; default: the preprocessing's output
        side (``record.input_size``), else ``model.default_input_size``.
    batch_size: None for a dynamic batch dimension (any number of images per call), or a fixed int
        (the predictor then pads the last batch).
    meta: the checkpoint's ``ModelRecord`` (``engine.load_model`` returns it), or a partial dict whose
        missing entries get defaults (``record.record_for_model``: task 'multiclass', ImageNet-normalised
        default preprocessing, names 'class 0', ...).
    """
    if batch_size is not None and int(batch_size) < 1:
        raise ValueError(f"batch_size must be None (dynamic) or >= 1, got {batch_size}")
    record = record_for_model(model, meta, input_size)
    size = record.input_size
    out_prefix = Path(out_prefix)
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    for suffix in PROGRAM_SUFFIXES:  # an older export under the other Paddle version must not be picked up
        Path(str(out_prefix) + suffix).unlink(missing_ok=True)
    spec = paddle.static.InputSpec([batch_size, 3, size, size], "float32", name=INPUT_NAME)
    with evaluating(model, gradients=True):  # dropout off, batch norm running statistics, main head only
        paddle.jit.save(MainHead(model), str(out_prefix), input_spec=[spec])
    model_file, params_file = find_model_files(out_prefix)
    record = record.updated(export=dict(format_version=FORMAT_VERSION, output="logits", input_name=INPUT_NAME,
                                        batch_size=None if batch_size is None else int(batch_size),
                                        model_file=model_file.name, params_file=params_file.name,
                                        paddle_version=paddle.__version__))
    meta_file = Path(str(out_prefix) + META_SUFFIX)
    write_text(meta_file, json.dumps(record.to_dict(), indent=2, default=_to_json))
    from ..engine.checkpoint import save_checkpoint  # (lazy: the engine imports scikit-learn)

    dygraph_file = Path(str(out_prefix) + DYGRAPH_SUFFIX)
    save_checkpoint({"model": model.state_dict(), "meta": record.to_dict()}, dygraph_file)  # atomic, with a checksum
    return ExportedModel(model_file, params_file, meta_file, dygraph_file)


def export_checkpoint(checkpoint_path, out_prefix, input_size: Optional[int] = None,
                      batch_size: Optional[int] = None) -> ExportedModel:
    """A training checkpoint (``best.pdparams``) -> an exported model, with the checkpoint's record.

    The record also gets the checkpoint's ``best_epoch`` (counted from 1, as the training lines print
    it; the checkpoint itself counts from 0) and ``metrics`` (the scores of that epoch).
    """
    from ..engine.checkpoint import load_checkpoint, model_from_state  # here: the engine pulls in scikit-learn

    state = load_checkpoint(checkpoint_path)  # read and checksum-verified once
    model, record = model_from_state(state, checkpoint_path)
    epoch = state.get("epoch")
    record = record.updated(best_epoch=epoch + 1 if isinstance(epoch, int) else None,
                            metrics=dict(state.get("metrics") or {}))
    return export_model(model, out_prefix, input_size=input_size, batch_size=batch_size, meta=record)


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


def load_export_meta(prefix) -> dict:
    """``<prefix>.meta.json`` as written by ``export_model``: the stored record, as a plain dict."""
    path = Path(str(prefix) + META_SUFFIX)
    if not path.is_file():
        raise FileNotFoundError(not_an_export(prefix))
    meta = json.loads(path.read_text(encoding="utf-8"))
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError(f"{path} has format_version {meta['format_version']}; this code reads "
                         f"up to {FORMAT_VERSION}: update paddle_models")
    return meta


def load_export_record(prefix) -> ModelRecord:
    """The ``ModelRecord`` of an exported model (what the predictor, the app and Grad-CAM read)."""
    return ModelRecord.from_dict(load_export_meta(prefix), source=Path(str(prefix) + META_SUFFIX))


def load_dygraph(prefix):
    """The Python (dygraph) model of an export, for Grad-CAM: ``(model in eval mode, meta)``.

    Reads ``<prefix>.dygraph.pdparams`` (written by ``export_model``); exports made before it existed
    raise ``FileNotFoundError`` saying to export again.
    """
    from ..engine import load_model

    path = Path(str(prefix) + DYGRAPH_SUFFIX)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: export the checkpoint again (python -m paddle_models "
                                "export ...) to get the weights Grad-CAM needs")
    return load_model(path)
