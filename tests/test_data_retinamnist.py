"""RetinaMNIST: the MedMNIST .npz reader, its errors, and the synthetic file in the same format."""
import numpy as np
import pytest

from paddle_models import cli
from paddle_models.data import (BadSampleError, DatasetNotFoundError, RetinaMNIST, build_dataset,
                                make_synthetic_retinamnist, to_input)
from paddle_models.data.quality import audit_dataset
from paddle_models.data.retinamnist import SPLIT_PREFIX

COUNTS = [4, 3, 3, 2, 2]  # train images per grade


@pytest.fixture(scope="module")
def retina_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("retinamnist")
    make_synthetic_retinamnist(root, per_class=COUNTS, image_size=28, seed=0)
    return root


def test_the_synthetic_file_has_medmnists_arrays(retina_root):
    with np.load(retina_root / "retinamnist.npz") as arrays:
        assert sorted(arrays.files) == sorted(f"{p}_{kind}" for p in SPLIT_PREFIX.values()
                                              for kind in ("images", "labels"))
        assert arrays["train_images"].dtype == np.uint8 and arrays["train_images"].shape == (14, 28, 28, 3)
        assert arrays["train_labels"].shape == (14, 1) and set(arrays["train_labels"].ravel()) == set(range(5))


def test_every_split_is_read_with_its_grades(retina_root):
    train = build_dataset("retinamnist", retina_root, "train")
    assert list(train.class_counts()) == COUNTS and train.preprocess.image_size == 28
    assert not train.preprocess.crop_border  # MedMNIST already cropped (see the module docstring)
    assert len(RetinaMNIST(retina_root, "val")) == len(RetinaMNIST(retina_root, "test")) == 5


def test_a_sample_goes_through_the_same_preprocessing_as_a_file(retina_root):
    train = RetinaMNIST(retina_root, "train")
    with np.load(retina_root / "retinamnist.npz") as arrays:
        raw = arrays["train_images"][train.row(3)]
    image, label = train[3]
    assert image.shape == (3, 28, 28) and image.dtype == np.float32 and label == train.labels[3]
    np.testing.assert_allclose(image, to_input(raw, train.preprocess), atol=1e-5)  # native size: no resize
    assert RetinaMNIST(retina_root, "train", image_size=64, augment=True)[0][0].shape == (3, 64, 64)


def test_subset_and_exclude_keep_rows_and_labels_together(retina_root, tmp_path):
    full = RetinaMNIST(retina_root, "train")
    part = RetinaMNIST(retina_root, "train", subset=5, seed=1)
    label_of_row = {full.row(i): full.labels[i] for i in range(len(full))}
    assert len(part) == 5 and len({part.row(i) for i in range(5)}) == 5
    assert all(part.labels[i] == label_of_row[part.row(i)] for i in range(5))
    name = full.samples[0][0].rsplit("/", 1)[1]  # 'retinamnist.npz#train-0000'
    kept = RetinaMNIST(retina_root, "train", exclude=[name])
    assert kept.excluded == [full.samples[0][0]] and len(kept) == len(full) - 1
    with pytest.warns(UserWarning, match="only 28 pixels wide"):  # too small for the blur score
        result = audit_dataset(full, tmp_path, prefix="retinamnist-train", progress=False)
    assert len(result.rows) == len(full)


def test_size_chooses_the_file(retina_root, tmp_path):
    make_synthetic_retinamnist(tmp_path, per_class=1, image_size=64)
    assert RetinaMNIST(tmp_path, "train", size=64).preprocess.image_size == 64
    assert RetinaMNIST(tmp_path / "retinamnist_64.npz", "test").preprocess.image_size == 64
    with pytest.raises(ValueError, match="sizes \\[28, 64, 128, 224\\]"):
        make_synthetic_retinamnist(tmp_path, image_size=512)


def test_missing_file_says_what_was_looked_for_and_where_to_get_it(tmp_path):
    with pytest.raises(DatasetNotFoundError) as error:
        RetinaMNIST(tmp_path, "train")
    message = str(error.value)
    assert "retinamnist.npz, retinamnist_64.npz, retinamnist_128.npz, retinamnist_224.npz" in message
    assert str(tmp_path) in message and "zenodo.org" in message and "datasets/README.md" in message
    with pytest.raises(DatasetNotFoundError, match="looked for retinamnist_128.npz in"):
        RetinaMNIST(tmp_path, "train", size=128)


