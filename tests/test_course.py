"""The helpers the lessons share: fast mode, real-or-synthetic data, run folders, VisualDL hints."""
import pytest

from paddle_models import course, notebooks


@pytest.mark.parametrize("text, fast", [("1", True), ("0", False), ("yes", True), ("off", False)])
def test_fast_mode_reads_the_environment(monkeypatch, text, fast):
    monkeypatch.setenv(course.FAST_ENV, text)
    assert course.fast_mode() is fast
    assert course.fast_mode(not fast) is (not fast)  # an explicit value wins


def test_fast_mode_rejects_a_typo(monkeypatch):
    monkeypatch.setenv(course.FAST_ENV, "fsat")
    with pytest.raises(ValueError, match="PADDLE_MODELS_FAST"):
        course.fast_mode()


def test_fast_mode_without_a_setting_is_on_without_a_gpu(monkeypatch):
    monkeypatch.delenv(course.FAST_ENV, raising=False)
    from paddle_models.engine import gpu_available

    assert course.fast_mode() is (not gpu_available())


def test_lesson_data_falls_back_to_synthetic_data_in_the_official_layout(monkeypatch, tmp_path):
    monkeypatch.setattr(course, "DATASETS_DIR", tmp_path)
    monkeypatch.setitem(course.SYNTHETIC, "ichallenge_pm", {"per_class": 2, "image_size": 96})
    data = course.lesson_data("ichallenge_pm", fast=True)
    assert not data.real and data.root.parent == tmp_path / "synthetic"
    assert (data.image_size, data.epochs) == (course.FAST_SIZES["image_size"], course.FAST_SIZES["epochs"])
    assert "synthetic" in str(data) and "datasets/README.md" in str(data)
    train, valid = data.datasets()
    assert len(train) == 4 and len(valid) == 4
    assert list(train[0][0].shape) == [3, data.image_size, data.image_size]
    assert course.lesson_data("ichallenge_pm", fast=True).root == data.root  # written once, then reused
    assert not list((tmp_path / "synthetic").glob(".*")), "no staging folder left behind"


def test_lesson_data_prefers_the_real_dataset(monkeypatch, tmp_path, pm_root):
    (tmp_path / "PALM").symlink_to(pm_root, target_is_directory=True)
    monkeypatch.setattr(course, "DATASETS_DIR", tmp_path)
    data = course.lesson_data("ichallenge_pm", fast=True, epochs=1)
    assert data.real and data.root == tmp_path / "PALM" and data.subset == 80 and data.epochs == 1
    assert str(data).splitlines()[0] == f"ichallenge_pm: using {tmp_path / 'PALM'} (the project's datasets folder)"
    full = course.lesson_data("ichallenge_pm", fast=False)
    assert (full.image_size, full.subset) == (224, None)


def test_lesson_paths_by_number_and_a_clear_error():
    assert notebooks.lesson_paths(["3"])[0].name.startswith("03_")
    with pytest.raises(FileNotFoundError, match="no lesson '99'"):
        notebooks.lesson_paths(["99"])


def test_lesson_table_lists_every_notebook_with_its_title():
    table = notebooks.lesson_table().splitlines()
    assert len(table) == 2 + len(notebooks.lesson_paths())
    assert "| 0 | `00_setup_and_tour` | Setup and a tour of the course |" in table


def test_run_config_puts_a_lessons_runs_under_one_parent():
    data = course.LessonData("ichallenge_pm", course.DATASETS_DIR, real=False, fast=True, image_size=64,
                             epochs=2, batch_size=8)
    config = course.run_config("03_alexnet", "alexnet", data, lr=0.01)
    assert config.log_dir == str(course.RUNS_DIR / "03_alexnet") and config.run_name == "alexnet"
    assert (config.epochs, config.batch_size, config.lr) == (2, 8, 0.01)


