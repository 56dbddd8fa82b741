"""The figures are real matplotlib Figures with the expected content, and save to disk."""
import numpy as np
import pytest

from paddle_models import figures


def test_training_curves_overlay_several_runs():
    history = {"train/loss": [1.0, 0.8, 0.5], "val/loss": [1.1, 0.9, 0.7],
               "train/acc": [0.5, 0.6, 0.8], "val/acc": [0.5, 0.55, 0.7]}
    single = figures.plot_training_curves(history)
    assert len(single.axes) == 2 and len(single.axes[0].lines) == 2
    overlay = figures.plot_training_curves({"lenet": history, "resnet50": history})
    assert len(overlay.axes[0].lines) == 4
    assert [axis.get_ylabel() for axis in overlay.axes] == ["loss", "accuracy"]
    assert overlay.legends and not overlay.axes[0].get_legend()  # below the panels, not over the curves
    assert [line.get_marker() for line in overlay.axes[0].lines] == ["o", "o", "s", "s"]  # one shape per run
    assert all(line.get_markerfacecolor() == "none" for line in overlay.axes[0].lines)  # hollow: overlaps show
    validation_only = figures.plot_training_curves({"lenet": history, "resnet50": history}, splits=("val",))
    assert [line.get_label() for line in validation_only.axes[0].lines] == ["lenet val", "resnet50 val"]


