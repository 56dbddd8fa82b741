"""The inference benchmark produces sane numbers (tiny settings; not a timing test)."""
import math

import pytest

from paddle_models.benchmarks import inference
from paddle_models.inference.onnx_backend import onnx_unavailable_reason


def test_run_reports_every_backend_with_its_agreement():
    results = inference.run(models=["resnet18"], images=4, image_size=32, batch_size=2, threads=2, repeats=1,
                            calibration_images=4)
    rows = results["resnet18"]
    labels = list(rows)
    assert labels[0] == "dygraph"
    assert [label for label in labels if label.startswith("paddle.inference")] == [
        "paddle.inference oneDNN off, 1 thread", "paddle.inference oneDNN off, 2 threads",
        "paddle.inference oneDNN on, 1 thread", "paddle.inference oneDNN on, 2 threads"]
    assert ("ONNX Runtime, 2 threads" in rows) == (onnx_unavailable_reason() is None)
    assert labels[-1] == "INT8 paddle.inference oneDNN, 2 threads"
    for row in rows.values():
        assert math.isfinite(row["images_per_s"]) and row["images_per_s"] > 0
        assert math.isclose(row["ratio"], row["images_per_s"] / rows["dygraph"]["images_per_s"])
        assert 0 <= row["max_prob_diff"] <= 1 and 0 <= row["top1_agreement"] <= 1
    assert rows["dygraph"]["max_prob_diff"] == 0 and rows["dygraph"]["top1_agreement"] == 1
    for label in labels[1:-1]:  # FP32 engines: the same logits up to rounding
        assert rows[label]["max_logit_diff"] < 1e-4, label
    assert 0 < rows[labels[-1]]["max_logit_diff"] < 0.5  # INT8: rounded, but the same network


def test_agreement_compares_probabilities_and_classes():
    import numpy as np

    reference = np.array([[2.0, 0.0], [0.0, 1.0]])
    same = inference.agreement(reference, reference)
    assert same == {"max_prob_diff": 0.0, "top1_agreement": 1.0, "max_logit_diff": 0.0}
    flipped = inference.agreement(reference[:, ::-1], reference)
    assert flipped["top1_agreement"] == 0.0 and flipped["max_logit_diff"] == pytest.approx(1.0)


def test_main_prints_a_table_and_the_cpu_flags(capsys):
    results = inference.main(["--models", "convmixer_small", "--images", "2", "--image-size", "32",
                              "--batch-size", "2", "--repeats", "1", "--calibration-images", "2", "--threads", "1"])
    out = capsys.readouterr().out
    assert "convmixer_small" in out and "x dygraph" in out and "CPU flags for INT8" in out
    assert list(results) == ["convmixer_small"]
