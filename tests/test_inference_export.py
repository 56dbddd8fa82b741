"""Export + paddle.inference predictor: same answers as the dygraph model, for every model family."""
import json

import numpy as np
import paddle
import pytest

from paddle_models.data import PreprocessConfig, preprocess_image, to_input
from paddle_models.engine import save_checkpoint
from paddle_models.inference import (DygraphPredictor, Predictor, export_checkpoint, export_model,
                                     find_model_files, load_export_meta)
from paddle_models.models import build

# (model, options, input size): small inputs wherever the architecture allows
FAMILIES = [
    ("lenet", {"input_size": 32}, 32),
    ("alexnet", {}, 64),
    ("vgg11", {}, 32),
    ("googlenet", {}, 64),
    ("resnet18", {}, 64),
    ("resnet50", {}, 64),
    ("convmixer_small", {}, 64),
]


def pm_images(pm_root, count=3):
    return sorted((pm_root / "PALM-Validation400").glob("*.jpg"))[:count]


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def dygraph_reference(model, images, config):
    """What the model itself says, preprocessing done by hand with the data layer's functions."""
    batch = np.stack([to_input(preprocess_image(str(p), config), config) for p in images])
    model.eval()
    with paddle.no_grad():
        logits = model(paddle.to_tensor(batch)).numpy()
    return logits, softmax(logits.astype(np.float64))


