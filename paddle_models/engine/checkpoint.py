"""Checkpoints that survive interruptions, and rebuilding a model from one.

Two files per run, in the run's output folder:

* ``best.pdparams``  the weights of the best epoch + ``meta`` (model name and options, number of
  classes, task, class names, preprocessing): enough to rebuild the model and preprocess new
  images exactly as in training (``load_model``);
* ``last.pdckpt``    everything needed to continue: weights, optimiser and scheduler state, epoch,
  history, best value, early-stopping counter, NumPy and Python RNG states (``--resume``).

Both are written *atomically*: to a temporary file in the same folder, then renamed over the old
file with ``os.replace``.  A crash or Ctrl-C in the middle of a save leaves the previous checkpoint
intact, never half a file.
"""
from __future__ import annotations

import os
from pathlib import Path

import paddle

BEST, LAST = "best.pdparams", "last.pdckpt"


def save_checkpoint(state: dict, path) -> Path:
    """``paddle.save(state, path)``, atomically (temporary file + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        paddle.save(state, str(temporary))
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    return path


def load_checkpoint(path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    return paddle.load(str(path))


def _rename_keys(state: dict, renames: dict) -> dict:
    """Replace the parameter-name prefix of every optimiser state key (``<param>_moment1_0`` ...)."""
    renamed = {}
    for key, value in state.items():
        for old in sorted(renames, key=len, reverse=True):  # longest first: 'fc.w_10' before 'fc.w_1'
            if key.startswith(old + "_"):
                key = renames[old] + key[len(old):]
                break
        renamed[key] = value
    return renamed


def optimizer_state(optimizer, model) -> dict:
    """The optimiser's state keyed by *structured* parameter names (``layer1.0.conv1.weight``).

    Paddle keys optimiser state by each parameter's global name (``conv2d_4.w_0``), which depends on
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
    """Rebuild the model saved in a checkpoint; returns ``(model in eval mode, meta)``."""
    from ..models import build

    state = load_checkpoint(path)
    meta = state.get("meta") or {}
    if not meta.get("model_name"):
        raise ValueError(f"{path} does not say which model it holds (no meta['model_name']); "
                         "build the model yourself and use model.set_state_dict(state['model'])")
    model = build(meta["model_name"], num_classes=meta["num_classes"], **meta.get("model_options", {}))
    model.set_state_dict(state["model"])
    model.eval()
    return model, meta
