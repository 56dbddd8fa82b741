"""Checkpoints that survive interruptions, and rebuilding a model from one.

Two files per run, in the run's output folder:

* ``best.pdparams``  the weights of the best epoch + ``meta`` (model name and options, number of
  classes, task, class names, preprocessing): enough to rebuild the model and preprocess new
  images exactly as in training (``load_model``);
* ``last.pdckpt``    everything needed to continue: weights, optimizer and scheduler state, epoch,
  history, best value, early-stopping counter, NumPy and Python RNG states (``--resume``).

Both are written *atomically* (``paddle_models.files.atomic_write``): to a temporary file in the
same folder, then renamed over the old file with ``os.replace``.  A crash or Ctrl-C in the middle of
a save leaves the previous checkpoint intact, never half a file; the temporary file a killed process
leaves behind is removed by the next run (``files.remove_stale_temporaries``).

Every checkpoint ends with a checksum line, ``PADDLE_MODELS_SHA256:<hex>``, the SHA-256 of all the
bytes before it (the ``paddle.save`` payload).  ``paddle.load`` ignores it (pickle stops at its own
end), so the file stays an ordinary Paddle checkpoint; ``load_checkpoint`` recomputes the checksum
and refuses a file whose bytes changed (a bad copy, a disk error), and a checkpoint whose weights
are NaN or infinite, naming the file.  Checkpoints written before the checksum existed have no
such line: they load as before, without the check.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import paddle

from ..errors import MissingFileError, UserError, WrongValueError
from ..files import atomic_write
from ..models import build
from ..models.pretrained import compare_weights
from ..record import DYGRAPH_SUFFIX, META_SUFFIX, ModelRecord

BEST, LAST = "best.pdparams", "last.pdckpt"
CHECKSUM_TAG = b"\nPADDLE_MODELS_SHA256:"
CHECKSUM_LINE_LENGTH = len(CHECKSUM_TAG) + 64 + 1  # tag, 64 hex digits, newline
CHUNK = 1 << 20


class CorruptCheckpointError(UserError, ValueError):
    """A checkpoint file is empty, truncated, altered since it was written, or holds non-finite weights."""


def file_sha256(path: Path, length: int) -> str:
    """SHA-256 of the first ``length`` bytes of ``path``, read in 1 MB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while length > 0:
            chunk = file.read(min(CHUNK, length))
            if not chunk:
                break
            digest.update(chunk)
            length -= len(chunk)
    return digest.hexdigest()


def _save_with_checksum(state: dict, temporary: Path) -> None:
    paddle.save(state, str(temporary))
    checksum = file_sha256(temporary, temporary.stat().st_size)
    with open(temporary, "ab") as file:
        file.write(CHECKSUM_TAG + checksum.encode("ascii") + b"\n")


def save_checkpoint(state: dict, path) -> Path:
    """``paddle.save(state, path)`` plus a checksum line, atomically (temporary file + rename)."""
    return atomic_write(path, lambda temporary: _save_with_checksum(state, temporary))


def stored_checksum(path: Path):
    """(checksum written in the file, payload length), or (None, file size) for an old checkpoint."""
    size = path.stat().st_size
    if size < CHECKSUM_LINE_LENGTH:
        return None, size
    with open(path, "rb") as file:
        file.seek(size - CHECKSUM_LINE_LENGTH)
        tail = file.read()
    if not tail.startswith(CHECKSUM_TAG):
        return None, size
    return tail[len(CHECKSUM_TAG):-1].decode("ascii", "replace"), size - CHECKSUM_LINE_LENGTH


def update_checkpoint_meta(path, fields: dict) -> None:
    """Add ``fields`` to a checkpoint's ``meta`` and save it again (atomically, with a new checksum)."""
    state = load_checkpoint(path)
    state["meta"] = {**(state.get("meta") or {}), **fields}
    save_checkpoint(state, path)


def verify_checksum(path) -> bool:
    """True if ``path`` has a checksum line and it matches; False for an old file without one.

    Raises ``CorruptCheckpointError`` naming the file if it is empty or its bytes changed.
    """
    path = Path(path)
    checksum, length = stored_checksum(path)
    if length == 0:
        raise CorruptCheckpointError(f"checkpoint {path} is empty (0 bytes): an interrupted copy or a full "
                                     "disk. Delete it and copy it again, or train again.")
    if checksum is None:
        return False
    if file_sha256(path, length) != checksum:
        raise CorruptCheckpointError(f"checkpoint {path} is damaged: its SHA-256 does not match the one "
                                     "written with it (bytes changed after saving). Copy it again, or "
                                     "train again.")
    return True


def non_finite_weights(weights: dict) -> list:
    """Names of the tensors in a state dict that contain NaN or infinity."""
    bad = []
    for name, value in weights.items():
        array = value.numpy() if hasattr(value, "numpy") else np.asarray(value)
        if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
            bad.append(name)
    return bad


