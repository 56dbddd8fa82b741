"""The synthetic iChallenge-PM's difficulty controls: off by default, and each does what it says."""
import numpy as np

from paddle_models.data import ICHallengePM, make_synthetic_ichallenge_pm, synthetic
from tests.test_data_synthetic import files_and_bytes, ring_paleness


def test_defaults_write_the_same_dataset_as_before(tmp_path):
    plain = make_synthetic_ichallenge_pm(tmp_path / "a", per_class=2, image_size=96, splits=("train",))
    explicit = make_synthetic_ichallenge_pm(tmp_path / "b", per_class=2, image_size=96, splits=("train",),
                                            pm_signal=1.0, label_noise=0.0, illumination=0, color_cast=0, blur=0)
    assert files_and_bytes(plain) == files_and_bytes(explicit)


def test_label_noise_files_training_images_under_the_wrong_class(tmp_path):
    def label_of_each_image(root):  # image bytes -> 1 if filed as P (pathologic myopia), else 0
        return {path.read_bytes(): int(path.name.startswith("P")) for path in (root / "PALM-Training400").rglob("*.jpg")}

    clean_root = make_synthetic_ichallenge_pm(tmp_path / "c", per_class=20, image_size=64, splits=("train", "valid"))
    noisy_root = make_synthetic_ichallenge_pm(tmp_path / "n", per_class=20, image_size=64, splits=("train", "valid"),
                                              label_noise=0.3)
    clean, noisy = label_of_each_image(clean_root), label_of_each_image(noisy_root)
    assert clean.keys() == noisy.keys() and len(clean) == 40  # the same images ...
    wrong = sum(clean[image] != noisy[image] for image in clean)
    assert 4 <= wrong <= 20, wrong                            # ... about 30% of them filed wrongly
    assert len(ICHallengePM(noisy_root, "train")) == 40
    valid_labels = [ICHallengePM(root, "valid").labels.tolist() for root in (clean_root, noisy_root)]
    assert valid_labels[0] == valid_labels[1]                  # validation labels stay correct


def test_a_weaker_pm_signal_gives_a_fainter_crescent_and_nuisance_changes_only_the_look():
    def paleness(**options):
        return np.mean([ring_paleness(*synthetic.synthetic_fundus(np.random.default_rng(seed), 256, 248,
                                                                  "pathologic", **options)) for seed in range(4)])
    assert paleness(pm_signal=0.2) < paleness() - 10
    rng = np.random.default_rng
    base, _ = synthetic.synthetic_fundus(rng(0), 128, 124, "normal")
    shifted, _ = synthetic.synthetic_fundus(rng(0), 128, 124, "normal",
                                            nuisance={"illumination": 1, "color_cast": 1, "blur": 1})
    assert base.shape == shifted.shape and np.abs(base.astype(int) - shifted.astype(int)).mean() > 2
