"""Runs never hang on bad input, never overwrite each other, never trust a damaged file (issue 12).

The hang and two-run cases start real ``python -m paddle_models`` processes, with timeouts: on the
code before this fix the first hung forever and the second exited 0 twice.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import paddle
import pytest

import paddle_models
from paddle_models.cli import main
from paddle_models.engine import CorruptCheckpointError, RunFolderBusyError, RunLock, load_checkpoint, load_model
from paddle_models.engine.checkpoint import save_checkpoint
from paddle_models.engine.runlock import claim_run_folder
from paddle_models.files import WriteError, atomic_write, stale_temporaries, write_image
from paddle_models.inference import save_gradcam
from tests.data_fixtures import copy_dataset

REPO = Path(__file__).resolve().parents[1]
SIZE = 32
LENET = ["--model", "lenet", "--model-options", json.dumps({"input_size": SIZE, "activation": "relu"}),
         "--image-size", str(SIZE)]
QUICK = 90  # seconds: a Python start with Paddle plus building the dataset, on a busy 2-core machine


def command(*args):
    return [sys.executable, "-m", "paddle_models", *args]


def run(*args, timeout=QUICK):
    """Run a command; a hang fails the test (TimeoutExpired) instead of blocking it."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(command(*args), capture_output=True, text=True, timeout=timeout, cwd=REPO, env=env)