def load_checkpoint(path, check_weights: bool = True) -> dict:
    """``paddle.load(path)`` after checking the checksum; refuses non-finite ``state['model']`` weights."""
    path = Path(path)
    if path.is_dir():
        inside = sorted(p.name for p in path.glob("*.pd*")) or ["none"]
        raise MissingFileError(f"{path} is a folder: pass a checkpoint file in it, e.g. {path / BEST} "
                                f"(checkpoints there: {', '.join(inside)})")
    if not path.is_file():
        if Path(f"{path}{META_SUFFIX}").is_file():  # the prefix of an export (inference.export_model)
            raise MissingFileError(f"{path} is an exported model's prefix, not a checkpoint: pass its weights "
                                    f"{path}{DYGRAPH_SUFFIX}, or the run's {BEST}")
        raise MissingFileError(f"no checkpoint at {path}")
    verify_checksum(path)
    try:
        state = paddle.load(str(path))
    except Exception as error:  # EOFError, UnpicklingError, ... : not (or no longer) a Paddle checkpoint
        raise CorruptCheckpointError(f"checkpoint {path} cannot be read ({type(error).__name__}: {error}): "
                                     "truncated or not a Paddle checkpoint. Copy it again, or train again.") from None
    weights = state.get("model") if isinstance(state, dict) else None
    if check_weights and isinstance(weights, dict):
        bad = non_finite_weights(weights)
        if bad:
            raise CorruptCheckpointError(f"checkpoint {path} holds NaN or infinite weights in {len(bad)} "
                                         f"tensor(s) ({', '.join(bad[:3])}{', ...' if len(bad) > 3 else ''}): "
                                         "training diverged before it was saved, or the file is damaged. "
                                         "Use an earlier checkpoint or train again with a lower lr=...")
    return state


def _rename_keys(state: dict, renames: dict) -> dict:
    """Replace the parameter-name prefix of every optimizer state key (``<param>_moment1_0`` ...)."""
    renamed = {}
    for key, value in state.items():
        for old in sorted(renames, key=len, reverse=True):  # longest first: 'fc.w_10' before 'fc.w_1'
            if key.startswith(old + "_"):
                key = renames[old] + key[len(old):]
                break
        renamed[key] = value
    return renamed


def optimizer_state(optimizer, model) -> dict:
    """The optimizer's state keyed by *structured* parameter names (``layer1.0.conv1.weight``).

    Paddle keys optimizer state by each parameter's global name (``conv2d_4.w_0``), which depends on
    how many layers the process created before; structured names make the state loadable into a
    model built anywhere else.
    """
    names = {param.name: f"@{structured}" for structured, param in model.named_parameters()}
    return _rename_keys(optimizer.state_dict(), names)


def restore_optimizer_state(optimizer, model, state: dict) -> None:
    """Inverse of ``optimizer_state`` for this model's parameters."""
    names = {f"@{structured}": param.name for structured, param in model.named_parameters()}
    optimizer.set_state_dict(_rename_keys(state, names))


def load_model(path):
    """Rebuild the model saved in a checkpoint; returns ``(model in eval mode, its ModelRecord)``.

    Refuses a file that is not a course checkpoint (an exported ``.pdiparams``, a bare state dict) and
    weights that do not fit the model the checkpoint names exactly (``set_state_dict`` would only warn
    and keep random weights: an untrained model), naming the file.
    """
    return model_from_state(load_checkpoint(path), path)


def model_from_state(state, path):
    """``load_model`` for a checkpoint already read with ``load_checkpoint`` (``path`` names it in errors)."""
    if not isinstance(state, dict) or not isinstance(state.get("model"), dict):
        raise WrongValueError(f"{path} is not a checkpoint of this course (no 'model' weights and 'meta'): pass the "
                         "best.pdparams of a run (an exported model's files are for predict and app)")
    if not (state.get("meta") or {}).get("model_name"):
        raise WrongValueError(f"{path} does not say which model it holds (no meta['model_name']); "
                         "build the model yourself and use model.set_state_dict(state['model'])")
    meta = state["meta"]  # the weights are checked against the model it names before the rest is read
    options = dict(meta.get("model_options") or {})
    model = build(meta["model_name"], num_classes=meta.get("num_classes"), **options)
    misfit = compare_weights(model, state["model"]).problems()
    if misfit:
        raise WrongValueError(f"{path}: its weights do not fit the model its meta names ({meta['model_name']}, "
                         f"{meta.get('num_classes')} outputs, options {options}): "
                         f"{len(misfit)} problem(s), e.g. {'; '.join(misfit[:2])}. The meta was edited or the "
                         "weights belong to another model: use the checkpoint the run wrote")
    record = ModelRecord.from_dict(meta, source=path)
    model.set_state_dict(state["model"])
    model.eval()
    return model, record
