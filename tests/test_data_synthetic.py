"""The synthetic generator (layouts, determinism, look, class signal), prepare and exploration."""
import zipfile

import numpy as np
from matplotlib.figure import Figure

from paddle_models.data import (DDR, ICHallengePM, class_count_table, image_size_distribution,
                                image_size_on_disk, make_synthetic_ddr, plot_class_counts,
                                plot_image_sizes, prepare_ichallenge_pm, sample_grid)
from paddle_models.data import synthetic
from tests.data_fixtures import DDR_TRAIN_COUNTS, PM_PER_CLASS
from tests.data_fixtures import pm_root, ddr_root, pm_archives, real_size_jpeg  # noqa: F401,F811 (fixtures)


def files_and_bytes(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_generation_is_deterministic_for_a_seed(tmp_path):
    a = files_and_bytes(make_synthetic_ddr(tmp_path / "a", per_class=1, image_size=96, splits=("train",), seed=4))
    b = files_and_bytes(make_synthetic_ddr(tmp_path / "b", per_class=1, image_size=96, splits=("train",), seed=4))
    c = files_and_bytes(make_synthetic_ddr(tmp_path / "c", per_class=1, image_size=96, splits=("train",), seed=5))
    assert a == b
    assert a != c
    assert "DDR-dataset/DR_grading/train.txt" in a and len(a) == 1 + 6 + 1  # 5 grades + 1 ungradable, the marker
    assert synthetic.SYNTHETIC_MARKER in a and synthetic.is_synthetic(tmp_path / "a" / "DDR-dataset" / "DR_grading")
    assert not synthetic.is_synthetic(tmp_path)


def test_real_resolution(real_size_jpeg):
    assert synthetic.frame_size("real") == (2124, 2056)
    assert image_size_on_disk(real_size_jpeg) == (2124, 2056)


def test_a_synthetic_fundus_looks_like_one():
    image, eye = synthetic.synthetic_fundus(np.random.default_rng(0), 320, 310)
    assert image.shape == (310, 320, 3) and image.dtype == np.uint8
    corner = image[:20, :20].astype(int)
    assert corner.max() <= 8 and corner.mean() > 0.5  # near zero, not zero
    cx, cy = int(eye.center[0]), int(eye.center[1])
    b, g, r = image[cy - 20:cy + 20, cx - 20:cx + 20].reshape(-1, 3).mean(axis=0)
    assert r > g > b and r > 100  # orange-red retina
    ys, xs = np.mgrid[:310, :320]
    in_disc = np.hypot(xs - eye.disc[0], ys - eye.disc[1]) < 0.8 * eye.disc_radius
    in_retina = np.hypot(xs - eye.center[0], ys - eye.center[1]) < 0.8 * eye.radius
    brightness = image.mean(axis=2)
    assert np.median(brightness[in_disc]) > np.median(brightness[in_retina]) + 60  # bright optic disc
    assert 0.3 < abs(eye.disc[0] - eye.macula[0]) / eye.radius < 0.65


def ring_paleness(image, eye):
    """Mean blue channel (pale = high) in a ring 1.3-2 disc radii around the optic disc."""
    ys, xs = np.mgrid[: image.shape[0], : image.shape[1]]
    d = np.hypot(xs - eye.disc[0], ys - eye.disc[1]) / eye.disc_radius
    return image[(d > 1.3) & (d < 2.0), 0].mean()


def test_pathologic_myopia_has_pale_atrophy_around_the_disc():
    pm, normal = [], []
    for seed in range(6):
        pm.append(ring_paleness(*synthetic.synthetic_fundus(np.random.default_rng(seed), 256, 248, "pathologic")))
        normal.append(ring_paleness(*synthetic.synthetic_fundus(np.random.default_rng(seed), 256, 248, "normal")))
    assert min(pm) > max(normal)


def test_dr_lesions_grow_with_the_grade():
    rng = np.random.default_rng(0)
    eye = synthetic.random_eye(rng, 256, 256)
    retina = synthetic.paint_retina(rng, eye)
    changed = []
    for grade in range(5):
        image = retina.copy()
        synthetic.paint_dr_lesions(image, np.random.default_rng(1), eye, grade)
        changed.append(int((np.abs(image - retina).max(axis=2) > 20).sum()))
    assert changed[0] == 0
    assert changed == sorted(changed) and len(set(changed)) == 5


def test_archives_are_written_as_distributed_and_prepare_unpacks_them(pm_archives, tmp_path):
    assert sorted(p.name for p in pm_archives.iterdir()) == ["training.zip", "valid_gt.zip", "validation.zip"]
    with zipfile.ZipFile(pm_archives / "training.zip") as zf:
        assert zf.namelist() == ["PALM-Training400/PALM-Training400.zip"]  # a zip inside the zip
    with zipfile.ZipFile(pm_archives / "valid_gt.zip") as zf:
        assert "PALM-Validation-GT/PM_Label_and_Fovea_Location.xlsx" in zf.namelist()

    root = prepare_ichallenge_pm(pm_archives, tmp_path / "palm", verbose=False)
    assert (root / "PALM-Training400" / "PALM-Training400" / "P0001.jpg").is_file()
    assert (root / "PALM-Validation400" / "V0001.jpg").is_file()
    assert ICHallengePM(root, "train").class_counts().tolist() == [3, 3]
    assert ICHallengePM(root, "valid").class_counts().tolist() == [3, 3]


def test_prepare_prints_a_summary(pm_archives, tmp_path, capsys):
    prepare_ichallenge_pm(pm_archives, tmp_path / "palm")
    out = capsys.readouterr().out
    assert "extracted training.zip" in out and "train: 6 images, non-PM 3, PM 3" in out


def test_exploration_helpers(ddr_root, pm_root, tmp_path):
    splits = {"train": DDR(ddr_root, "train", image_size=32), "valid": DDR(ddr_root, "valid", image_size=32)}
    table = class_count_table(splits)
    assert table.splitlines()[0].split() == ["class", "train", "valid"]
    assert table.splitlines()[1].split()[-2:] == [str(DDR_TRAIN_COUNTS[0])] * 2
    assert table.splitlines()[-1].split() == ["total", "16", "16"]
    assert isinstance(plot_class_counts(splits), Figure)
    long_names = class_count_table({"training split": splits["train"], "validation split": splits["valid"]})
    assert "training split" in long_names and " validation split" in long_names  # columns stay apart

    sizes = image_size_distribution(ICHallengePM(pm_root, "train"))
    assert sizes == {(160, 155): 2 * PM_PER_CLASS}
    assert len(image_size_distribution(splits["train"])) > 1  # DDR: several cameras
    assert isinstance(plot_image_sizes(sizes), Figure)

    figure = sample_grid(splits["train"], per_class=3)
    assert len(figure.axes) == 5 * 3
    figure.savefig(tmp_path / "grid.png")
    assert (tmp_path / "grid.png").stat().st_size > 1000
    raw = sample_grid(ICHallengePM(pm_root, "test", image_size=32), per_class=2, preprocessed=False)
    assert len(raw.axes) == 2  # an unlabeled split is one row


def test_ddr_real_proportions_and_difficulty_controls(tmp_path):
    assert synthetic.ddr_proportion_counts(100) == [46, 4, 33, 2, 7, 8]
    assert min(synthetic.ddr_proportion_counts(30)) == 1 and sum(synthetic.ddr_proportion_counts(30)) == 30
    root = make_synthetic_ddr(tmp_path / "ddr", images=(60, 30, 30), image_size=64, splits=("train",), seed=1)
    labels = [int(line.split()[1]) for line in (root / "DDR-dataset/DR_grading/train.txt").read_text().splitlines()]
    assert np.bincount(labels, minlength=6).tolist() == synthetic.ddr_proportion_counts(60)
    noisy = synthetic.noisy_grades(np.repeat(np.arange(6), 200), 0.3, np.random.default_rng(0))
    moved = noisy != np.repeat(np.arange(6), 200)
    assert 0.2 < moved[:1000].mean() < 0.4 and not moved[1000:].any()  # ungradable labels stay
    assert np.abs(noisy - np.repeat(np.arange(6), 200)).max() == 1 and noisy.min() == 0 and noisy[:1000].max() == 4


def test_lesion_scale_contrast_and_fractional_grades_change_the_painting():
    def changed(grade, **options):
        rng = np.random.default_rng(0)
        eye = synthetic.random_eye(rng, 256, 256)
        retina = synthetic.paint_retina(rng, eye)
        image = retina.copy()
        synthetic.paint_dr_lesions(image, np.random.default_rng(1), eye, grade, **options)
        return int((np.abs(image - retina).max(axis=2) > 20).sum())

    assert changed(3, scale=2.0) > 2 * changed(3)
    assert changed(3, contrast=0.3) < changed(3)
    assert changed(2) < changed(2.5) < changed(3)
