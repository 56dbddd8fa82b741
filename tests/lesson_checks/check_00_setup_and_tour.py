"""Lesson 0: the installation is sound, the counts are the models', the lesson table is complete.

The measurements behind its margins (seeds, machines, dates): lessons/MEASUREMENTS.md,
section "00_setup_and_tour".
"""
from pathlib import Path

LESSONS = sorted((Path(__file__).resolve().parents[2] / "lessons").glob("[0-9][0-9]_*.ipynb"))


def check(results):
    assert results["paddle_builds"] == 1 and results["install_ok"], "exactly one Paddle build installed"
    assert results["lenet_parameters"] > 5_000_000
    assert results["lenet_classifier_share"] > 0.99, "LeNet's weights sit in its fully connected layers"
    # VGG-16: 138,357,544 parameters with 1000 classes; 2 classes remove 998 x (4096 + 1)
    assert results["vgg16_parameters"] == 138_357_544 - 998 * 4097
    assert results["untrained_same_answer"], "an untrained ResNet gives every image the same answer"
    assert results["untrained_confidence"] > 0.7, "... and is confident about it, not a cautious 0.5"
    assert results["lessons_listed"] == len(LESSONS)
    first_line = results["data_source"]
    assert first_line.startswith("ichallenge_pm: ")
    assert ("using" in first_line) == results["data_real"], "the first line says which copy and why"
    assert results["visualdl_log_folder"].endswith("runs")
