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

VisualDL 2.5.3, its last release, gets PR and ROC curves wrong; this module computes them itself:

* ``add_roc_curve`` computes the true-positive rate as TP / (TN + FP) -- divided by the number of
  *negatives* -- so a one-vs-rest curve of a rare class never reaches 1 (0.25 for a 1-in-5 grade).
* both count at a fixed grid of evenly spaced thresholds (``num_thresholds``, at most 127), so all
  scores below the first step fall into one bucket: with 50 thresholds, a rare class whose two
  positives score 0.006 and 0.011 was drawn as a straight line (ROC area 0.385 where scikit-learn
  gives 0.304, measured in issue 29);
* ``add_pr_curve`` records precision 0 where nothing is predicted positive, so every PR curve dives
  to (recall 0, precision 0); scikit-learn's convention is precision 1 there;
* both call ``np.float``, which NumPy removed in 1.24 (an AttributeError).

The workaround: ``curve_points`` takes scikit-learn's exact points (``roc_curve``,
``precision_recall_curve``: one per distinct score), thins them to VisualDL's 127 points when there
are more (``thin_curve`` keeps the corners), counts TP/FP/TN/FN at those thresholds, and
``RunLogger`` writes them with VisualDL's raw-record helpers (``roc_curve_raw``, ``pr_curve_raw``) --
the same records ``add_roc_curve``/``add_pr_curve`` write, so the board draws them unchanged.  One
thing stays wrong on the board: its tooltip's "threshold" column is the point's index / number of
points (VisualDL's server makes it up), not the score threshold.  tests/test_visualdl_log.py reads
the records back and compares them with scikit-learn.

``visualdl_command(logdir)`` is the command that opens the board, runnable as printed.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Optional, Sequence

import numpy as np
from sklearn import metrics as skm

from .aistudio import panel_path
from .data import to_display
from .figures import figure_to_array
from .files import make_folder
from .places import LOG_DIR

MAX_IMAGES = 8  # of a batch logged as images
MAX_CURVE_POINTS = 127  # the most thresholds VisualDL's own add_pr_curve/add_roc_curve draw


def thin_curve(x, y, max_points: int = MAX_CURVE_POINTS) -> np.ndarray:
    """Indices of at most ``max_points`` points of the polyline (x, y), both ends and the corners kept.

    Dropping a point changes the area under the drawn line by exactly the triangle it makes with its
    two neighbours, so the point with the smallest triangle goes first (Visvalingam's algorithm):
    points on a straight segment (triangle 0) before any corner, and the area moves as little as it can.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    keep = np.arange(len(x))
    while len(keep) > max(max_points, 2):
        px, py = x[keep], y[keep]
        triangles = np.abs((px[1:-1] - px[:-2]) * (py[2:] - py[:-2]) - (px[2:] - px[:-2]) * (py[1:-1] - py[:-2]))
        keep = np.delete(keep, 1 + int(np.argmin(triangles)))
    return keep


def counts_at(labels, scores, thresholds) -> Dict[str, np.ndarray]:
    """TP, FP, TN, FN when every sample scoring >= threshold is predicted positive."""
    labels, scores = np.asarray(labels).astype(bool), np.asarray(scores, dtype=np.float64)
    positives, negatives = np.sort(scores[labels]), np.sort(scores[~labels])
    tp = len(positives) - np.searchsorted(positives, thresholds, side="left")
    fp = len(negatives) - np.searchsorted(negatives, thresholds, side="left")
    return {"tp": tp, "fp": fp, "tn": len(negatives) - fp, "fn": len(positives) - tp}


def curve_points(kind: str, labels, scores, max_points: int = MAX_CURVE_POINTS) -> Optional[Dict[str, list]]:
    """scikit-learn's ROC ("roc") or precision-recall ("pr") points, ready for VisualDL's raw records.

    Returns the keyword arguments of ``roc_curve_raw`` (tp, fp, tn, fn, tpr, fpr) or ``pr_curve_raw``
    (tp, fp, tn, fn, precision, recall), ordered like VisualDL's own: from the lowest threshold
    (everything predicted positive) to the highest (nothing is: ROC (0, 0), PR (recall 0, precision 1)).
    None when ``labels`` hold one class only: then there is no curve (scikit-learn's rates are nan).
    """
    labels = np.asarray(labels).astype(bool)
    if labels.all() or not labels.any():
        return None
    if kind == "roc":
        fpr, tpr, thresholds = skm.roc_curve(labels, scores)  # from (0, 0) up; the corners only
        x, y, thresholds, names = fpr[::-1], tpr[::-1], thresholds[::-1], ("fpr", "tpr")
    else:
        precision, recall, thresholds = skm.precision_recall_curve(labels, scores)
        thresholds = np.append(thresholds, np.inf)  # its last point, (0, 1), has no threshold
        x, y, names = recall, precision, ("recall", "precision")
    keep = thin_curve(x, y, max_points)
    points = {key: [int(v) for v in values] for key, values in counts_at(labels, scores, thresholds[keep]).items()}
    # plain Python floats: the raw helpers would truncate a NumPy float array to integers
    points.update({names[0]: [float(v) for v in x[keep]], names[1]: [float(v) for v in y[keep]]})
    return points


class RunLogger:
    """One VisualDL log for one run; every method does nothing when ``enabled`` is False.

    In multi-device training only rank 0 logs: the other ranks make ``RunLogger(..., enabled=False)``.
    """

    def __init__(self, logdir=LOG_DIR, run_name: Optional[str] = None, enabled: bool = True):
        self.enabled = enabled
        self.logdir = Path(logdir) / run_name if run_name else Path(logdir)
        self.writer = None
        if enabled:
            # heavy: VisualDL loads only when a log is written or read
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
        batch = np.asarray(batch_chw)
        for index, chw in enumerate(batch[:MAX_IMAGES]):
            self.image(f"{tag}/{index}", to_display(chw, preprocess), step)

    def figure(self, tag: str, figure, step: int) -> None:
        """A matplotlib Figure (confusion matrix, ROC curves ...) as an image."""
        if self.writer is not None:
            self.image(tag, figure_to_array(figure), step)

    def pr_curve(self, tag: str, y_true, probs, step: int, class_names: Optional[Sequence[str]] = None) -> None:
        """Precision-recall curves: the positive class of a binary task, else one per class (one-vs-rest).

        The points are scikit-learn's, not VisualDL's (see the module's docstring).
        """
        self._curves("pr", tag, y_true, probs, step, class_names)

    def roc_curve(self, tag: str, y_true, probs, step: int, class_names: Optional[Sequence[str]] = None) -> None:
        """ROC curves: the positive class of a binary task, else one per class (one-vs-rest).

        The points are scikit-learn's, not VisualDL's (see the module's docstring).
        """
        self._curves("roc", tag, y_true, probs, step, class_names)

    def _curves(self, kind: str, tag: str, y_true, probs, step: int, class_names) -> None:
        """One raw curve record per class that has a curve (positives and negatives both in y_true)."""
        if self.writer is None:
            return
        # heavy: VisualDL loads only when a log is written or read
        from visualdl.component.base_component import pr_curve_raw, roc_curve_raw

        make_record = roc_curve_raw if kind == "roc" else pr_curve_raw
        for name, labels, scores in self._one_vs_rest(y_true, probs, class_names):
            points = curve_points(kind, labels, scores)
            if points is not None:
                record = make_record(tag=f"{tag}/{name}", step=int(step), walltime=round(time.time() * 1000), **points)
                self.writer._get_file_writer().add_record(record)  # what add_roc_curve/add_pr_curve do

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


VISUALDL_PORT = 8040


def visualdl_command(log_dir=LOG_DIR, port: int = VISUALDL_PORT, python: Optional[str] = None) -> str:
    """The command that opens the VisualDL board for ``log_dir``, runnable as printed.

    * ``python -m visualdl.server.app`` with this interpreter (``sys.executable``): the VisualDL
      installed next to Paddle, found without an activated environment (``visualdl`` alone is only on
      the PATH inside an activated venv; ``python -m visualdl`` fails: the package has no __main__).
    * ``--host 127.0.0.1``: the board is served to this machine only (VisualDL's default binds to the
      machine's host name); ``-L en`` avoids a blank page with Werkzeug 3; ``--disable-telemetry`` stops
      its usage report.
    """
    words = [python or sys.executable, "-m", "visualdl.server.app", "--logdir", str(log_dir),
             "--host", "127.0.0.1", "--port", str(port), "-L", "en", "--disable-telemetry"]
    return subprocess.list2cmdline(words) if os.name == "nt" else shlex.join(words)


def visualdl_url(port: int = VISUALDL_PORT) -> str:
    """Where the board of ``visualdl_command`` is served."""
    return f"http://127.0.0.1:{port}"


def visualdl_hint(log_dir=LOG_DIR) -> str:
    """How to open the logs: in a terminal, and in AI Studio's Visualization panel (the exact folder)."""
    folder, absolute = panel_path(log_dir), str(Path(log_dir).resolve())
    return "\n".join([
        "Open the training logs in VisualDL (可视化工具): in a terminal, run",
        f"  {visualdl_command(log_dir)}",
        f"  then browse to {visualdl_url()}",
        "On AI Studio: the left side bar's 'Visualization' (可视化) tab; set the log folder (logdir) to",
        f"  {folder}" + (f"   (that is {absolute})" if folder != absolute else ""),
        "  and start the VisualDL service there (启动VisualDL服务).",
    ])