def test_wrong_arrays_are_named(tmp_path):
    np.savez(tmp_path / "retinamnist.npz", train_images=np.zeros((2, 28, 28, 3), np.uint8))
    with pytest.raises(ValueError, match="retinamnist.npz: no array train_labels"):
        RetinaMNIST(tmp_path, "train")
    np.savez(tmp_path / "retinamnist.npz", train_images=np.zeros((2, 28, 28), np.uint8),
             train_labels=np.zeros((2, 1), np.uint8))
    with pytest.raises(ValueError, match=r"train_images should be uint8 \[N, S, S, 3\]"):
        RetinaMNIST(tmp_path, "train")
    np.savez(tmp_path / "whole.npz", train_images=np.zeros((2, 28, 28, 3), np.uint8), train_labels=np.zeros((2, 1)))
    whole = (tmp_path / "whole.npz").read_bytes()
    (tmp_path / "retinamnist.npz").write_bytes(whole[: len(whole) // 2])  # an interrupted download
    with pytest.raises(ValueError, match="retinamnist.npz: not a readable .npz file"):
        RetinaMNIST(tmp_path / "retinamnist.npz", "train")
    (tmp_path / "retinamnist.npz").write_bytes(b"<html>a download error page</html>")
    with pytest.raises(ValueError, match="not a readable .npz file"):
        RetinaMNIST(tmp_path, "train")


def test_a_label_out_of_range_is_a_bad_sample(tmp_path):
    labels = np.array([[0], [7], [4]], np.uint8)
    np.savez(tmp_path / "retinamnist.npz", val_images=np.zeros((3, 28, 28, 3), np.uint8), val_labels=labels)
    with pytest.raises(BadSampleError, match=r"val_labels\[1\] = 7 is out of range 0..4"):
        RetinaMNIST(tmp_path, "valid")
    with pytest.warns(UserWarning, match="skipped 1 bad sample"):
        kept = RetinaMNIST(tmp_path, "val", skip_bad=True)
    assert list(kept.labels) == [0, 4]


def test_synth_command_writes_the_28_pixel_file(tmp_path, capsys):
    cli.main(["synth", "--data", "retinamnist", "--root", str(tmp_path), "--per-class", "2"])
    assert "retinamnist.npz" in capsys.readouterr().out
    assert len(RetinaMNIST(tmp_path, "train")) == 10


def test_retinamnist_recipes_name_registered_models_and_train(retina_root, tmp_path):
    """Every retinamnist-* recipe builds; the cheapest one trains an epoch on the synthetic file."""
    from paddle_models import list_models, recipes
    from paddle_models.experiment import run_experiment

    names = [name for name in recipes.RECIPES if name.startswith("retinamnist-")]
    assert len(names) >= 3
    for name in names:
        recipe = recipes.get_recipe(name)
        assert recipe["model"] in list_models() and recipe["data"] == "retinamnist" and recipe["image_size"] == 28
    settings = {key: value for key, value in recipes.get_recipe("retinamnist-resnet18-g32").items()
                if key not in recipes.DESCRIPTIVE_FIELDS}
    settings.update(data_root=str(retina_root), epochs=1, batch_size=8, log_dir=str(tmp_path), run_name="g32")
    result = run_experiment(settings, progress=False)
    assert result.checkpoint.is_file() and len(result.history["val/kappa"]) == 1


def test_grade_overlap_changes_the_paintings_not_the_labels_or_the_format(retina_root, tmp_path):
    """Lesson 14's control: eyes painted at a severity scattered around the grade (0 = the default file)."""
    make_synthetic_retinamnist(tmp_path / "none", per_class=COUNTS, image_size=28, seed=0, grade_overlap=0.0)
    make_synthetic_retinamnist(tmp_path / "some", per_class=COUNTS, image_size=28, seed=0, grade_overlap=0.6,
                               valid_per_class=[2, 1, 1, 1, 1], test_per_class=1)
    with np.load(retina_root / "retinamnist.npz") as default, np.load(tmp_path / "none" / "retinamnist.npz") as none, \
            np.load(tmp_path / "some" / "retinamnist.npz") as some:
        assert all(np.array_equal(default[key], none[key]) for key in default.files)  # off: the same file
        assert np.array_equal(some["train_labels"], default["train_labels"])
        assert not np.array_equal(some["train_images"], default["train_images"])
        assert some["val_labels"].shape == (6, 1) and some["test_images"].shape == (5, 28, 28, 3)
