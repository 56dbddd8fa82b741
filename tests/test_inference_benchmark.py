"""The inference benchmark produces sane numbers (tiny settings; not a timing test)."""
import math

from paddle_models.benchmarks import inference


def test_run_reports_both_engines():
    results = inference.run(models=["convmixer_small", "resnet18"], images=4, image_size=32, batch_size=2,
                            repeats=1)
    assert set(results) == {"convmixer_small", "resnet18"}
    for row in results.values():
        for key in ("dygraph_images_per_s", "predictor_images_per_s", "speedup"):
            assert math.isfinite(row[key]) and row[key] > 0
        assert math.isclose(row["speedup"], row["predictor_images_per_s"] / row["dygraph_images_per_s"])


def test_main_prints_a_table(capsys):
    results = inference.main(["--models", "convmixer_small", "--images", "2", "--image-size", "32",
                              "--batch-size", "2", "--repeats", "1"])
    out = capsys.readouterr().out
    assert "convmixer_small" in out and "predictor img/s" in out
    assert list(results) == ["convmixer_small"]
