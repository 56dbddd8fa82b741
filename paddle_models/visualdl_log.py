"""Watching training in VisualDL: one ``LogWriter`` per run, closed at the end.

``RunLogger(logdir, run_name)`` writes everything about one run into ``<logdir>/<run_name>/``.  Give
all runs the same ``logdir`` and VisualDL overlays them in one chart, because every run uses the
same tag names (``train/loss``, ``val/acc``, ``lr``, ...)::

    with RunLogger("runs", "pm-resnet50") as log:
        for step ...:
            log.scalar("train/loss", loss, step)

Two classic mistakes this class avoids:

* a ``LogWriter`` created inside the training loop starts a new log file every time, and each
  curve ends up with a single point -- make one writer per run;
* a writer that is never closed may lose its last records -- use ``with`` (or call ``close``).

VisualDL 2.5.3, its last release, has two bugs worked around here:

* ``add_pr_curve`` calls ``np.float``, which NumPy removed in 1.24.  ``numpy_float_alias`` puts it
  back for the duration of that call only (it is the builtin ``float``, which the alias always was).
* ``add_roc_curve`` computes the true-positive rate as TP / (TN + FP) -- divided by the number of
  *negatives* -- so a one-vs-rest curve of a rare class never reaches 1 (0.25 for a 1-in-5 grade).
  ``roc_curve`` computes the points itself (TPR = TP / (TP + FN), FPR = FP / (FP + TN)) and writes
  them with VisualDL's raw-record helper, passing plain Python floats (that helper's array path
  would truncate them to integers).  tests/test_visualdl_log.py reads them back against scikit-learn.
Open the logs with ``visualdl --logdir runs -L en --disable-telemetry``.
"""
from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Dict, Optional, Sequence

import numpy as np

from .figures import figure_to_array
from .files import make_folder

MAX_IMAGES = 8  # of a batch logged as images
CURVE_THRESHOLDS = 50  # points of each PR and ROC curve


def roc_counts(labels, scores, num_thresholds: int = CURVE_THRESHOLDS) -> Dict[str, np.ndarray]:
    """TP, FP, TN, FN and the true/false-positive rates at thresholds 0, 1/(n-1), ..., 1.

    A sample counts as predicted positive at threshold t when its score is >= t, so the first
    point (t = 0) is (FPR 1, TPR 1) and the rates fall towards (0, 0) as t grows.
    """
    labels, scores = np.asarray(labels).astype(bool), np.asarray(scores, dtype=np.float64)
    thresholds = np.linspace(0.0, 1.0, num_thresholds)
    predicted = scores[None, :] >= thresholds[:, None]  # [T, N]
    tp = (predicted & labels).sum(axis=1)
    fp = (predicted & ~labels).sum(axis=1)
    fn, tn = labels.sum() - tp, (~labels).sum() - fp
    return {"tp": tp, "fp": fp, "tn": tn, "fn": fn,
            "tpr": tp / np.maximum(1, tp + fn), "fpr": fp / np.maximum(1, fp + tn)}


@contextlib.contextmanager
def numpy_float_alias():
    """Temporarily provide ``np.float`` (= float) for VisualDL 2.5.3's curve functions."""
    added = "float" not in np.__dict__
    if added:
        np.float = float  # removed from NumPy in 1.24; VisualDL 2.5.3 still uses it
    try:
        yield
    finally:
        if added:
            del np.float


