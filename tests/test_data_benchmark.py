"""The loader benchmark script runs end to end (on tiny images: this is not a speed test)."""
from paddle_models.benchmarks import loader
from tests.data_fixtures import real_size_jpeg  # noqa: F401,F811 (fixtures)


def test_loader_benchmark_runs_and_reports_every_reader(tmp_path, capsys):
    rates = loader.run(images=4, image_size=48, repeats=1, work_dir=tmp_path, synthetic_size=160)
    assert set(rates) == {"course reader (imread + resize)", "project loader, uncached",
                          "project loader, filling the cache", "project loader, cached"}
    assert all(rate > 0 for rate in rates.values())
    out = capsys.readouterr().out
    assert "vs course" in out and "target >= 50x" in out
    assert not (tmp_path / "cache").exists()  # the benchmark cleans its cache up


def test_course_reader_matches_the_course_preprocessing(real_size_jpeg):
    image = loader.course_reader(str(real_size_jpeg), 32)
    assert image.shape == (3, 32, 32) and -1.0 <= image.min() and image.max() <= 1.0
