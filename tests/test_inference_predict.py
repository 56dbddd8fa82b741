"""predict_folder: CSV of predictions, the PALM submission format, clear errors for bad images."""
import csv
import shutil
from pathlib import Path

import numpy as np
import paddle
import pytest

from paddle_models.data import BadSampleError, PreprocessConfig, build_dataset
from paddle_models.inference import DygraphPredictor, Predictor, export_model, list_images, predict_folder
from paddle_models.models import build

SIZE = 32


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A small LeNet exported with iChallenge-PM class names; returns (prefix, dygraph model)."""
    paddle.seed(0)
    model = build("lenet", num_classes=2, input_size=SIZE, activation="relu")
    prefix = tmp_path_factory.mktemp("export") / "lenet"
    meta = {"model_name": "lenet", "num_classes": 2, "task": "multiclass", "class_names": ["non-PM", "PM"],
            "preprocess": PreprocessConfig(image_size=SIZE).to_dict()}
    export_model(model, prefix, meta=meta)
    return prefix, model, meta


def read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def test_general_csv(exported, pm_root, tmp_path):
    prefix, model, meta = exported
    folder = pm_root / "PALM-Validation400"
    predictor = Predictor(prefix)
    path = predict_folder(predictor, folder, tmp_path / "out" / "predictions.csv", batch_size=3)
    rows = read_csv(path)
    assert rows[0] == ["file", "predicted_index", "predicted_name", "prob_non-PM", "prob_PM",
                       "gradable", "reason", "decision"]
    files = list_images(folder)
    assert [r[0] for r in rows[1:]] == [f.name for f in files]
    probs = np.array([[float(x) for x in r[3:5]] for r in rows[1:]])
    assert all(r[5:] == ["yes", "", "no operating point recorded"] for r in rows[1:])  # gradable, not exported with one
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(probs, predictor.predict_images(files, 3).probs, rtol=1e-7, atol=1e-12)  # 8 digits
    np.testing.assert_allclose(probs, DygraphPredictor(model, meta).predict_images(files).probs, atol=1e-5)
    for row, p in zip(rows[1:], probs):
        assert int(row[1]) == p.argmax() and row[2] == ["non-PM", "PM"][p.argmax()]


def test_palm_submission_format(exported, pm_root, tmp_path):
    prefix, _, _ = exported
    predictor = Predictor(prefix)
    path = predict_folder(predictor, pm_root / "PALM-Testing400-Images", tmp_path / "classification_results.csv",
                          palm=True)
    rows = read_csv(path)
    assert rows[0] == ["FileName", "PM Risk"]
    assert all(r[0].startswith("T") and r[0].endswith(".jpg") for r in rows[1:])
    risks = np.array([float(r[1]) for r in rows[1:]])
    assert ((risks >= 0) & (risks <= 1)).all()
    files = [pm_root / "PALM-Testing400-Images" / r[0] for r in rows[1:]]
    np.testing.assert_allclose(risks, predictor.predict_images(files).probs[:, 1], rtol=1e-7, atol=1e-12)


def test_dataset_split_as_input(exported, pm_root, tmp_path):
    prefix, _, _ = exported
    predictor = Predictor(prefix)
    dataset = build_dataset("ichallenge_pm", pm_root, "valid", preprocess=predictor.preprocess)
    rows = read_csv(predict_folder(predictor, dataset, tmp_path / "valid.csv"))
    assert [r[0] for r in rows[1:]] == [Path(path).name for path, _ in dataset.samples]


def test_bad_image_names_the_file(exported, pm_root, tmp_path):
    prefix, _, _ = exported
    folder = tmp_path / "images"
    shutil.copytree(pm_root / "PALM-Validation400", folder)
    (folder / "V9999.jpg").write_bytes(b"this is not a JPEG")
    with pytest.raises(BadSampleError, match="V9999.jpg"):
        predict_folder(Predictor(prefix), folder, tmp_path / "p.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no images"):
        predict_folder(Predictor(prefix), tmp_path / "empty", tmp_path / "p.csv")


def test_palm_needs_two_classes(pm_root, tmp_path):
    model = build("lenet", num_classes=3, input_size=SIZE)
    export_model(model, tmp_path / "three", input_size=SIZE)
    with pytest.raises(ValueError, match="two-class"):
        predict_folder(Predictor(tmp_path / "three"), pm_root / "PALM-Validation400", tmp_path / "p.csv", palm=True)


def test_ordinal_model_gives_class_probabilities(pm_root, tmp_path):
    paddle.seed(2)
    model = build("lenet", num_classes=5, input_size=SIZE, activation="relu")
    names = [f"grade {k}" for k in range(5)]
    export_model(model, tmp_path / "ordinal", input_size=SIZE, meta={"task": "ordinal", "class_names": names})
    predictor = Predictor(tmp_path / "ordinal")
    files = list_images(pm_root / "PALM-Validation400")[:4]
    result = predictor.predict_images(files)
    assert result.probs.shape == (4, 5) and (result.probs >= 0).all()
    np.testing.assert_allclose(result.probs.sum(axis=1), 1.0, atol=1e-6)
    rows = read_csv(predict_folder(predictor, files, tmp_path / "grades.csv"))
    assert rows[0][3:8] == [f"prob_grade_{k}" for k in range(5)]


def test_arrays_and_single_images(exported, pm_root):
    import cv2

    prefix, _, _ = exported
    predictor = Predictor(prefix)
    path = list_images(pm_root / "PALM-Validation400")[0]
    from_path = predictor.predict_images(str(path))  # one file, not a list
    from_array = predictor.predict_images([cv2.imread(str(path))])  # BGR, as cv2.imread gives
    assert len(from_path) == 1 and from_path.files == [str(path)]
    assert from_array.probs.shape == (1, 2) and from_array.files is None
    with pytest.raises(BadSampleError, match="array of shape"):
        predictor.predict_images([np.zeros((8, 8, 3), np.float32)])


def test_files_the_course_cannot_read_are_named_not_dropped_silently(exported, pm_root, tmp_path):
    from paddle_models.data.imageio import UnreadFilesWarning

    folder = tmp_path / "photos"
    shutil.copytree(pm_root / "PALM-Validation400", folder)
    (folder / "eye.webp").write_bytes(b"RIFF....WEBP")
    (folder / "scan.gif").write_bytes(b"GIF89a")
    (folder / ".DS_Store").write_bytes(b"\0")  # hidden: not an image, and nothing to report
    with pytest.warns(UnreadFilesWarning, match=r"2 file\(s\) left out.*eye.webp, scan.gif.*PNG or JPEG"):
        rows = read_csv(predict_folder(Predictor(exported[0]), folder, tmp_path / "p.csv"))
    assert len(rows) - 1 == len(list((pm_root / "PALM-Validation400").iterdir()))


def test_one_image_file_is_predicted_as_a_one_row_csv(exported, pm_root, tmp_path):
    image = sorted((pm_root / "PALM-Validation400").iterdir())[0]
    rows = read_csv(predict_folder(Predictor(exported[0]), image, tmp_path / "one.csv"))
    assert [row[0] for row in rows[1:]] == [image.name]


def test_the_gate_and_the_decision_columns(exported, pm_root, tmp_path):
    """A grey wall is refused as ungradable; the others are decided at the recorded operating point."""
    import cv2

    prefix, model, meta = exported
    files = list_images(pm_root / "PALM-Validation400")[:4]
    wall = tmp_path / "wall.png"
    cv2.imwrite(str(wall), np.full((300, 400, 3), 128, np.uint8) + np.random.default_rng(0).integers(0, 20, (300, 400, 3)).astype(np.uint8))
    point = {"threshold": 0.5, "target": "sensitivity", "target_value": 0.9, "sensitivity": 0.9, "specificity": 0.5}
    predictor = DygraphPredictor(model, {**meta, "operating_point": point})
    rows = read_csv(predict_folder(predictor, files + [wall], tmp_path / "p.csv", tta=True))
    assert rows[-1][5:] == ["no", "not a fundus photograph (no round field of view on a dark border)", "ungradable"]
    assert {r[7] for r in rows[1:-1]} <= {"PM likely", "PM unlikely", "uncertain"}
    assert read_csv(predict_folder(predictor, [wall], tmp_path / "q.csv", gate=False))[1][5:7] == [
        "yes", "not checked (--no-gate)"]


def test_the_predictor_divides_the_logits_by_the_recorded_temperature(exported, pm_root):
    prefix, model, meta = exported
    files = list_images(pm_root / "PALM-Validation400")[:3]
    plain = DygraphPredictor(model, meta).predict_images(files).probs
    softened = DygraphPredictor(model, {**meta, "temperature": 4.0}).predict_images(files).probs
    logits = np.log(plain)  # softmax(log p / T) = p^(1/T) / sum
    expected = np.exp(logits / 4.0) / np.exp(logits / 4.0).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softened, expected, atol=1e-6)


def test_tta_views_are_the_flipped_images(exported, pm_root):
    prefix, model, meta = exported
    files = list_images(pm_root / "PALM-Validation400")[:2]
    predictor = DygraphPredictor(model, meta)
    result = predictor.predict_images(files, tta=True)
    inputs = predictor.load_images(files)
    assert result.views.shape == (2, 3, 2)
    np.testing.assert_allclose(result.views[:, 1], predictor.predict_probs(inputs[:, :, :, ::-1].copy()), atol=1e-6)
    np.testing.assert_allclose(result.probs, result.views.mean(axis=1), atol=1e-7)
