"""Helpers the lesson notebooks share: which data (real or synthetic), fast mode, training a run.

Every lesson starts the same way::

    FAST = None                                   # parameters cell: None reads PADDLE_MODELS_FAST
    ...
    from paddle_models import course
    data = course.lesson_data("ichallenge_pm", fast=FAST)
    print(data)            # which copy of the data and why, which image size, how many epochs

``lesson_data`` uses the real dataset when ``paddle_models.data.locate`` finds it -- in
``datasets/`` (datasets/PALM, datasets/DDR), or on AI Studio in ``work/`` or mounted under
``data/`` (unpacked once into ``work/``) -- and otherwise writes a synthetic copy in the same layout
under datasets/synthetic/, so a lesson never waits for a download.  *Fast mode* (the default on a
machine without a GPU, and what the tests run) shrinks the data, the image size and the epochs so
that a lesson takes a minute or two on two CPU cores; ``FAST = False`` (or ``PADDLE_MODELS_FAST=0``)
runs the real experiment.  Runs are logged under ``RUNS_DIR`` (``runs/``; on AI Studio in the
persistent ``work/`` folder when the project lies elsewhere).

Running the notebooks themselves is ``paddle_models.notebooks``; the VisualDL hint lives with the
logger (``paddle_models.visualdl_log``) and the environment report in ``paddle_models.doctor``.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

from .aistudio import panel_path
from .data import build_dataset
from .data.locate import locate_dataset
from .data.registry import synthetic_writer
from .engine import TrainConfig, gpu_available
from .errors import WrongValueError
from .experiment import run_experiment
from .places import DATASETS_DIR, REPO_ROOT, RUNS_DIR  # noqa: F401  (lessons and tests read them from here)
from .settings import defaults
from .visualdl_log import visualdl_command, visualdl_hint  # noqa: F401  (the lessons call course.visualdl_hint)

FAST_ENV = "PADDLE_MODELS_FAST"

# Sizes of a lesson's run.  Full: the course's real experiment, the settings' defaults (224x224 images,
# 10 epochs, batches of 16, every training image).  Fast: a minute or two on a CPU -- smaller images and
# fewer epochs, the same batches.
FULL_SIZES = {key: defaults()[key] for key in ("image_size", "epochs", "batch_size", "subset")}
FAST_SIZES = {**FULL_SIZES, "image_size": 64, "epochs": 3}
# Synthetic data written for the lessons: the writer's options (images per class and split, image width).
SYNTHETIC = {"ichallenge_pm": {"per_class": 40, "image_size": 256},
             "ddr": {"per_class": 24, "image_size": 256},
             # APTOS's grade proportions (1805/370/999/193/295) scaled to 500 images; varied cameras and crops
             "aptos": {"per_class": [246, 51, 136, 26, 41], "image_size": 256},
             # lessons 7 and 8 (lesson_data("ddr", synthetic="ddr_imbalanced")): DDR's real grade proportions
             # (46/5/33/2/7 %, 8 % ungradable) in train/valid/test; lesions 1.5x their size to show at 64x64, and
             # each eye painted at a severity scattered 0.4 grades around its label (neighbouring grades overlap)
             "ddr_imbalanced": {"images": (600, 300, 800), "image_size": 256, "lesion_scale": 1.5, "grade_overlap": 0.4},
             # lesson 14: RetinaMNIST's split sizes (1,080 / 120 / 400) at its own 28x28, grade 0 the largest;
             # each eye painted at a severity scattered 0.6 grades around its label (neighbouring grades overlap)
             "retinamnist": {"per_class": [480, 130, 210, 190, 70], "image_size": 28, "grade_overlap": 0.6,
                             "valid_per_class": [53, 14, 23, 21, 9], "test_per_class": [176, 48, 78, 70, 28]}}


def fast_mode(value: Optional[bool] = None) -> bool:
    """Resolve a lesson's ``FAST`` parameter: an explicit True/False wins, else $PADDLE_MODELS_FAST.

    Unset, fast mode is on unless a GPU is present: a CPU cannot run the real experiments in
    reasonable time (ResNet-50 at 224x224 trains at about one image per second on two cores).
    """
    if value is not None:
        return bool(value)
    text = os.environ.get(FAST_ENV, "").strip().lower()
    if text:
        if text not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
            raise WrongValueError(f"{FAST_ENV}={text!r}: use 1 (fast lessons) or 0 (the full experiments)")
        return text in ("1", "true", "yes", "on")

    return not gpu_available()


def synthetic_root(name: str, per_class=10, image_size: int = 256, seed: int = 0, **options) -> Path:
    """A synthetic dataset in the official layout, written once (atomically) and then reused.

    ``options`` go to the writer the dataset's reader declares (e.g. ``label_noise=0.2`` for
    iChallenge-PM, ``make_synthetic_ddr``'s ``images`` and ``lesion_scale``; see
    paddle_models/data/synthetic/) and into the folder name.
    Written to a temporary folder and renamed into place, so two lessons running at the same time
    never see half a dataset.
    """
    def text(value):
        return "-".join(map(str, value)) if isinstance(value, (list, tuple)) else f"{value:g}" \
            if isinstance(value, float) else str(value)

    tags = "".join(f"-{key}{text(value)}" for key, value in sorted(options.items()))
    size = f"{text(per_class)}x{image_size}" if "images" not in options else f"{image_size}px"
    root = DATASETS_DIR / "synthetic" / f"lesson-{name}-{size}-seed{seed}{tags}"
    if root.exists():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
    synthetic_writer(name)(staging, per_class=per_class, image_size=image_size, seed=seed, **options)
    try:
        staging.rename(root)
    except OSError:  # another process finished first: use its copy
        shutil.rmtree(staging, ignore_errors=True)
    return root


@dataclass
class LessonData:
    """Which data a lesson uses and how big its runs are (printing it explains the choice)."""

    name: str
    root: Path
    real: bool
    fast: bool
    image_size: int
    epochs: int
    batch_size: int
    subset: Optional[int] = None
    seed: int = 0
    notes: List[str] = field(default_factory=list)
    source: str = ""  # which copy of the data and why (printed first)

    def __str__(self) -> str:
        kind = "real" if self.real else "synthetic"
        mode = "fast mode" if self.fast else "full run"
        lines = [self.source or f"{self.name}: {kind} data in {self.root}",
                 f"{kind} data, {mode}: {self.image_size}x{self.image_size} images, {self.epochs} epochs, "
                 f"batch size {self.batch_size}" + (f", training subset of {self.subset}" if self.subset else "")]
        return "\n".join(lines + self.notes)

    def dataset(self, split: str = "train", **options):
        """The dataset reader for ``split`` at this lesson's image size (options go to the reader)."""
        options.setdefault("image_size", self.image_size)
        options.setdefault("seed", self.seed)
        if split == "train" and self.subset:
            options.setdefault("subset", self.subset)
        return build_dataset(self.name, self.root, split, **options)

    def datasets(self, augment: bool = True, **options):
        """(train, valid) readers; training images augmented unless ``augment=False``."""
        return self.dataset("train", augment=augment, **options), self.dataset("valid", **options)


