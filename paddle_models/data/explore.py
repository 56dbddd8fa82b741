"""Looking at a dataset before training on it (lesson 1): counts, image sizes, sample images.

    print(class_count_table({"train": train, "valid": valid}))
    plot_class_counts({"train": train, "valid": valid})
    image_size_distribution(train)          # Counter({(2124, 2056): 400})
    sample_grid(train, per_class=4)         # one row of images per class

Figures are ``matplotlib.figure.Figure`` objects (no pyplot state): a notebook shows them when
they are the last expression of a cell; ``fig.savefig("x.png")`` writes them to disk.
"""
from __future__ import annotations

from collections import Counter
from typing import Dict, Iterable, Union

import numpy as np
from matplotlib.figure import Figure

from .imageio import choose_reduction, image_size_on_disk, read_image


def _as_dict(datasets) -> Dict[str, object]:
    return datasets if isinstance(datasets, dict) else {datasets.split or "data": datasets}


def class_count_table(datasets) -> str:
    """A text table: one row per class, one column per split (a dataset or a {name: dataset} dict)."""
    datasets = _as_dict(datasets)
    first = next(iter(datasets.values()))
    width = max(len(name) for name in first.class_names + ["class", "total"]) + 2
    column = max([8] + [len(str(split)) for split in datasets]) + 2  # every split name fits its column
    lines = ["class".ljust(width) + "".join(f"{split:>{column}}" for split in datasets)]
    counts = {split: dataset.class_counts() for split, dataset in datasets.items()}
    for index, name in enumerate(first.class_names):
        lines.append(name.ljust(width) + "".join(f"{counts[s][index]:>{column}}" for s in datasets))
    lines.append("total".ljust(width) + "".join(f"{len(d):>{column}}" for d in datasets.values()))
    return "\n".join(lines)


def plot_class_counts(datasets) -> Figure:
    """Grouped bar chart of images per class, one colour per split."""
    datasets = _as_dict(datasets)
    first = next(iter(datasets.values()))
    figure = Figure(figsize=(1.2 + 1.1 * first.num_classes, 3.2), layout="constrained")
    axes = figure.subplots()
    x = np.arange(first.num_classes)
    bar_width = 0.8 / len(datasets)
    for position, (split, dataset) in enumerate(datasets.items()):
        bars = axes.bar(x + position * bar_width, dataset.class_counts(), bar_width, label=split)
        axes.bar_label(bars, fontsize=8)
    axes.set_xticks(x + bar_width * (len(datasets) - 1) / 2, first.class_names)
    axes.set_xlabel("class")
    axes.set_ylabel("images")
    axes.margins(y=0.15)  # room for the count written above the tallest bar
    axes.legend(ncol=len(datasets), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)  # above, not over the bars
    return figure


def image_size_distribution(dataset_or_paths: Union[object, Iterable[str]]) -> Counter:
    """Counter of (width, height) over the images, read from file headers only (fast)."""
    paths = [path for path, _ in dataset_or_paths.samples] if hasattr(dataset_or_paths, "samples") \
        else list(dataset_or_paths)
    return Counter(image_size_on_disk(path) for path in paths)


def plot_image_sizes(sizes: Union[Counter, object], top: int = 10) -> Figure:
    """Horizontal bar chart of the ``top`` most common image sizes (a Counter or a dataset)."""
    if not isinstance(sizes, Counter):
        sizes = image_size_distribution(sizes)
    common = sizes.most_common(top)[::-1]
    # at least 2.6 inches high: with one or two sizes a shorter figure squashes the axis below its label
    figure = Figure(figsize=(6, max(2.6, 0.4 * len(common) + 1.2)), layout="constrained")
    axes = figure.subplots()
    bars = axes.barh([f"{w}x{h}" for (w, h), _ in common], [n for _, n in common], height=0.6)
    axes.bar_label(bars, padding=3, fontsize=9)
    axes.set_xlim(0, max(n for _, n in common) * 1.15)  # room for the counts
    axes.set_xlabel("images")
    axes.set_ylabel("width x height\n(pixels)")
    axes.set_title(f"image sizes: {sum(sizes.values())} images, {len(sizes)} distinct", fontsize=10)
    return figure


def sample_grid(dataset, per_class: int = 4, seed: int = 0, preprocessed: bool = True,
                thumbnail: int = 160) -> Figure:
    """A grid of random images: one row per class (one row for an unlabeled split).

    ``preprocessed=True`` shows what the model sees (``dataset.load_image``, before augmentation);
    False shows the original photographs, decoded small.
    """
    rng = np.random.default_rng(seed)
    groups = [(name, np.flatnonzero(dataset.labels == label)) for label, name in enumerate(dataset.class_names)]
    groups = [(name, members) for name, members in groups if members.size] or \
        [("unlabeled", np.arange(len(dataset)))]
    figure = Figure(figsize=(1.8 * per_class, 1.9 * len(groups)), layout="constrained")
    axes = np.atleast_2d(figure.subplots(len(groups), per_class, squeeze=False))
    for row, (name, members) in enumerate(groups):
        chosen = rng.choice(members, size=min(per_class, members.size), replace=False)
        for column in range(per_class):
            ax = axes[row, column]
            ax.axis("off")
            if column >= len(chosen):
                continue
            index = int(chosen[column])
            ax.imshow(dataset.load_image(index) if preprocessed else _thumbnail(dataset.samples[index][0], thumbnail))
            ax.set_title(str(dataset.samples[index][0]).replace("\\", "/").rsplit("/", 1)[-1], fontsize=7)
        axes[row, 0].text(-0.08, 0.5, name, transform=axes[row, 0].transAxes, rotation=90,
                          ha="right", va="center", fontsize=9)
    return figure


def _thumbnail(path, size: int) -> np.ndarray:
    width, height = image_size_on_disk(path)
    bgr = read_image(path, choose_reduction(width, height, size))
    return bgr[:, :, ::-1]  # RGB for matplotlib