def half_png(path: Path) -> None:
    """Replace ``path`` by the first half of a PNG: its header reads fine, its pixels cannot be decoded."""
    image = cv2.imread(str(path))
    encoded = cv2.imencode(".png", image)[1].tobytes()
    path.write_bytes(encoded[: len(encoded) // 2])


@pytest.fixture(scope="module")
def trained(pm_root, tmp_path_factory):
    """A LeNet trained for one epoch on the clean synthetic set: (runs folder, best checkpoint)."""
    runs = tmp_path_factory.mktemp("robust_runs")
    main(["train", *LENET, "--data", "ichallenge_pm", "--data-root", str(pm_root), "--epochs", "1",
          "--batch-size", "4", "--log-dir", str(runs), "--run-name", "clean", "--quiet"])
    return runs, runs / "clean" / "best.pdparams"


# ------------------------------------------------------------------ 1. bad images never hang a run

@pytest.mark.parametrize("damage", ["truncated JPEG", "undecodable pixels"])
def test_train_with_a_bad_training_image_exits_at_once_naming_it(pm_root, tmp_path, damage):
    root = copy_dataset(pm_root, tmp_path)
    broken = sorted((root / "PALM-Training400" / "PALM-Training400").glob("*.jpg"))[3]
    if damage == "truncated JPEG":  # caught when the dataset is built
        broken.write_bytes(broken.read_bytes()[:600])
    else:  # the header is fine, decoding fails inside the loader's prefetch thread
        half_png(broken)
    started = time.time()
    result = run("train", *LENET, "--data-root", str(root), "--epochs", "1", "--batch-size", "4",
                 "--log-dir", str(tmp_path / "runs"), "--quiet")
    assert result.returncode != 0
    assert broken.name in result.stderr and "--skip-bad" in result.stderr, result.stderr[-2000:]
    print(f"{damage}: exited after {time.time() - started:.1f} s")


def test_evaluate_with_a_bad_validation_image_exits_at_once_naming_it(trained, pm_root, tmp_path):
    root = copy_dataset(pm_root, tmp_path)
    broken = sorted((root / "PALM-Validation400").glob("*.jpg"))[5]
    half_png(broken)
    result = run("evaluate", "--checkpoint", str(trained[1]), "--data-root", str(root),
                 "--output", str(tmp_path / "eval"))
    assert result.returncode != 0
    assert broken.name in result.stderr and "cannot decode image" in result.stderr, result.stderr[-2000:]


# ------------------------------------------------------------------ 3. one run per folder

def test_a_second_train_into_the_same_run_folder_stops_with_what_to_do(pm_root, tmp_path):
    runs = tmp_path / "runs"
    arguments = ["train", *LENET, "--data-root", str(pm_root), "--batch-size", "4", "--log-dir", str(runs),
                 "--run-name", "shared", "--quiet"]
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    first = subprocess.Popen(command(*arguments, "--epochs", "200"), cwd=REPO, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lock_file = runs / "shared" / ".run.lock"
    try:
        deadline = time.time() + QUICK
        while not (lock_file.exists() and lock_file.read_text().strip() == str(first.pid)):
            assert first.poll() is None, first.stderr.read()[-2000:]
            assert time.time() < deadline, "the first run never took the lock"
            time.sleep(0.2)
        second = run(*arguments, "--epochs", "1")
        assert second.returncode != 0
        assert "in use by another run" in second.stderr and "--run-name" in second.stderr \
            and "--resume" in second.stderr, second.stderr[-2000:]
        assert first.poll() is None  # the first run goes on
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    with RunLock(runs / "shared"):  # a killed run leaves the lock file, but not the lock
        pass


def test_a_fresh_train_into_a_finished_run_folder_is_refused_unless_overwrite(pm_root, tmp_path, capsys):
    """The lock stops two runs at once; this stops a later run from silently replacing a finished one."""
    arguments = ["train", *LENET, "--data-root", str(pm_root), "--epochs", "1", "--batch-size", "4",
                 "--log-dir", str(tmp_path), "--run-name", "kept", "--quiet"]
    main(arguments)
    best = tmp_path / "kept" / "best.pdparams"
    first = best.read_bytes()
    with pytest.raises(SystemExit) as stopped:
        main([*arguments, "--lr", "0.01"])
    message = capsys.readouterr().err
    assert stopped.value.code == 2 and str(tmp_path / "kept") in message and "already holds a run" in message \
        and all(option in message for option in ("--resume", "--run-name", "--overwrite")), message
    assert best.read_bytes() == first  # untouched
    main([*arguments, "--lr", "0.01", "--overwrite"])
    assert best.read_bytes() != first
    assert len(list((tmp_path / "kept").glob("vdlrecords.*.log"))) == 1  # one run's curves, not two mixed


def test_a_run_with_checkpoints_elsewhere_still_locks_its_visualdl_folder(pm_root, tmp_path, capsys):
    """Same --run-name, another --output-dir: the checkpoints would not collide, the VisualDL log would."""
    arguments = ["train", *LENET, "--data-root", str(pm_root), "--epochs", "1", "--batch-size", "4",
                 "--log-dir", str(tmp_path), "--run-name", "shared", "--quiet"]
    with RunLock(tmp_path / "shared"):  # the first run, training into its own folder
        with pytest.raises(SystemExit) as stopped:
            main([*arguments, "--output-dir", str(tmp_path / "elsewhere")])
    message = capsys.readouterr().err
    assert stopped.value.code == 2 and f"{tmp_path / 'shared'} is in use by another run" in message, message
    assert not (tmp_path / "elsewhere" / "best.pdparams").exists()


def test_run_lock_is_exclusive_and_released(tmp_path):
    with RunLock(tmp_path / "run"):
        holder = subprocess.run([sys.executable, "-c", (
            "import sys; sys.path.insert(0, sys.argv[2]);"
            "from paddle_models.engine.runlock import RunLock, RunFolderBusyError\n"
            "try:\n    RunLock(sys.argv[1]).acquire()\nexcept RunFolderBusyError as e:\n    print(e); sys.exit(3)"),
            str(tmp_path / "run"), str(REPO)], capture_output=True, text=True, timeout=QUICK)
        assert holder.returncode == 3 and f"pid {os.getpid()}" in holder.stdout
    RunLock(tmp_path / "run").acquire().release()


# ------------------------------------------------------------------ 9. checkpoints

def test_checkpoint_has_a_checksum_and_damage_is_refused_naming_the_file(trained, tmp_path):
    original = trained[1].read_bytes()
    assert b"PADDLE_MODELS_SHA256:" in original[-100:]
    damaged = tmp_path / "damaged.pdparams"
    middle = len(original) // 2
    damaged.write_bytes(original[:middle] + np.random.default_rng(0).bytes(4096) + original[middle + 4096:])
    with pytest.raises(CorruptCheckpointError, match=rf"{damaged}.*SHA-256 does not match"):
        load_model(damaged)
    empty = tmp_path / "empty.pdparams"
    empty.write_bytes(b"")
    with pytest.raises(CorruptCheckpointError, match=rf"{empty} is empty"):
        load_checkpoint(empty)
    assert paddle.load(str(trained[1]))["meta"]["model_name"] == "lenet"  # still an ordinary Paddle file


def test_checkpoint_without_checksum_still_loads_and_nan_weights_are_refused(tmp_path):
    model = paddle_models.lenet(num_classes=2, input_size=SIZE, activation="relu")
    meta = {"model_name": "lenet", "model_options": {"input_size": SIZE, "activation": "relu"}, "num_classes": 2}
    old = tmp_path / "old.pdparams"
    paddle.save({"model": model.state_dict(), "meta": meta}, str(old))  # written before checksums existed
    load_model(old)
    weights = model.state_dict()
    first = next(iter(weights))
    weights[first] = paddle.full_like(weights[first], float("nan"))
    diverged = save_checkpoint({"model": weights, "meta": meta}, tmp_path / "nan.pdparams")
    with pytest.raises(CorruptCheckpointError, match=rf"{diverged} holds NaN or infinite weights in 1 tensor"):
        load_model(diverged)


def test_weights_that_do_not_fit_the_named_model_are_refused_naming_the_file(trained, pm_root, tmp_path, capsys):
    """set_state_dict only warns and keeps random weights: an edited meta must not load an untrained model."""
    state = load_checkpoint(trained[1])
    for name, change in (("other_model", {"model_name": "simple_cnn", "model_options": {}}),
                         ("other_classes", {"num_classes": 5})):
        edited = save_checkpoint({**state, "meta": {**state["meta"], **change}}, tmp_path / f"{name}.pdparams")
        with pytest.raises(ValueError, match=rf"{edited}: its weights do not fit the model its meta names"):
            load_model(edited)
    with pytest.raises(SystemExit) as stopped:
        main(["evaluate", "--checkpoint", str(tmp_path / "other_classes.pdparams"), "--data-root", str(pm_root)])
    message = capsys.readouterr().err
    assert stopped.value.code == 2 and "do not fit" in message and "unexpected" not in message, message
    load_model(trained[1])  # the unedited checkpoint still loads


def test_a_run_folder_given_as_checkpoint_names_the_file_to_pass(trained):
    with pytest.raises(FileNotFoundError, match=r"is a folder: pass a checkpoint file in it, e.g. .*best.pdparams"):
        load_model(trained[0] / "clean")


def test_a_file_that_is_not_a_course_checkpoint_is_refused_with_what_to_pass(trained, tmp_path):
    bare = tmp_path / "weights.pdiparams"
    paddle.save(paddle.ones([2, 2]), str(bare))  # a tensor, as paddle.load reads an exported .pdiparams
    with pytest.raises(ValueError, match=rf"{bare} is not a checkpoint of this course.*best.pdparams"):
        load_model(bare)


def test_temporary_files_of_killed_saves_are_removed_by_the_next_run(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # this pid is no longer alive
    run_folder = tmp_path / "run"
    run_folder.mkdir()
    stale = run_folder / f".last.pdckpt.{gone.pid}.tmp"  # the name a killed save left before
    stale.write_bytes(b"half a checkpoint")
    alive = run_folder / f".best.pdparams.{os.getppid()}.0123abcd.tmp"  # a live process is saving
    alive.write_bytes(b"being written")
    assert stale_temporaries(run_folder) == [stale]
    with claim_run_folder(run_folder):
        pass
    assert not stale.exists() and alive.exists()


# ------------------------------------------------------------------ 2. every write is checked

def test_gradcam_that_cannot_write_fails_naming_the_path(pm_root, tmp_path):
    model = paddle_models.build("resnet18", num_classes=2)
    meta = {"task": "multiclass", "class_names": ["non-PM", "PM"], "num_classes": 2,
            "preprocess": {"image_size": 32}}
    image = sorted((pm_root / "PALM-Validation400").glob("*.jpg"))[0]
    blocked = tmp_path / "cams" / f"{image.stem}_gradcam_PM.png"
    blocked.mkdir(parents=True)  # something that is not a file sits where the PNG must go
    with pytest.raises(WriteError, match=rf"cannot write {blocked}"):
        save_gradcam(model, meta, [image], tmp_path / "cams", target_class=1)


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root (and Windows) can write read-only folders")
def test_gradcam_into_a_read_only_folder_fails(pm_root, tmp_path):
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    model = paddle_models.build("resnet18", num_classes=2)
    meta = {"task": "multiclass", "class_names": ["a", "b"], "num_classes": 2, "preprocess": {"image_size": 32}}
    with pytest.raises(WriteError, match=rf"cannot write {folder}"):
        save_gradcam(model, meta, [sorted((pm_root / "PALM-Validation400").glob("*.jpg"))[0]], folder)


def test_image_writer_handles_unicode_paths_and_checks_its_result(tmp_path):
    image = np.full((8, 10, 3), 200, np.uint8)
    path = write_image(tmp_path / "眼底" / "图像.png", image)
    np.testing.assert_array_equal(cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_COLOR), image)
    with pytest.raises(WriteError, match="cannot write .*x.unknown"):
        write_image(tmp_path / "x.unknown", image)
    with pytest.raises(WriteError, match="produced no file"):
        atomic_write(tmp_path / "nothing.txt", lambda temporary: None)
    assert not list(tmp_path.glob(".*.tmp"))
