"""Figures of the course, drawn with matplotlib: curves, confusion matrix, ROC, misclassified images.

Every function returns a ``matplotlib.figure.Figure`` built with the object API, so no window and no
GUI backend are needed (this runs on servers, in tests and in VisualDL); in a notebook, a Figure as
the last expression of a cell is shown.  ``save_figure`` writes one to disk.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import cv2
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .files import atomic_write
from .metrics import as_probs, proportion_interval, roc_auc, roc_curves


def new_figure(width: float = 6, height: float = 4) -> Figure:
    """A Figure with an Agg canvas attached (so it can be rendered without pyplot)."""
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


# One marker shape per run of a training-curve figure (hollow: overlapping runs stay visible).
RUN_MARKERS = ("o", "s", "^", "v", "D", "P", "X", "<", ">", "*")

# The y-axis label of each metric a training history holds (a history key is "<split>/<metric>").
CURVE_LABELS = {"loss": "loss", "acc": "accuracy", "auc": "AUC (area under the ROC curve)",
                "kappa": "quadratic-weighted kappa", "f1_macro": "macro F1", "lr": "learning rate"}


def _nested_sizes(index: int, runs: int) -> tuple:
    """(line width, marker size) of run ``index`` of ``runs``: earlier runs wider, drawn underneath.

    Two runs with identical values (two models stuck at chance) would hide one another; nested, the
    later run's thin line and small hollow markers sit inside the earlier run's wide ones.
    """
    step = 1.0 if runs <= 5 else 0.5
    rank = runs - 1 - index
    return 1.3 + 0.8 * step * rank, 4 + 2 * step * rank


def _spans_orders_of_magnitude(axis, factor: float = 20) -> bool:
    """Whether the positive values drawn on ``axis`` span more than ``factor`` (then a log scale reads)."""
    values = np.concatenate([np.asarray(line.get_ydata(), dtype=float) for line in axis.lines] or [np.array([])])
    values = values[np.isfinite(values)]
    return bool(values.size) and values.min() > 0 and values.max() / values.min() > factor


def _draw_runs(axis, histories: dict, key: str, splits: Sequence[str], run_index=None) -> None:
    """One axis: each run's curves of ``key`` (dashed training, solid validation), colour and marker per run.

    ``run_index`` (run name -> number) keeps a run's colour, marker and width the same across panels.
    """
    runs = len(histories) if run_index is None else len(run_index)
    for position, (name, history) in enumerate(histories.items()):
        index = position if run_index is None else run_index[name]
        color, marker = f"C{index % 10}", RUN_MARKERS[index % len(RUN_MARKERS)]
        width, size = _nested_sizes(index, runs)
        for split, style in (("train", "--"), ("val", "-")):
            values = history.get(f"{split}/{key}") if split in splits else None
            if values:
                epochs = np.arange(1, len(values) + 1)
                axis.plot(epochs, values, style, color=color, linewidth=width,
                          marker=marker if len(values) < 30 else None, markersize=size, markerfacecolor="none",
                          label=f"{name} {split}")
    axis.set_xlabel("epoch")
    axis.set_ylabel(CURVE_LABELS.get(key, key))
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.grid(alpha=0.3)


def plot_training_curves(histories, keys: Sequence[str] = ("loss", "acc"),
                         splits: Sequence[str] = ("train", "val")) -> Figure:
    """Train and validation curves per epoch: one panel per key, one colour per run.

    ``histories`` is one history (a dict like ``{'train/loss': [...], 'val/loss': [...]}``, as
    ``Trainer.fit`` returns) or ``{run name: history}`` to overlay several runs (lesson 6 compares
    the five models this way).  Solid lines are validation, dashed lines training.  Every axis is
    labelled, and the legend sits below the panels, never over a curve.  Each run has its own hollow
    marker shape and the earlier runs are drawn wider, underneath, so two runs with the same values (two
    models both at chance) stay visible.  A loss panel whose values span more than a factor of 20 (a
    first-epoch spike) is drawn on a log scale, so the later epochs do not flatten into a line.
    ``splits=("val",)`` draws the validation curves only (a grid of many runs).
    """
    if any(str(key).startswith(("train/", "val/")) for key in histories):
        histories = {"run": histories}
    figure = new_figure(4.2 * len(keys) + 0.6, 3.6 + 0.25 * ((2 * len(histories) + 3) // 4))
    figure.set_layout_engine("constrained")
    axes = figure.subplots(1, len(keys), squeeze=False)[0]
    for axis, key in zip(axes, keys):
        _draw_runs(axis, histories, key, splits)
        axis.set_title(key)
        if key == "loss" and _spans_orders_of_magnitude(axis):
            axis.set_yscale("log")
            axis.set_ylabel("loss (log scale)")
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4), fontsize=8)
    return figure


def plot_curves_by_group(groups, key: str = "loss", splits: Sequence[str] = ("train", "val"),
                         log_scale: bool = False, columns: int = 4) -> Figure:
    """Small multiples: one panel per group of runs (``{panel title: {run name: history}}``), one ``key``.

    Many runs overlaid in one panel (lesson 11's 8 optimizer settings, 16 curves) cannot be read; one
    panel per group of two or three runs can, and the shared y-axis keeps the panels comparable.  A run
    name that appears in several panels ("lr=0.01") keeps its colour; one legend below the panels
    names them.  ``log_scale`` for losses that span orders of magnitude.
    """
    names = list(dict.fromkeys(name for histories in groups.values() for name in histories))
    run_index = {name: index for index, name in enumerate(names)}
    rows, used = -(-len(groups) // columns), min(columns, len(groups))
    figure = new_figure(3.2 * used + 0.4, 2.9 * rows + 0.3 + 0.25 * ((2 * len(names) + 3) // 4))
    figure.set_layout_engine("constrained")
    axes = figure.subplots(rows, used, squeeze=False, sharey=True)
    legend = {}
    for axis, (title, histories) in zip(axes.ravel(), groups.items()):
        _draw_runs(axis, histories, key, splits, run_index)
        axis.set_title(title, fontsize=9)
        if log_scale:
            axis.set_yscale("log")
            axis.set_ylabel(f"{CURVE_LABELS.get(key, key)} (log scale)")
        legend.update((label, handle) for handle, label in zip(*axis.get_legend_handles_labels()))
    for axis in axes[:, 1:].ravel():
        axis.set_ylabel("")  # the rows share their y-axis: one label, at the left
    for axis in axes.ravel()[len(groups):]:
        axis.set_visible(False)
    figure.legend(list(legend.values()), list(legend), loc="outside lower center", ncols=min(len(legend), 4),
                  fontsize=8)
    return figure


def plot_confusion_matrix(confusion, class_names: Sequence[str], normalize: bool = False,
                          title: str = "confusion matrix") -> Figure:
    """Heat map of a confusion matrix (rows: true class, columns: predicted), counts written in."""
    confusion = np.asarray(confusion, dtype=np.float64)
    shown = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1) if normalize else confusion
    size = 2.5 + 0.6 * len(class_names)
    figure = new_figure(size + 1, size)
    axis = figure.subplots()
    image = axis.imshow(shown, cmap="Blues")
    figure.colorbar(image, ax=axis)
    ticks = np.arange(len(class_names))
    axis.set_xticks(ticks)
    axis.set_xticklabels(class_names, rotation=45, ha="right")
    axis.set_yticks(ticks)
    axis.set_yticklabels(class_names)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    axis.set_title(title)
    threshold = shown.max() / 2 if shown.size else 0
    for (row, column), value in np.ndenumerate(shown):
        text = f"{value:.2f}" if normalize else f"{int(value)}"
        axis.text(column, row, text, ha="center", va="center",
                  color="white" if value > threshold else "black", fontsize=9)
    figure.tight_layout()
    return figure


def plot_roc_curves(y_true, probs, class_names: Sequence[str]) -> Figure:
    """ROC curves with their AUC: one curve for a binary task, one per class (one-vs-rest) otherwise."""
    probs = as_probs(probs)
    figure = new_figure(5, 4.5)
    axis = figure.subplots()
    for label, (fpr, tpr, _) in roc_curves(y_true, probs).items():
        auc = roc_auc(np.asarray(y_true) == label, probs[:, label])
        axis.plot(fpr, tpr, label=f"{class_names[label]} (AUC {auc:.3f})")
    axis.plot([0, 1], [0, 1], ":", color="grey", label="chance")
    axis.set_xlabel("false positive rate (1 - specificity)")
    axis.set_ylabel("true positive rate (sensitivity)")
    axis.set_title("ROC")
    axis.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    return figure


def interval_extents(scores: Sequence[float], counts: Sequence[int]) -> np.ndarray:
    """[2, K]: how far each score's 95 % Wilson interval reaches below and above it (matplotlib's ``yerr``).

    ``scores[k]`` must be a share of ``counts[k]`` images (a recall: found / images of class k); the
    interval is ``metrics.proportion_interval(found, count)``.  A class without images has no interval
    (0 and 0).  ValueError when a score is no share of its count (0.5 of 3 images cannot be).
    """
    scores, counts = np.asarray(scores, dtype=float), np.asarray(counts, dtype=int)
    found = np.where(counts > 0, scores * counts, 0.0)  # a class without images: no score to check
    if scores.shape != counts.shape or not np.allclose(found, np.round(found), atol=1e-4):
        raise ValueError(f"scores {np.round(scores, 4).tolist()} are not shares of the counts {counts.tolist()}")
    extents = np.zeros((2, len(scores)))
    for k, (score, successes, count) in enumerate(zip(scores, np.round(found).astype(int), counts)):
        if count > 0:
            low, high = proportion_interval(successes, count)
            extents[:, k] = max(0.0, score - low), max(0.0, high - score)  # Wilson's interval holds the score
    return extents


def plot_class_scores(scores, class_names: Sequence[str], ylabel: str = "recall",
                      title: str = "per-class recall", counts: Optional[Sequence[int]] = None) -> Figure:
    """Grouped bars: one group per class, one bar per run (``{run name: [score per class]}``).

    Lesson 7 compares the recall of each DR grade for plain and class-balanced training this way.
    Every bar carries its value in a readable size (upright for one or two runs, turned for more, where
    the bars are narrow), so a score of 0 (no bar) reads as 0, not as missing; the legend sits above the
    axes, never over the bars.

    ``counts``: the number of images of each class, which every run's scores are shares of (a recall's
    denominator).  Given them, each bar gets its 95 % Wilson interval as an error bar
    (``interval_extents``) and each class its n under its name: a recall of 2 of 5 images, 0.40 with
    an interval from 0.12 to 0.77, is drawn as the guess it is.
    """
    turned = len(scores) > 2
    figure = new_figure(1.6 + 1.3 * len(class_names), 4.2)
    axis = figure.subplots()
    x = np.arange(len(class_names))
    width = 0.8 / max(1, len(scores))
    for position, (name, values) in enumerate(scores.items()):
        errors = None if counts is None else interval_extents(values, counts)
        bars = axis.bar(x + (position - (len(scores) - 1) / 2) * width, values, width, label=name,
                        color=f"C{position % 10}", yerr=errors, capsize=2, error_kw={"elinewidth": 1})
        axis.bar_label(bars, fmt="%.2f", fontsize=8, padding=2, rotation=90 if turned else 0)  # above the error bar
    axis.set_xticks(x)
    names = class_names if counts is None else [f"{name}\nn={count}" for name, count in zip(class_names, counts)]
    axis.set_xticklabels(names, rotation=20, ha="right")
    axis.set_ylim(0, (1.3 if turned else 1.15) + (0.05 if counts is not None else 0))  # room above a score of 1
    axis.set_ylabel(ylabel)
    axis.set_xlabel("class" if counts is None else "class (n: its images; bars: 95 % Wilson interval)")
    axis.set_title(title, pad=28)
    axis.grid(axis="y", alpha=0.3)
    axis.legend(fontsize=8, ncol=len(scores), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    figure.tight_layout()
    return figure


def plot_misclassified(images, y_true, y_pred, probs, class_names: Sequence[str],
                       max_images: int = 16, columns: int = 4) -> Figure:
    """A grid of misclassified images titled 'true -> predicted (probability)'.

    ``images`` are displayable RGB uint8 [H, W, 3] arrays (``paddle_models.data.to_display`` turns a
    model input back into one).
    """
    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))[:max_images]
    rows = max(1, int(np.ceil(len(wrong) / columns)))
    figure = new_figure(2.6 * columns, 3.0 * rows)
    figure.set_layout_engine("constrained")  # reserves room for every two-line title above its image
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for axis in axes:
        axis.axis("off")
    for axis, index in zip(axes, wrong):
        axis.imshow(images[index])
        predicted = int(y_pred[index])
        axis.set_title(f"{class_names[int(y_true[index])]} -> {class_names[predicted]}\n"
                       f"p={float(np.asarray(probs)[index][predicted]):.2f}", fontsize=8)
    if not len(wrong):
        axes[0].set_title("no misclassified images")
    return figure


def figure_to_array(figure: Figure) -> np.ndarray:
    """Render a Figure to an RGB uint8 [H, W, 3] array (for VisualDL's add_image)."""
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def overlay_heatmap(image_rgb: np.ndarray, cam: np.ndarray, alpha: float = 0.4,
                    colormap: int = cv2.COLORMAP_JET) -> np.ndarray:
    """Blend a [0, 1] map over a uint8 RGB image: (1 - alpha) * image + alpha * colour map -> RGB uint8."""
    height, width = image_rgb.shape[:2]
    if cam.shape != (height, width):
        cam = cv2.resize(cam.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    heat = cv2.applyColorMap(np.uint8(np.round(255 * np.clip(cam, 0, 1))), colormap)  # BGR [H, W, 3]
    heat = cv2.cvtColor(heat, cv2.COLOR_BGR2RGB)
    return cv2.addWeighted(np.ascontiguousarray(image_rgb, np.uint8), 1 - alpha, heat, alpha, 0)


def add_gradcam_colorbar(figure: Figure, axes=None, label: str = "Grad-CAM weight (0 none, 1 strongest)"):
    """A colour bar beside Grad-CAM overlays: the exact colours ``overlay_heatmap`` paints.

    The 256 colours are painted by ``overlay_heatmap`` itself (a ramp from 0 to 1, fully opaque), so the
    bar cannot drift from the overlays.  Call it after ``tight_layout``.  The bar takes its room from
    ``axes``, by default every axes of the figure: given one row of a grid, it would narrow that row
    only, and the images above would no longer line up with the maps below them.
    """
    ramp = np.linspace(0, 1, 256, dtype=np.float32)[None]                              # [1, 256]
    colours = overlay_heatmap(np.zeros((1, 256, 3), np.uint8), ramp, alpha=1.0)[0] / 255  # [256, 3]
    mappable = ScalarMappable(Normalize(0, 1), cmap=ListedColormap(colours, name="gradcam"))
    room = figure.axes if axes is None else list(np.ravel(axes))
    bar = figure.colorbar(mappable, ax=room, fraction=0.03, pad=0.02)
    bar.set_label(label, fontsize=8)
    return bar


def save_figure(figure: Figure, path, dpi: int = 120) -> Path:
    """Write a Figure to ``path`` (PNG, PDF or SVG by its suffix), creating the folder; returns the path."""
    path = Path(path)
    kind = path.suffix.lstrip(".").lower() or "png"
    return atomic_write(path, lambda temporary: figure.savefig(temporary, format=kind, dpi=dpi, bbox_inches="tight"))