class RunLogger:
    """One VisualDL log for one run; every method does nothing when ``enabled`` is False.

    In multi-device training only rank 0 logs: the other ranks make ``RunLogger(..., enabled=False)``.
    """

    def __init__(self, logdir="runs", run_name: Optional[str] = None, enabled: bool = True):
        self.enabled = enabled
        self.logdir = Path(logdir) / run_name if run_name else Path(logdir)
        self.writer = None
        if enabled:
            from visualdl import LogWriter

            make_folder(self.logdir, "VisualDL log folder")
            self.writer = LogWriter(logdir=str(self.logdir))

    # ------------------------------------------------------------------ context manager

    def __enter__(self) -> "RunLogger":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    @property
    def file_path(self) -> Optional[Path]:
        """The .vdlrecords file of this run (for ``visualdl.LogReader(file_path=...)``)."""
        files = sorted(self.logdir.glob("vdlrecords.*.log")) if self.enabled else []
        return files[-1] if files else None

    # ------------------------------------------------------------------ what can be logged

    def scalar(self, tag: str, value, step: int) -> None:
        if self.writer is not None:
            self.writer.add_scalar(tag=tag, value=float(value), step=int(step))

    def scalars(self, values: Dict[str, float], step: int) -> None:
        """Several scalars at one step; nan values (an undefined AUC) are left out."""
        for tag, value in values.items():
            if value is not None and np.isfinite(value):
                self.scalar(tag, value, step)

    def text(self, tag: str, text: str, step: int = 0) -> None:
        if self.writer is not None:
            self.writer.add_text(tag=tag, text_string=text, step=int(step))

    def image(self, tag: str, image_hwc_uint8: np.ndarray, step: int) -> None:
        if self.writer is not None:
            self.writer.add_image(tag=tag, img=np.ascontiguousarray(image_hwc_uint8), step=int(step))

    def image_batch(self, tag: str, batch_chw, step: int, preprocess=None) -> None:
        """Up to 8 model inputs (normalised float [N, 3, S, S]) shown as the images they were."""
        from .data import to_display

        batch = np.asarray(batch_chw)
        for index, chw in enumerate(batch[:MAX_IMAGES]):
            self.image(f"{tag}/{index}", to_display(chw, preprocess), step)

    def figure(self, tag: str, figure, step: int) -> None:
        """A matplotlib Figure (confusion matrix, ROC curves ...) as an image."""
        if self.writer is not None:
            self.image(tag, figure_to_array(figure), step)

    def pr_curve(self, tag: str, y_true, probs, step: int, class_names: Optional[Sequence[str]] = None) -> None:
        """Precision-recall curves: the positive class of a binary task, else one per class."""
        self._curves("add_pr_curve", tag, y_true, probs, step, class_names)

    def roc_curve(self, tag: str, y_true, probs, step: int, class_names: Optional[Sequence[str]] = None) -> None:
        """ROC curves: the positive class of a binary task, else one per class (one-vs-rest).

        The points are computed here, not by VisualDL (whose true-positive rate is wrong, see above).
        """
        if self.writer is None:
            return
        from visualdl.component.base_component import roc_curve_raw

        for name, labels, scores in self._one_vs_rest(y_true, probs, class_names):
            counts = roc_counts(labels, scores, CURVE_THRESHOLDS)
            record = roc_curve_raw(tag=f"{tag}/{name}", step=int(step), walltime=round(time.time() * 1000),
                                   **{key: [float(v) if key in ("tpr", "fpr") else int(v) for v in values]
                                      for key, values in counts.items()})
            self.writer._get_file_writer().add_record(record)  # what add_roc_curve itself does

    def _curves(self, method: str, tag: str, y_true, probs, step: int, class_names) -> None:
        if self.writer is None:
            return
        with numpy_float_alias():
            for name, labels, scores in self._one_vs_rest(y_true, probs, class_names):
                getattr(self.writer, method)(tag=f"{tag}/{name}", labels=labels, predictions=scores,
                                             step=int(step), num_thresholds=CURVE_THRESHOLDS)

    @staticmethod
    def _one_vs_rest(y_true, probs, class_names):
        """(class name, 0/1 labels, scores) for the positive class of a binary task, else every class."""
        probs, y_true = np.asarray(probs, dtype=np.float64), np.asarray(y_true)
        probs = np.stack([1 - probs, probs], axis=1) if probs.ndim == 1 else probs
        classes = [1] if probs.shape[1] == 2 else range(probs.shape[1])
        names = list(class_names) if class_names is not None else [str(c) for c in range(probs.shape[1])]
        return [(names[c], (y_true == c).astype(np.int64), probs[:, c]) for c in classes]

    def hparams(self, hparams: Dict[str, object], metrics: Sequence[str]) -> None:
        """The run's hyper-parameters, shown against its final ``metrics`` in VisualDL's HyperParameters tab."""
        if self.writer is None:
            return
        simple = {key: (value if isinstance(value, (int, float, str)) and not isinstance(value, bool) else str(value))
                  for key, value in hparams.items() if value is not None}
        self.writer.add_hparams(hparams_dict=simple, metrics_list=list(metrics))


# ----------------------------------------------------------------------------- opening the logs


def visualdl_command(log_dir="runs") -> str:
    """The command that opens the VisualDL board for ``log_dir``."""
    return f"visualdl --logdir {log_dir} -L en --disable-telemetry --port 8040"


def visualdl_hint(log_dir="runs") -> str:
    """How to open the logs: in a terminal, and in AI Studio's Visualization panel (the exact folder)."""
    from .aistudio import panel_path

    folder, absolute = panel_path(log_dir), str(Path(log_dir).resolve())
    return "\n".join([
        "Open the training logs in VisualDL (可视化工具):",
        f"  {visualdl_command(log_dir)}",
        "  then browse to http://localhost:8040",
        "  (-L en avoids a blank page with Werkzeug 3; --disable-telemetry stops the usage report)",
        "On AI Studio: the left side bar's 'Visualization' (可视化) tab; set the log folder (logdir) to",
        f"  {folder}" + (f"   (that is {absolute})" if folder != absolute else ""),
        "  and start the VisualDL service there (启动VisualDL服务).",
    ])