def test_visualdl_hint_gives_the_safe_command():
    hint = course.visualdl_hint("runs/x")  # re-exported from paddle_models.visualdl_log for the lessons
    assert course.visualdl_command("runs/x") in hint and "--host 127.0.0.1" in hint and "AI Studio" in hint


def test_a_lesson_checkpoint_can_be_rebuilt_exported_and_used_as_pretrained_weights(monkeypatch, tmp_path):
    from paddle_models import build, load_pretrained
    from paddle_models.engine import load_model
    from paddle_models.inference import export_checkpoint, load_export_meta

    monkeypatch.setattr(course, "DATASETS_DIR", tmp_path)
    monkeypatch.setattr(course, "RUNS_DIR", tmp_path / "runs")
    monkeypatch.setitem(course.SYNTHETIC, "ichallenge_pm", {"per_class": 2, "image_size": 96})
    data = course.lesson_data("ichallenge_pm", fast=True, image_size=32, epochs=1, batch_size=4)
    options = {"input_size": 32, "activation": "relu"}
    trainer = course.train(build("lenet", **options), data, lesson="test", run="lenet", model_name="lenet",
                           model_options=options)
    model, meta = load_model(trainer.best_checkpoint)
    assert (meta["model_name"], meta["num_classes"], meta["model_options"]) == ("lenet", 2, options)
    exported = export_checkpoint(trainer.best_checkpoint, tmp_path / "export" / "lenet")
    assert exported.params_file.exists()
    assert load_export_meta(tmp_path / "export" / "lenet")["best_epoch"] == trainer.best_epoch + 1  # as printed
    assert load_pretrained(build("lenet", **options), "lenet", trainer.best_checkpoint) == []


def test_lesson_data_writes_a_named_synthetic_variant(monkeypatch, tmp_path):
    monkeypatch.setattr(course, "DATASETS_DIR", tmp_path)
    monkeypatch.setitem(course.SYNTHETIC, "ddr_imbalanced", {"images": (30, 12, 12), "image_size": 64,
                                                            "lesion_scale": 1.5})
    data = course.lesson_data("ddr", fast=True, synthetic="ddr_imbalanced")
    assert not data.real and data.name == "ddr" and "images30-12-12" in data.root.name
    assert data.dataset("train").class_counts().tolist() == [13, 1, 10, 1, 2]  # 46/5/33/2/7 %; 3 ungradable left out


def test_a_model_name_and_a_seed_make_the_run_a_lesson_made_by_hand_and_a_custom_loss_is_used(monkeypatch, tmp_path):
    """``course.train("lenet", seed=3)`` builds the model from the run's seed: the same run (the same
    history) as seeding, building and training by hand; ``custom_loss`` replaces the engine's loss."""
    import paddle

    from paddle_models import build

    monkeypatch.setattr(course, "DATASETS_DIR", tmp_path)
    monkeypatch.setattr(course, "RUNS_DIR", tmp_path / "runs")
    monkeypatch.setitem(course.SYNTHETIC, "ichallenge_pm", {"per_class": 2, "image_size": 96})
    data = course.lesson_data("ichallenge_pm", fast=True, image_size=32, epochs=2, batch_size=2)
    settings = dict(lesson="test", optimizer="adam", lr=0.01, seed=3)
    by_name = course.train("lenet", data, run="by_name", model_options={"activation": "relu"}, **settings)
    paddle.seed(3)
    options = {"activation": "relu", "input_size": 32}
    by_hand = course.train(build("lenet", num_classes=2, **options), data, run="by_hand", model_name="lenet",
                           model_options=options, **settings)
    assert by_name.history == by_hand.history and by_name.record.model_options == options

    calls = []

    def own_loss(logits, labels):
        calls.append(list(logits.shape))
        return (logits ** 2).mean()  # pulls every logit to 0

    course.train("lenet", data, run="own_loss", custom_loss=own_loss, **settings)
    assert calls and calls[0] == [2, 2]
