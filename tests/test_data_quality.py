"""Image quality: each flag on a synthetic photograph made to break it, the audit CSV, exclusion."""
import csv
import os

import cv2
import numpy as np
import pytest

from paddle_models import cli
from paddle_models.data import DDR, quality, synthetic
from paddle_models.data.errors import SkippedSamplesWarning
from paddle_models.data.quality import assess_image, audit_dataset, contact_sheet, exclude_samples
from tests.data_fixtures import copy_dataset


@pytest.fixture(scope="module")
def good():
    """A well-exposed, sharp synthetic photograph (BGR, 400 x 333)."""
    image, _ = synthetic.synthetic_fundus(np.random.default_rng(3), 400, 333, dr_grade=2)
    return image


def darkened(image, factor):
    return np.clip(image.astype(np.float32) * factor, 0, 255).astype(np.uint8)


def test_a_good_photograph_is_not_flagged(good):
    scores = assess_image(good)
    assert scores.flags == ()
    assert 0.5 < scores.fov_fraction < 0.95          # a disc on a dark frame
    assert scores.near_black > 0.05 and scores.near_white < 0.01


@pytest.mark.parametrize("level", [0, 4, 250, 255])
def test_black_and_white_frames_are_blank(level):
    frame = np.full((300, 300, 3), level, np.uint8)
    assert "blank" in assess_image(frame).flags


def test_a_dark_photograph_is_underexposed_not_blank(good):
    flags = assess_image(darkened(good, 0.35)).flags
    assert "underexposed" in flags and "blank" not in flags


def test_a_burnt_out_photograph_is_overexposed(good):
    assert "overexposed" in assess_image(darkened(good, 4.0)).flags


def test_a_blurred_photograph_is_blurred_and_nothing_else(good):
    blurred = cv2.GaussianBlur(good, (0, 0), 6)
    assert assess_image(blurred).flags == ("blurred",)
    assert assess_image(blurred).sharpness < quality.BLUR_THRESHOLD < assess_image(good).sharpness


def test_a_tiny_field_of_view_is_flagged():
    frame = np.full((400, 400, 3), 3, np.uint8)
    cv2.circle(frame, (200, 200), 60, (40, 90, 180), -1)  # 7% of the frame lit
    assert "no_fov" in assess_image(frame).flags


def test_sharpness_does_not_depend_on_the_resolution():
    """The same eye at 1600 and 400 pixels wide: comparable scores (both measured at QUALITY_SIZE)."""
    large, _ = synthetic.synthetic_fundus(np.random.default_rng(5), 1600, 1333)
    small = cv2.resize(large, (400, 333), interpolation=cv2.INTER_AREA)
    ratio = assess_image(large).sharpness / assess_image(small).sharpness
    assert 0.67 < ratio < 1.5


@pytest.fixture
def damaged_ddr(ddr_root, tmp_path):
    """A copy of the synthetic DDR whose first three training images are made blank, dark and blurred."""
    root = copy_dataset(ddr_root, tmp_path)
    paths = [path for path, _ in DDR(root, "train").samples[:3]]
    image = cv2.imread(paths[1])
    cv2.imwrite(paths[0], np.zeros_like(image))
    cv2.imwrite(paths[1], darkened(image, 0.3))
    cv2.imwrite(paths[2], cv2.GaussianBlur(cv2.imread(paths[2]), (0, 0), 8))
    return root, paths


def test_audit_flags_the_damaged_images_and_the_reader_leaves_them_out(damaged_ddr, tmp_path):
    root, damaged = damaged_ddr
    train = DDR(root, "train")
    result = audit_dataset(train, tmp_path / "audit", prefix="ddr-train", progress=False)
    with open(result.csv_path, newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == len(train) and tuple(rows[0]) == quality.CSV_COLUMNS
    flagged = {row["path"]: row["flags"] for row in rows if row["flagged"] == "1"}
    assert sorted(flagged) == sorted(damaged)
    assert "blank" in flagged[damaged[0]] and "underexposed" in flagged[damaged[1]]
    assert "blurred" in flagged[damaged[2]]
    assert result.sheet_path.stat().st_size > 0

    kept = DDR(root, "train", exclude=result.csv_path)
    assert sorted(kept.excluded) == sorted(damaged) and len(kept) == len(train) - 3
    by_name = DDR(root, "train", exclude=[os.path.basename(damaged[0])])
    assert by_name.excluded == [damaged[0]]


def test_an_unreadable_image_gets_a_row_not_a_crash(damaged_ddr, tmp_path):
    root, damaged = damaged_ddr
    open(damaged[0], "wb").write(b"not a jpeg")
    with pytest.warns(SkippedSamplesWarning):  # refused when built; skipped, as the audit command does
        dataset = DDR(root, "train", skip_bad=True)
    result = audit_dataset(dataset, tmp_path, prefix="broken", progress=False)
    row = next(row for row in result.rows if row["path"] == damaged[0])
    assert row["unreadable"] == 1 and row["flagged"] == 1 and "not an image file" in row["flags"]
    assert "unreadable 1" in result.summary()


def test_exclusion_matches_paths_and_bare_names_only():
    samples = [("a/x.jpg", 0), ("b/x.jpg", 1), ("b/y.jpg", 0)]
    kept, excluded = exclude_samples(samples, ["a/x.jpg", "y.jpg"])
    assert kept == [("b/x.jpg", 1)] and excluded == ["a/x.jpg", "b/y.jpg"]
    assert exclude_samples(samples, None) == (samples, [])


def test_exclude_rejects_a_file_that_is_not_an_audit_csv(tmp_path):
    other = tmp_path / "labels.csv"
    other.write_text("id_code,diagnosis\nabc,0\n")
    with pytest.raises(ValueError, match="labels.csv:1: not an audit CSV"):
        exclude_samples([("abc.png", 0)], other)
    with pytest.raises(ValueError, match="list of file names"):
        exclude_samples([("abc.png", 0)], "flagged.txt")


def test_contact_sheet_titles_stay_clear_of_the_images(good):
    figure = contact_sheet([(good, {"name": f"image-{i}-with-a-long-name.jpg", "label": i,
                                    "flags": "underexposed;blurred"}) for i in range(8)], columns=4)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    pictures = [ax.get_window_extent(renderer) for ax in figure.axes if ax.images]
    titles = [ax.title.get_window_extent(renderer) for ax in figure.axes if ax.images]
    assert len(pictures) == 8
    assert not any(title.overlaps(picture) for title in titles for picture in pictures)


def test_audit_command_writes_csv_and_sheet(damaged_ddr, tmp_path, capsys):
    root, _ = damaged_ddr
    cli.main(["audit", "--data", "ddr", "--data-root", str(root), "--output", str(tmp_path), "--quiet"])
    out = capsys.readouterr().out
    assert "images flagged" in out
    assert (tmp_path / "ddr-train-quality.csv").is_file() and (tmp_path / "ddr-train-flagged.png").is_file()
    with open(tmp_path / "ddr-train-quality.csv", newline="") as file:
        labels = [row["label"] for row in csv.DictReader(file) if row["flagged"] == "1"]
    assert "5" in labels  # the audit keeps DDR's ungradable grade, and flags the synthetic ones