@pytest.mark.parametrize("name,options,size", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_predictor_matches_dygraph(name, options, size, pm_root, tmp_path):
    paddle.seed(0)
    model = build(name, num_classes=2, **options)
    model.train()  # export must switch to eval itself (GoogLeNet: main head only) and switch back
    config = PreprocessConfig(image_size=size)
    meta = {"model_name": name, "model_options": options, "num_classes": 2, "task": "multiclass",
            "class_names": ["non-PM", "PM"], "preprocess": config.to_dict(), "input_size": size}
    files = export_model(model, tmp_path / name, meta=meta)
    assert model.training
    assert all(path.is_file() for path in files)
    assert files.model_file.suffix == (".pdmodel" if paddle.__version__.startswith("2.") else ".json")

    images = pm_images(pm_root)
    logits, probs = dygraph_reference(model, images, config)
    predictor = Predictor(tmp_path / name, threads=2)
    result = predictor.predict_images([str(p) for p in images], batch_size=2)
    assert result.probs.shape == (len(images), 2)
    np.testing.assert_allclose(result.probs, probs, atol=1e-5)
    np.testing.assert_array_equal(result.classes, probs.argmax(axis=1))
    assert result.class_names == ["non-PM", "PM"]
    assert result.files == [str(p) for p in images]
    # the raw program output: logits, equal up to oneDNN's rounding (relative to their scale)
    batch = predictor.load_images(images)
    np.testing.assert_allclose(predictor.predict_logits(batch), logits, atol=1e-5 * max(1.0, np.abs(logits).max()))


def test_meta_json_records_preprocessing(tmp_path):
    model = build("convmixer_small", num_classes=3)
    config = PreprocessConfig(image_size=48, ben_graham=True, circular_mask=True, normalize="course")
    meta = {"model_name": "convmixer_small", "num_classes": 3, "task": "ordinal",
            "class_names": ["g0", "g1", "g2"], "preprocess": config.to_dict()}
    files = export_model(model, tmp_path / "sub" / "model", meta=meta)
    saved = json.loads(files.meta_file.read_text())
    assert files.meta_file.name == "model.meta.json"
    assert PreprocessConfig.from_dict(saved["preprocess"]) == config
    assert saved["input_size"] == 48 and saved["task"] == "ordinal" and saved["class_names"] == ["g0", "g1", "g2"]
    assert saved["batch_size"] is None and saved["output"] == "logits"
    assert saved["model_file"] == files.model_file.name
    predictor = Predictor(tmp_path / "sub" / "model")
    assert predictor.preprocess == config and predictor.task == "ordinal"
    with pytest.raises(ValueError, match="disagrees"):
        export_model(model, tmp_path / "other", input_size=64, meta=meta)


def test_defaults_without_meta_and_fixed_batch(tmp_path):
    paddle.seed(1)
    model = build("lenet", num_classes=2, input_size=32, activation="relu")
    files = export_model(model, tmp_path / "lenet", input_size=32, batch_size=4)
    meta = load_export_meta(tmp_path / "lenet")
    assert meta["batch_size"] == 4 and meta["class_names"] == ["class 0", "class 1"]
    assert meta["task"] == "multiclass" and meta["preprocess"]["image_size"] == 32
    predictor = Predictor(tmp_path / "lenet")
    inputs = np.random.default_rng(0).normal(size=(7, 3, 32, 32)).astype("float32")  # 7 = 4 + 3 (padded)
    reference = DygraphPredictor(model, input_size=32).predict_probs(inputs)
    np.testing.assert_allclose(predictor.predict_probs(inputs, batch_size=5), reference, atol=1e-5)
    assert find_model_files(tmp_path / "lenet") == (files.model_file, files.params_file)


def test_googlenet_exports_main_head_only(tmp_path):
    paddle.seed(0)
    model = build("googlenet", num_classes=2)
    files = export_model(model, tmp_path / "g", input_size=64)
    with_aux = sum(int(np.prod(p.shape)) for p in model.parameters())
    main_only = with_aux - sum(int(np.prod(p.shape)) for n, p in model.named_parameters() if n.startswith("aux"))
    saved = files.params_file.stat().st_size / 4  # float32 weights
    assert saved < 1.01 * main_only < with_aux


def test_export_checkpoint_uses_the_checkpoint_meta(tmp_path, pm_root):
    """A one-logit binary (BCE) model as the engine saves it: num_classes = 1 output, two class names."""
    paddle.seed(0)
    model = build("resnet18", num_classes=1)
    meta = {"model_name": "resnet18", "model_options": {}, "num_classes": 1, "task": "binary_logit",
            "class_names": ["non-PM", "PM"], "preprocess": PreprocessConfig(image_size=32).to_dict(),
            "input_size": 32}
    save_checkpoint({"model": model.state_dict(), "meta": meta}, tmp_path / "best.pdparams")
    files = export_checkpoint(tmp_path / "best.pdparams", tmp_path / "export" / "m")
    assert json.loads(files.meta_file.read_text())["task"] == "binary_logit"
    images = pm_images(pm_root, 2)
    result = Predictor(tmp_path / "export" / "m").predict_images(images)
    logits, _ = dygraph_reference(model, images, PreprocessConfig(image_size=32))
    p = 1 / (1 + np.exp(-logits[:, 0].astype(np.float64)))
    np.testing.assert_allclose(result.probs, np.stack([1 - p, p], axis=1), atol=1e-5)  # sigmoid -> [1-p, p]


def test_missing_files_are_explained(tmp_path):
    with pytest.raises(FileNotFoundError, match="meta.json"):
        Predictor(tmp_path / "nothing")
    with pytest.raises(FileNotFoundError, match="pdiparams"):
        find_model_files(tmp_path / "nothing")


def test_a_new_export_replaces_the_program_of_another_paddle_version(tmp_path):
    """A stale .json (3.x) or .pdmodel (2.6) at the same prefix must not be picked up instead."""
    for suffix in (".json", ".pdmodel"):
        (tmp_path / f"lenet{suffix}").write_text("left over from an export under the other Paddle version")
    model = build("lenet", num_classes=2, input_size=32, activation="relu")
    files = export_model(model, tmp_path / "lenet", input_size=32)
    assert find_model_files(tmp_path / "lenet") == (files.model_file, files.params_file)
    assert len([path for path in tmp_path.iterdir() if path.suffix in (".json", ".pdmodel")
                and not path.name.endswith(".meta.json")]) == 1
    Predictor(tmp_path / "lenet").predict_probs(np.zeros((1, 3, 32, 32), "float32"))
