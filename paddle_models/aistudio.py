"""Baidu AI Studio: where a project's files live there, and what survives a restart.

An AI Studio notebook project runs in ``/home/aistudio`` with two folders that matter::

    /home/aistudio/work/          persistent: kept when the environment restarts (your files go here)
    /home/aistudio/data/data<ID>/ datasets attached in the project's settings, mounted READ-ONLY
                                  (iChallenge-PM is public dataset 19065: training.zip,
                                  validation.zip, valid_gt.zip)

Everything else (including packages installed with pip) is reset when the environment restarts.
So on AI Studio the course unpacks mounted archives into ``work/`` (never into the mount), and
puts the VisualDL logs, checkpoints and exported models under ``work/`` unless the project itself
already lies there.  Off AI Studio nothing here changes anything: :func:`on_aistudio` is False and
:func:`persistent_path` returns the path it was given.

The root of the layout is ``$PADDLE_MODELS_AISTUDIO_HOME`` (default ``/home/aistudio``), so the tests
build a fake AI Studio tree in a temporary folder.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import List

HOME_ENV = "PADDLE_MODELS_AISTUDIO_HOME"
DEFAULT_HOME = "/home/aistudio"
PM_DATASET_ID = 19065  # the public iChallenge-PM dataset the course mounts


def aistudio_home() -> Path:
    """The AI Studio home folder: $PADDLE_MODELS_AISTUDIO_HOME, or /home/aistudio."""
    return Path(os.environ.get(HOME_ENV) or DEFAULT_HOME)


def work_dir() -> Path:
    """The persistent folder, ``<home>/work``."""
    return aistudio_home() / "work"


def on_aistudio() -> bool:
    """True when the AI Studio layout is here (its persistent ``work/`` folder exists)."""
    return work_dir().is_dir()


def mounted_dataset_dirs() -> List[Path]:
    """The mounted dataset folders ``<home>/data/data*/``, in name order (empty off AI Studio)."""
    data = aistudio_home() / "data"
    if not on_aistudio() or not data.is_dir():
        return []
    return sorted(path for path in data.glob("data*") if path.is_dir())


def is_persistent(path) -> bool:
    """Whether ``path`` survives an AI Studio restart (always True off AI Studio)."""
    if not on_aistudio():
        return True
    return _is_inside(Path(path), work_dir())


def persistent_path(default, name: str) -> Path:
    """``default``, unless on AI Studio it would be lost at a restart: then ``work/<name>``.

    Used for the folders of runs, checkpoints and exported models: with the project inside
    ``work/`` (as the README's walk-through does it) the default already persists.
    """
    default = Path(default)
    return default if is_persistent(default) else work_dir() / name


def panel_path(path) -> str:
    """A folder as AI Studio's side panels show it: relative to the home folder when inside it."""
    path = Path(path).resolve()
    home = aistudio_home().resolve()
    return path.relative_to(home).as_posix() if _is_inside(path, home) else str(path)


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
