"""AI Studio as a home: a fake /home/aistudio tree with read-only mounted archives, found and unpacked once.

The tree is built in tmp_path and selected with $PADDLE_MODELS_AISTUDIO_HOME::

    <home>/work/                       persistent folder (empty at first)
    <home>/data/data19065/             iChallenge-PM as distributed (training.zip, ...), read-only
    <home>/data/data170000/            DDR as three numbered parts of DDR-dataset.zip, read-only
"""
import os
import shutil
import stat
import time

import pytest

from paddle_models import aistudio, course
from paddle_models.data import DDR, ICHallengePM, DatasetNotFoundError, locate, synthetic
from paddle_models.data.locate import locate_dataset, resolve_data_root


@pytest.fixture(scope="session")
def mounted_archives(tmp_path_factory):
    """The archives once per session: iChallenge-PM's three zips, DDR's zip in three parts."""
    base = tmp_path_factory.mktemp("archives_as_mounted")
    synthetic.make_synthetic_ichallenge_pm_archives(base / "pm", per_class=2, image_size=96, seed=1)
    synthetic.make_synthetic_ddr_archives(base / "ddr", per_class=1, image_size=96, seed=1, parts=3)
    return base


def snapshot(folder):
    """Every path under ``folder`` with its size and modification time (folders included)."""
    return {str(path): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in [folder, *sorted(folder.rglob("*"))]}


@pytest.fixture
def fake_home(tmp_path, monkeypatch, mounted_archives):
    home = tmp_path / "aistudio"
    (home / "work").mkdir(parents=True)
    mounts = [home / "data" / "data19065", home / "data" / "data170000"]
    shutil.copytree(mounted_archives / "pm", mounts[0])
    shutil.copytree(mounted_archives / "ddr", mounts[1])
    for mount in mounts:  # read-only, as AI Studio mounts datasets
        for path in [*mount.iterdir(), mount]:
            path.chmod(stat.S_IREAD | (stat.S_IEXEC if path.is_dir() else 0))
    monkeypatch.setenv(aistudio.HOME_ENV, str(home))
    monkeypatch.setattr(course, "DATASETS_DIR", tmp_path / "project_datasets")  # no copy in the project
    before = snapshot(home / "data")
    yield home
    assert snapshot(home / "data") == before, "the read-only mount was written to"
    for mount in mounts:
        for path in [mount, *mount.iterdir()]:
            path.chmod(0o755)


def test_mounted_pm_archives_are_unpacked_once_into_work_and_then_found_there(fake_home, monkeypatch, capsys):
    first = locate_dataset("iChallenge-PM", datasets_dir=course.DATASETS_DIR)  # names normalised by the registry
    work_copy = fake_home / "work" / "palm"
    assert (first.how, first.root) == ("unpacked", work_copy)
    assert "data19065" in first.reason and "training.zip" in first.reason
    assert "unpacking training.zip" in capsys.readouterr().err  # the tqdm progress bar
    assert len(ICHallengePM(work_copy, "train")) == 4 and len(ICHallengePM(work_copy, "valid")) == 4
    assert not [path for path in (fake_home / "work").iterdir() if path.name.startswith(".")], "no staging left"

    note = work_copy / locate.SOURCE_NOTE
    unpacked_at = note.stat().st_mtime_ns
    monkeypatch.setattr(locate, "prepare", lambda *args, **kwargs: pytest.fail("unpacked a second time"))
    again = locate_dataset("ichallenge_pm", datasets_dir=course.DATASETS_DIR)
    assert (again.how, again.root) == ("work", work_copy)
    assert f"unpacked earlier from the archives mounted in {fake_home / 'data' / 'data19065'}" in again.reason
    assert note.stat().st_mtime_ns == unpacked_at


def test_a_copy_unzipped_by_hand_in_work_palm_wins_over_the_mounted_archives(fake_home, pm_root):
    shutil.copytree(pm_root, fake_home / "work" / "palm")  # as the public course's !unzip lines leave it
    found = locate_dataset("PALM", datasets_dir=course.DATASETS_DIR)
    assert (found.how, found.root) == ("work", fake_home / "work" / "palm")
    assert found.reason.endswith("(an unpacked copy in AI Studio's persistent work folder)")


def test_a_mounted_folder_already_in_the_layout_is_read_in_place(tmp_path, monkeypatch, pm_root):
    home = tmp_path / "aistudio"
    (home / "work").mkdir(parents=True)
    shutil.copytree(pm_root, home / "data" / "data4242")
    monkeypatch.setenv(aistudio.HOME_ENV, str(home))
    found = locate_dataset("ichallenge_pm", datasets_dir=tmp_path / "none")
    assert (found.how, found.root) == ("mounted", home / "data" / "data4242")
    assert not (home / "work" / "palm").exists()


def test_mounted_ddr_parts_are_joined_and_only_dr_grading_unpacked(fake_home):
    found = locate_dataset("ddr", datasets_dir=course.DATASETS_DIR, verbose=False)
    assert (found.how, found.root) == ("unpacked", fake_home / "work" / "ddr")
    assert "DDR-dataset.zip.001, DDR-dataset.zip.002, DDR-dataset.zip.003" in found.reason
    assert len(DDR(found.root, "train")) == 5 and len(DDR(found.root, "test")) == 5
    assert not (found.root / "DDR-dataset" / "lesion_segmentation").exists()
    assert not list(found.root.glob(".*.joined")), "the joined zip is removed"
    assert locate_dataset("ddr", datasets_dir=course.DATASETS_DIR).how == "work"


