"""``python -m paddle_models doctor``: the environment report, a broken Paddle install, a GPU build."""
from importlib import metadata

import paddle
import pytest

from paddle_models import aistudio, doctor
from paddle_models.cli import main


def fake_installed(monkeypatch, versions):
    """Pretend exactly these distributions are installed (the metadata lookup the doctor uses)."""
    real_version = metadata.version

    def version(name):
        if name in doctor.PADDLE_DISTRIBUTIONS:
            if name not in versions:
                raise metadata.PackageNotFoundError(name)
            return versions[name]
        return real_version(name)

    monkeypatch.setattr(doctor.metadata, "version", version)


def test_both_paddle_builds_installed_is_detected_with_the_repair(monkeypatch, capsys):
    fake_installed(monkeypatch, {"paddlepaddle": "3.3.1", "paddlepaddle-gpu": "2.6.2"})
    with pytest.raises(SystemExit) as stopped:
        main(["doctor"])
    assert stopped.value.code == 1
    out = capsys.readouterr().out
    assert "PROBLEM: both paddlepaddle 3.3.1 (CPU build) and paddlepaddle-gpu 2.6.2 are installed" in out
    repair = out.index("python -m pip uninstall -y paddlepaddle\n")
    assert out.index("python -m pip install --force-reinstall --no-deps paddlepaddle-gpu==2.6.2") > repair
    assert "pip install -e ." in out


def test_one_build_is_fine(monkeypatch, capsys):
    fake_installed(monkeypatch, {"paddlepaddle-gpu": "3.0.0"})
    main(["doctor"])
    out = capsys.readouterr().out
    assert "distributions paddlepaddle-gpu 3.0.0" in out and "PROBLEM" not in out
    assert f"PaddlePaddle  {paddle.__version__}" in out and "/dev/shm" in out
    assert "ichallenge_pm: " in out and "ddr: " in out


def test_no_build_installed_says_how_to_install(monkeypatch):
    fake_installed(monkeypatch, {})
    assert doctor.distribution_problem(doctor.paddle_distributions())[0].startswith("PROBLEM: no PaddlePaddle")


def test_a_cuda_build_reports_cuda_cudnn_and_the_gpus(monkeypatch):
    monkeypatch.setattr(paddle.device, "is_compiled_with_cuda", lambda: True)
    monkeypatch.setattr(paddle.version, "cuda", lambda: "11.8")
    monkeypatch.setattr(paddle.version, "cudnn", lambda: "8.6.0")
    monkeypatch.setattr(paddle.device.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(paddle.device.cuda, "get_device_name", lambda index: "Tesla V100-SXM2-32GB")
    lines = doctor.paddle_lines()
    assert "CUDA / cuDNN  11.8 / 8.6.0 (Paddle's build)" in lines
    assert "GPU           gpu:0 Tesla V100-SXM2-32GB" in lines


def test_on_ai_studio_it_reports_mounted_archives_without_unpacking(tmp_path, monkeypatch):
    from paddle_models import course
    from paddle_models.data import synthetic

    home = tmp_path / "aistudio"
    (home / "work").mkdir(parents=True)
    synthetic.make_synthetic_ichallenge_pm_archives(home / "data" / "data19065", per_class=1, image_size=64)
    monkeypatch.setenv(aistudio.HOME_ENV, str(home))
    monkeypatch.setattr(course, "DATASETS_DIR", tmp_path / "datasets")
    report = doctor.environment_report()
    assert f"ichallenge_pm: archives mounted in {home / 'data' / 'data19065'}" in report
    assert "AI Studio     yes" in report and "work/ (kept)" in report
    assert not (home / "work" / "palm").exists(), "the doctor only looks"