def lesson_data(name: str = "ichallenge_pm", fast: Optional[bool] = None, root=None,
                image_size: Optional[int] = None, epochs: Optional[int] = None,
                batch_size: Optional[int] = None, subset: Optional[int] = None, seed: int = 0,
                synthetic: Union[None, str, dict] = None) -> LessonData:
    """The data and run sizes of a lesson (see the module docstring); explicit values win.

    ``root``: a dataset folder to use as it is; None searches (``locate_dataset``), unpacking
    archives mounted on AI Studio into its work folder the first time.
    ``synthetic``: the stand-in written when the real data is missing: a key of ``SYNTHETIC``
    (default ``name``; e.g. ``"ddr_imbalanced"`` for DDR's real grade proportions), or a dict of
    changes to ``SYNTHETIC[name]`` -- its size and the generator's controls, e.g.
    ``{"per_class": 60, "label_noise": 0.2}``.
    """
    fast = fast_mode(fast)
    sizes = dict(FAST_SIZES if fast else FULL_SIZES)
    notes = []
    located = locate_dataset(name, root, datasets_dir=DATASETS_DIR)
    real, source = located.found, str(located)
    if real:
        root = located.root
    else:
        controls = dict(SYNTHETIC[synthetic]) if isinstance(synthetic, str) else \
            {**SYNTHETIC[name], **(synthetic or {})}
        root = synthetic_root(name, seed=seed, **controls)
        source += (f"\n-> synthetic fundus images in the same layout stand in for it: {root}"
                   "\n   (datasets/README.md says how to get the real one)")
    if real and fast:
        sizes["subset"] = 80
        notes.append("(fast mode on real data: a fixed subset of 80 training images)")
    if not real and not fast:
        notes.append("(a full run on synthetic data: the numbers say nothing about real fundus images)")
    for key, value in (("image_size", image_size), ("epochs", epochs), ("batch_size", batch_size),
                       ("subset", subset)):
        if value is not None:
            sizes[key] = value
    return LessonData(name=name, root=root, real=real, fast=fast, seed=seed, notes=notes, source=source,
                      **sizes)


def run_config(lesson: str, run: str, data: LessonData, **settings):
    """A TrainConfig for one run of a lesson: its VisualDL log goes to runs/<lesson>/<run>.

    All runs of a lesson share one parent folder, so VisualDL overlays their curves.  Lessons keep
    only the best epoch's weights (``save_last=False``): no resumable checkpoint of gigabytes each epoch;
    running a lesson again replaces its runs (``overwrite=True``), as re-running a notebook cell should.
    """
    values = dict(epochs=data.epochs, batch_size=data.batch_size, seed=data.seed,
                  log_dir=str(RUNS_DIR / lesson), run_name=run, progress=False, save_last=False, overwrite=True)
    values.update(settings)
    return TrainConfig(**values)