def test_lesson_data_on_ai_studio_uses_the_mounted_dataset_and_says_why(fake_home):
    data = course.lesson_data("ichallenge_pm", fast=True)
    assert data.real and data.root == fake_home / "work" / "palm"
    first_line = str(data).splitlines()[0]
    assert first_line.startswith(f"ichallenge_pm: using {fake_home / 'work' / 'palm'}, just unpacked")
    again = course.lesson_data("ichallenge_pm", fast=True)
    assert "unpacked earlier" in str(again).splitlines()[0]


def test_prepare_command_unpacks_the_mounted_ddr_parts(fake_home, tmp_path, capsys):
    from paddle_models.cli import main

    main(["prepare", "--data", "DDR", "--archives", str(fake_home / "data" / "data170000"),
          "--root", str(tmp_path / "DDR")])
    assert "train: 5 images" in capsys.readouterr().out
    assert len(DDR(tmp_path / "DDR", "valid")) == 5


def test_a_missing_ddr_part_is_named(tmp_path, mounted_archives):
    folder = shutil.copytree(mounted_archives / "ddr", tmp_path / "ddr")
    (folder / "DDR-dataset.zip.002").unlink()
    with pytest.raises(DatasetNotFoundError, match=r"DDR-dataset\.zip\.002 is missing"):
        locate.find_archives("ddr", folder)


def test_data_root_auto_searches_and_a_path_passes_through(fake_home, tmp_path):
    assert resolve_data_root("ichallenge_pm", "auto") == str(fake_home / "work" / "palm")
    assert resolve_data_root("ichallenge_pm", str(tmp_path)) == str(tmp_path)
    assert resolve_data_root("ichallenge_pm", None) is None
    with pytest.raises(DatasetNotFoundError, match="data_root='auto' found no copy of aptos"):
        resolve_data_root("aptos", "auto")


def test_an_interrupted_unpack_is_cleaned_up_and_never_taken_for_the_dataset(fake_home):
    leftover = fake_home / "work" / ".palm-unpacking-old"
    (leftover / "PALM-Training400").mkdir(parents=True)
    (leftover / "PALM-Validation-GT").mkdir()
    two_days_ago = time.time() - 2 * locate.STALE_STAGING
    os.utime(leftover, (two_days_ago, two_days_ago))
    assert locate_dataset("ichallenge_pm", datasets_dir=course.DATASETS_DIR, verbose=False).how == "unpacked"
    assert not leftover.exists()


def test_an_incomplete_copy_in_work_is_reported_not_overwritten(fake_home):
    (fake_home / "work" / "palm" / "PALM-Training400").mkdir(parents=True)  # unzipped by hand, half-way
    with pytest.raises(DatasetNotFoundError, match=r"palm exists but is not a complete ichallenge_pm.*rm -r"):
        locate_dataset("ichallenge_pm", datasets_dir=course.DATASETS_DIR)


def test_runs_go_to_the_persistent_folder_on_ai_studio(fake_home, tmp_path):
    assert aistudio.persistent_path(tmp_path / "project" / "runs", "runs") == fake_home / "work" / "runs"
    inside = fake_home / "work" / "paddle-models" / "runs"
    assert aistudio.persistent_path(inside, "runs") == inside  # the project already lies in work/
    assert aistudio.panel_path(inside) == "work/paddle-models/runs"
    assert "work/paddle-models/runs" in course.visualdl_hint(inside)
    assert course.short_path(fake_home / "work" / "runs" / "12_export" / "best.pdparams") == \
        "work/runs/12_export/best.pdparams"
    assert course.short_path(course.REPO_ROOT / "runs" / "x") == "runs/x"


def test_nothing_changes_outside_ai_studio(tmp_path, monkeypatch):
    monkeypatch.setenv(aistudio.HOME_ENV, str(tmp_path / "no_aistudio_here"))
    assert not aistudio.on_aistudio() and aistudio.mounted_dataset_dirs() == []
    assert aistudio.persistent_path(tmp_path / "runs", "runs") == tmp_path / "runs"
    missing = locate_dataset("ichallenge_pm", datasets_dir=tmp_path)
    assert missing.reason == f"ichallenge_pm: not found (looked in {tmp_path / 'PALM'})"
    with pytest.raises(DatasetNotFoundError, match="does not exist"):
        locate_dataset("ichallenge_pm", tmp_path / "typo")



def test_a_mounted_retinamnist_npz_is_read_where_it_is_mounted(tmp_path, monkeypatch):
    home = tmp_path / "aistudio"
    (home / "work").mkdir(parents=True)
    synthetic.make_synthetic_retinamnist(home / "data" / "data99", per_class=2)
    monkeypatch.setenv(aistudio.HOME_ENV, str(home))
    found = locate_dataset("RetinaMNIST", datasets_dir=tmp_path / "none")
    assert (found.how, found.root) == ("mounted", home / "data" / "data99")
    assert not list((home / "work").iterdir()), "nothing to unpack"