def test_confusion_matrix_heatmap_writes_every_count(tmp_path):
    figure = figures.plot_confusion_matrix(np.array([[5, 1], [2, 7]]), ["non-PM", "PM"])
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert texts == ["5", "1", "2", "7"]
    path = figures.save_figure(figure, tmp_path / "sub" / "cm.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_roc_curves_binary_and_multiclass():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 60)
    probs = rng.dirichlet(np.ones(3), 60)
    assert len(figures.plot_roc_curves(y, probs, ["a", "b", "c"]).axes[0].lines) == 4  # 3 + chance
    assert len(figures.plot_roc_curves(y % 2, probs[:, :2] / probs[:, :2].sum(1, keepdims=True),
                                       ["no", "yes"]).axes[0].lines) == 2


def test_misclassified_grid_and_rendering():
    images = np.zeros((6, 32, 32, 3), np.uint8)
    figure = figures.plot_misclassified(images, [0, 1, 1, 0, 1, 0], [0, 0, 1, 1, 1, 0],
                                        np.full((6, 2), 0.5), ["a", "b"])
    assert sum(1 for axis in figure.axes if axis.images) == 2
    array = figures.figure_to_array(figure)
    assert array.dtype == np.uint8 and array.ndim == 3 and array.shape[2] == 3


def test_misclassified_titles_never_overlap_an_image():
    names = ["0 No DR", "1 mild NPDR", "2 moderate NPDR", "3 severe NPDR", "4 proliferative DR"]
    images = np.zeros((8, 64, 64, 3), np.uint8)
    figure = figures.plot_misclassified(images, [4, 3, 2, 3, 4, 1, 2, 3], [0, 1, 1, 2, 2, 0, 0, 1],
                                        np.full((8, 5), 0.2), names, max_images=8)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    shown = [axis for axis in figure.axes if axis.images]
    titles = [axis.title.get_window_extent(renderer) for axis in shown]
    pictures = [axis.images[0].get_window_extent(renderer) for axis in shown]
    assert len(shown) == 8
    assert not any(title.overlaps(picture) for title in titles for picture in pictures)


def test_curves_by_group_one_panel_per_group_one_colour_per_run_name():
    history = {"train/loss": [2.0, 1.0, 0.5], "val/loss": [2.5, 1.5, 1.0]}
    groups = {"sgd": {"lr=0.001": history, "lr=0.01": history}, "adam": {"lr=0.001": history, "lr=0.01": history},
              "rmsprop": {"lr=0.001": history}}
    figure = figures.plot_curves_by_group(groups, key="loss", log_scale=True, columns=2)
    shown = [axis for axis in figure.axes if axis.get_visible()]
    assert [axis.get_title() for axis in shown] == ["sgd", "adam", "rmsprop"]
    assert all(axis.get_yscale() == "log" and axis.get_xlabel() == "epoch" for axis in shown)
    assert [axis.get_ylabel() for axis in shown] == ["loss (log scale)", "", "loss (log scale)"]  # left column
    colours = [{line.get_label(): line.get_color() for line in axis.lines} for axis in shown]
    assert colours[0] == colours[1] and colours[2]["lr=0.001 val"] == colours[0]["lr=0.001 val"]
    legend = figure.legends[0]
    assert [text.get_text() for text in legend.get_texts()] == ["lr=0.001 train", "lr=0.001 val",
                                                               "lr=0.01 train", "lr=0.01 val"]
    figure.canvas.draw()
    box = legend.get_window_extent()
    assert not any(box.overlaps(axis.get_window_extent()) for axis in shown)


def test_class_scores_bars_one_group_per_class_legend_outside():
    figure = figures.plot_class_scores({"a": [0.1, 0.5, 0.9], "b": [0.3, 0.2, 1.0]}, ["x", "y", "z"])
    axis = figure.axes[0]
    assert len(axis.patches) == 6 and axis.get_ylabel() == "recall" and axis.get_xlabel() == "class"
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    legend = axis.get_legend().get_window_extent(renderer)
    assert not any(legend.overlaps(bar.get_window_extent(renderer)) for bar in axis.patches)
    labels = [text.get_text() for text in axis.texts]
    assert labels == ["0.10", "0.50", "0.90", "0.30", "0.20", "1.00"]  # a zero score would read 0.00, not nothing
    assert not any(legend.overlaps(text.get_window_extent(renderer)) for text in axis.texts)


def test_gradcam_colorbar_keeps_the_rows_of_a_grid_equally_wide():
    figure = figures.new_figure(4, 4)
    axes = figure.subplots(2, 2)
    for axis in axes.ravel():
        axis.imshow(np.zeros((8, 8, 3), np.uint8))
    figure.tight_layout()
    figures.add_gradcam_colorbar(figure)
    figure.canvas.draw()
    widths = [axis.get_window_extent().width for axis in axes.ravel()]
    assert max(widths) - min(widths) < 1, widths  # given axes[1] only, the bottom row came out narrower


def test_gradcam_colorbar_shows_the_overlay_colours():
    from paddle_models.inference import overlay_heatmap

    figure = figures.new_figure(4, 2)
    axes = figure.subplots(1, 2)
    bar = figures.add_gradcam_colorbar(figure, axes)
    assert len(figure.axes) == 3 and bar.ax.get_ylabel().startswith("Grad-CAM")
    black = np.zeros((1, 3, 3), np.uint8)
    painted = overlay_heatmap(black, np.array([[0.0, 0.5, 1.0]]), alpha=1.0)[0] / 255  # full-strength colours
    for value, colour in zip((0.0, 0.5, 1.0), painted):
        assert np.allclose(bar.cmap(bar.norm(value))[:3], colour, atol=1 / 255 + 1e-6), (value, colour)


def test_runs_with_identical_values_stay_visible_nested():
    """Two runs stuck at the same values: the earlier one is drawn wider, the later one inside it."""
    stuck = {"train/acc": [0.5] * 4, "val/acc": [0.5] * 4}
    figure = figures.plot_training_curves({"sigmoid": stuck, "softmax": stuck}, keys=("acc",))
    first, _, second, _ = figure.axes[0].lines
    assert first.get_linewidth() > second.get_linewidth() and first.get_markersize() > second.get_markersize()


def test_a_loss_spanning_orders_of_magnitude_is_drawn_on_a_log_scale():
    spike = {"train/loss": [8.7, 0.4, 0.2, 0.1], "val/loss": [9.0, 0.5, 0.3, 0.2]}
    calm = {"train/loss": [1.0, 0.8, 0.5], "val/loss": [1.1, 0.9, 0.7]}
    spiked = figures.plot_training_curves(spike, keys=("loss",)).axes[0]
    assert spiked.get_yscale() == "log" and spiked.get_ylabel() == "loss (log scale)"
    assert figures.plot_training_curves(calm, keys=("loss",)).axes[0].get_yscale() == "linear"


def test_class_score_values_are_readable_with_three_runs():
    scores = {name: [0.99, 0.0, 0.91, 0.36, 0.94] for name in ("plain", "weights", "balanced")}
    figure = figures.plot_class_scores(scores, [f"grade {g}" for g in range(5)])
    axis = figure.axes[0]
    assert len(axis.texts) == 15 and min(text.get_fontsize() for text in axis.texts) >= 8
    figure.canvas.draw()
    inside = axis.get_window_extent()
    assert all(inside.contains(*text.get_window_extent().p1) for text in axis.texts)  # no label above the axes


def test_image_size_chart_keeps_its_label_inside_with_one_size():
    from collections import Counter

    from paddle_models.data.explore import plot_image_sizes

    figure = plot_image_sizes(Counter({(160, 155): 80}))
    figure.canvas.draw()
    axis = figure.axes[0]
    label, whole = axis.yaxis.label.get_window_extent(), figure.bbox
    assert whole.y0 <= label.y0 and label.y1 <= whole.y1, (label, whole)
    assert axis.get_window_extent().height >= label.height  # the axis is not squashed below its label


def test_class_score_error_bars_reach_the_wilson_interval_of_each_count():
    from matplotlib.container import ErrorbarContainer

    from paddle_models.metrics import proportion_interval

    counts = [50, 5, 20]
    scores = {"plain": [0.9, 0.4, 0.0], "weighted": [0.8, 1.0, 0.25]}
    figure = figures.plot_class_scores(scores, ["grade 0", "grade 1", "grade 2"], counts=counts)
    axis = figure.axes[0]
    containers = [c for c in axis.containers if isinstance(c, ErrorbarContainer)]
    assert len(containers) == 2
    for container, values in zip(containers, scores.values()):
        (vertical,) = container.lines[2]                      # one vertical segment per bar
        for segment, value, count in zip(vertical.get_segments(), values, counts):
            low, high = proportion_interval(round(value * count), count)
            np.testing.assert_allclose(sorted(segment[:, 1]), [low, high], atol=1e-9)
    assert [t.get_text() for t in axis.get_xticklabels()] == ["grade 0\nn=50", "grade 1\nn=5", "grade 2\nn=20"]
    figure.canvas.draw()
    inside = axis.get_window_extent()
    assert all(inside.contains(*text.get_window_extent().p1) for text in axis.texts)  # labels above the bars, inside


def test_class_scores_that_are_no_share_of_the_counts_are_refused():
    with pytest.raises(ValueError, match="not shares of the counts"):
        figures.plot_class_scores({"a": [0.5, 0.5]}, ["x", "y"], counts=[3, 4])
    extents = figures.interval_extents([float("nan"), 1.0], [0, 4])  # no images: no interval, no error
    np.testing.assert_allclose(extents[:, 0], [0, 0])