def train(model, data: LessonData, lesson: str, run: str, model_name: Optional[str] = None,
          model_options: Optional[dict] = None, augment: bool = True, datasets=None, custom_loss=None,
          **settings):
    """Train on the lesson's data with the engine, the same path as the command line's ``train``
    (``experiment.run_experiment``); returns the Trainer (history, record, paths).

    ``model``: a model built in the lesson, or a registered model's name (built here, with the run's seed
    and ``model_options``).  ``model_name`` and ``model_options``: how ``paddle_models.build`` makes a
    given model, saved in the checkpoint's record so that ``engine.load_model``, export and Grad-CAM can
    rebuild it.  ``settings`` are TrainConfig fields (optimizer, lr, loss, seed, ...); ``datasets``
    overrides the (train, valid) readers, e.g. to use other preprocessing; ``custom_loss`` a callable
    (outputs, labels) -> loss to train with instead of the engine's (``loss`` still names the task).
    """
    train_set, valid_set = datasets or data.datasets(augment=augment)
    built_here = isinstance(model, str)
    run_settings = {**run_config(lesson, run, data, **settings).to_dict(),
                    "model": model if built_here else model_name or type(model).__name__.lower(),
                    "model_options": model_options, "data": data.name, "data_root": str(data.root),
                    "image_size": data.image_size, "subset": data.subset}
    result = run_experiment(run_settings, progress=False, model=None if built_here else model,
                            datasets=(train_set, valid_set), custom_loss=custom_loss)
    trainer = result.trainer
    best = trainer.best_epoch
    print(f"{run}: best epoch {best + 1}, " + ", ".join(
        f"{key} {values[best]:.3f}" for key, values in trainer.history.items()
        if key.startswith("val/") and len(values) > best))
    return trainer


def short_path(path) -> str:
    """A path as a lesson prints it: relative to the project when inside it, else as AI Studio shows it.

    (On AI Studio with the project outside ``work/``, ``RUNS_DIR`` is not inside the project, so
    ``path.relative_to(REPO_ROOT)`` would raise.)
    """
    path = Path(path).resolve()
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return panel_path(path)


# ----------------------------------------------------------------------------- what a lesson shows

# The MIME type under which ``show_results`` stores a lesson's numbers in the executed notebook.
RESULTS_MIME = "application/vnd.paddle-models.lesson-results+json"


def show_results(**numbers) -> None:
    """Show the numbers a lesson's conclusion rests on, as a small table, and record them.

    The notebook's output then holds them twice: as text for the student, and as JSON under
    ``RESULTS_MIME`` for the lesson's test (``lesson_results``), which asserts the effect the lesson
    claims.  Values must be JSON-serialisable (numbers, strings, lists, dicts).  Nothing is
    returned, so a call on a cell's last line does not show the numbers a second time as a dict.
    """
    # optional: IPython exists only where a notebook runs
    from IPython.display import display

    numbers = {name: _plain(value) for name, value in numbers.items()}
    width = max((len(name) for name in numbers), default=0)
    text = "\n".join(f"{name:<{width}}  {_format(value)}" for name, value in numbers.items())
    display({RESULTS_MIME: numbers, "text/plain": text}, raw=True)


def _plain(value):
    """NumPy scalars and arrays -> Python numbers and lists (for JSON)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, list) and all(isinstance(item, float) for item in value):
        return "[" + ", ".join(f"{item:.3f}" for item in value) + "]"
    return str(value)


def lesson_results(notebook) -> dict:
    """Every ``show_results`` record of an executed notebook (a path or an nbformat object), merged."""
    # heavy: nbformat only when an executed notebook is read
    import nbformat

    if not hasattr(notebook, "cells"):
        notebook = nbformat.read(str(notebook), as_version=4)
    results = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RESULTS_MIME in data:
                results.update(data[RESULTS_MIME])
    return results


def history_table(trainers: Dict[str, object], keys: Sequence[str] = ("val/acc", "val/loss")) -> str:
    """One line per run: the best epoch's validation scores (for comparing runs in a lesson)."""
    width = max(len(name) for name in trainers)
    lines = [f"{'run':<{width}}  best epoch  " + "  ".join(f"{key:>10}" for key in keys)]
    for name, trainer in trainers.items():
        best = trainer.best_epoch
        values = [trainer.history.get(key, [float("nan")] * (best + 1))[best] for key in keys]
        lines.append(f"{name:<{width}}  {best + 1:>10}  " + "  ".join(f"{value:>10.4f}" for value in values))
    return "\n".join(lines)

