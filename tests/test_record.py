"""The run record: one typed value written by training and export, read by everything after."""
import json

import paddle
import pytest

import paddle_models
from paddle_models.data import PreprocessConfig
from paddle_models.data.synthetic import SYNTHETIC_MARKER, is_synthetic, make_synthetic_image_folder
from paddle_models.engine import load_model, save_checkpoint
from paddle_models.inference import export_checkpoint, load_export_meta, load_export_record
from paddle_models.record import ModelRecord, RecordError, record_for_model

SIZE = 32


def a_record(**changes):
    values = dict(model_name="lenet", num_outputs=1, task="binary_logit", class_names=("non-PM", "PM"),
                  preprocess=PreprocessConfig(image_size=SIZE), model_options={"input_size": SIZE},
                  dataset="ichallenge_pm", synthetic=True, settings={"lr": 0.001})
    values.update(changes)
    return ModelRecord(**values)


def test_the_stored_form_reads_back_to_the_same_record():
    record = a_record(temperature=1.7, operating_point={"threshold": 0.3, "target": "sensitivity 0.90"})
    stored = json.loads(json.dumps(record.to_dict()))  # what a .meta.json holds
    assert ModelRecord.from_dict(stored) == record
    # the stored keys older files and the lessons use: num_classes counts outputs, input_size is there
    assert stored["num_classes"] == 1 and stored["input_size"] == SIZE and stored["record_version"] == 2
    assert record.num_classes == 2 and record.input_size == SIZE
    assert record["class_names"] == ["non-PM", "PM"] and record.get("missing") is None  # reads like the dict


def test_a_record_written_before_the_class_existed_still_reads():
    old = {"model_name": "lenet", "model_options": {"input_size": SIZE}, "num_classes": 2, "task": "multiclass",
           "class_names": ["a", "b"], "preprocess": {"image_size": SIZE}, "input_size": SIZE, "epoch": 4,
           "format_version": 1, "batch_size": None, "model_file": "m.json", "params_file": "m.pdiparams"}
    record = ModelRecord.from_dict(old)
    assert record.best_epoch == 5  # the old 0-based epoch, counted from 1 as training prints it
    assert record.export["model_file"] == "m.json" and record.synthetic is False and record.temperature is None
    bare = ModelRecord.from_dict({"model_name": "lenet", "num_classes": 3})  # a hand-saved checkpoint's meta
    assert bare.task == "multiclass" and bare.class_names == ("class 0", "class 1", "class 2")


@pytest.mark.parametrize("stored, words", [({"num_classes": 2}, "lacks model_name"),
                                           ("not a dict", "holds no model record"),
                                           ({"model_name": "lenet", "num_classes": 2, "class_names": ["a"]},
                                            "1 class names for a multiclass model with 2 output")])
def test_a_broken_record_is_a_user_error_naming_the_file(stored, words):
    with pytest.raises(RecordError, match=rf"^model\.meta\.json: .*{words}"):
        ModelRecord.from_dict(stored, source="model.meta.json")


def test_record_for_model_counts_the_outputs_of_a_model_built_by_hand():
    model = paddle_models.lenet(num_classes=3, input_size=SIZE, activation="relu")
    record = record_for_model(model, {"preprocess": {"image_size": SIZE}})
    assert (record.num_outputs, record.task, record.model_name) == (3, "multiclass", "lenet")
    with pytest.raises(ValueError, match="disagrees"):
        record_for_model(model, record, input_size=SIZE * 2)


def test_checkpoint_and_export_carry_the_same_record(tmp_path):
    model = paddle_models.lenet(num_classes=1, input_size=SIZE, activation="relu")
    record = a_record()
    save_checkpoint({"model": model.state_dict(), "meta": record.to_dict(), "epoch": 2,
                     "metrics": {"val/acc": 0.5}}, tmp_path / "best.pdparams")
    _, loaded = load_model(tmp_path / "best.pdparams")
    assert loaded == record
    export_checkpoint(tmp_path / "best.pdparams", tmp_path / "export" / "lenet")
    exported = load_export_record(tmp_path / "export" / "lenet")
    assert exported.updated(best_epoch=None, metrics={}, export={}) == record
    assert exported.best_epoch == 3 and exported.metrics == {"val/acc": 0.5}
    assert exported.export["paddle_version"] == paddle.__version__
    assert load_export_meta(tmp_path / "export" / "lenet")["best_epoch"] == 3  # the plain JSON view


def test_synthetic_data_is_marked_and_found_from_below(tmp_path):
    root = make_synthetic_image_folder(tmp_path / "folder", per_class=1, image_size=32, split="train")
    assert (root / SYNTHETIC_MARKER).is_file()
    assert is_synthetic(root) and is_synthetic(root / "train" / "normal")
    assert not is_synthetic(tmp_path) and not is_synthetic(None)
