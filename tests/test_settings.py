"""The settings schema: every setting reachable from the command line and a recipe, every value checked.

Also the glue-layer bugs the schema fixed (issue 11), each reproduced on tiny synthetic data.
"""
import json
import warnings
from dataclasses import fields
from pathlib import Path

import numpy as np
import paddle
import pytest

from paddle_models import recipes, settings
from paddle_models.cli import build_parser, main
from paddle_models.data import synthetic
from paddle_models.data.quality import UnmatchedExclusionWarning
from paddle_models.engine import TrainConfig, build_optimizer, build_scheduler, load_checkpoint
from paddle_models.experiment import DataMismatchError, evaluation_dataset, run_experiment
from paddle_models.settings import SettingsError, parse_settings
from tests.data_fixtures import copy_dataset

SIZE = 32
TINY = dict(model="lenet", model_options={"activation": "relu"}, image_size=SIZE, epochs=1, batch_size=4,
            optimizer="adam", progress=False)


def example_value(item):
    """A value different from the default, of the field's type, allowed by its choices and check."""
    allowed = settings.choices_of(item)
    if allowed:
        return next(value for value in reversed(allowed) if value != item.default)
    kind, _ = settings._type_of(type_of_field[item.name], item.name)
    return {int: 3, float: 0.5, str: "x", bool: not item.default, dict: {"a": 1}}[kind]


type_of_field = {item.name: cls for cls in settings.groups() for item in fields(cls)}


def cli_arguments(name, value):
    option = settings.option_name(name)
    if isinstance(value, bool):
        return [option if value else "--no-" + option[2:]]
    return [option, json.dumps(value) if isinstance(value, dict) else str(value)]


@pytest.mark.parametrize("item", settings.all_fields(cli_only=True), ids=lambda item: item.name)
def test_every_setting_is_a_train_option_and_a_recipe_key(item):
    value = example_value(item)
    parser = build_parser()
    args = parser.parse_args(["train", *cli_arguments(item.name, value)])
    assert settings.given_options(args) == {item.name: value}
    settings.check_keys({item.name: value}, "a recipe")  # a recipe may set it too


def test_options_are_derived_from_the_schema():
    parsed = vars(build_parser().parse_args(["train"]))  # every option's destination, given or not
    options = set(parsed) - {"command", "handler", "debug", "recipe", "quiet"}
    assert options == {item.name for item in settings.all_fields(cli_only=True)}
    assert {"sampler", "aux_weight", "step_epochs", "l1_decay", "valid_fraction", "skip_bad"} <= options


def test_a_misspelled_key_is_an_error_that_names_the_nearest_setting():
    with pytest.raises(SettingsError, match="unknown setting 'learning_rate'.*did you mean 'lr'"):
        parse_settings({"learning_rate": 0.1})


@pytest.mark.parametrize("values, message", [
    ({"monitor": "val/accuracy"}, r"monitor='val/accuracy' is not allowed \(did you mean 'val/acc'\?\).*val/kappa"),
    ({"grad_clip": -1}, "grad_clip=-1.0 is not allowed: it must be a finite number > 0"),
    ({"lr": float("nan")}, "lr=nan is not allowed: it must be a finite number > 0"),
    ({"batch_size": 0}, "batch_size=0 is not allowed: it must be"),
    ({"epochs": -1}, "epochs=-1 is not allowed: it must be"),
    ({"optimizer": "lbfgs"}, "optimizer='lbfgs' is not allowed; choose one of: sgd, momentum"),
    ({"model": "resnet51"}, "model='resnet51' is not allowed.*resnet50"),
    ({"image_size": "big"}, "image_size='big' is not allowed: it must be of type int"),
])
def test_bad_values_name_the_setting_and_what_it_accepts(values, message):
    with pytest.raises(SettingsError, match=message):
        parse_settings(values)


def test_every_recipe_is_valid():
    for name in recipes.RECIPES:
        parse_settings(recipes.recipe_settings(name), name)


def test_dataset_names_are_normalised_in_one_place():
    assert parse_settings({"data": "image-folder"})[1].data == "image_folder"
    assert parse_settings({"data": "APTOS"})[1].data == "aptos"
    with pytest.raises(SettingsError, match="data='mnist' is not allowed"):
        parse_settings({"data": "mnist"})


def test_adamw_with_an_explicit_weight_decay_of_zero_has_none():
    layer = paddle.nn.Linear(2, 2)
    for decay, expected in ((0.0, 0.0), (None, 0.01), (0.05, 0.05)):
        config = TrainConfig(optimizer="adamw", weight_decay=decay)
        optimizer = build_optimizer(config, layer.parameters(), build_scheduler(config, 1))
        assert optimizer._weight_decay == pytest.approx(expected)  # noqa: SLF001


# ----------------------------------------------------------------------------- runs


def test_monitor_not_computed_for_the_task_is_an_error_not_minus_infinity(ddr_root, tmp_path):
    with pytest.raises(SettingsError, match="val/sensitivity.*two classes only"):
        run_experiment({**TINY, "data": "ddr", "data_root": str(ddr_root), "monitor": "val/sensitivity",
                        "log_dir": str(tmp_path)})


def test_settings_from_the_command_line_reach_the_run(pm_root, tmp_path):
    main(["train", "--model", "lenet", "--image-size", str(SIZE), "--data-root", str(pm_root), "--epochs", "1",
          "--batch-size", "4", "--sampler", "balanced", "--aux-weight", "0", "--schedule", "step",
          "--step-epochs", "1", "--log-dir", str(tmp_path), "--run-name", "r", "--quiet"])
    state = load_checkpoint(tmp_path / "r" / "last.pdckpt")
    assert (state["config"]["sampler"], state["config"]["aux_weight"], state["config"]["step_epochs"]) == \
        ("balanced", 0.0, 1)
    assert state["meta"]["settings"]["sampler"] == "balanced"  # the checkpoint keeps every setting
    assert state["meta"]["settings"]["image_size"] == SIZE


def test_train_on_the_synthetic_image_folder_the_cli_writes(tmp_path, capsys):
    root = tmp_path / "folder"
    main(["synth", "--data", "image_folder", "--root", str(root), "--per-class", "5", "--image-size", "64"])
    main(["train", "--data", "image-folder", "--data-root", str(root), "--model", "lenet", "--image-size",
          str(SIZE), "--epochs", "1", "--batch-size", "4", "--log-dir", str(tmp_path / "runs"), "--quiet"])
    checkpoint = tmp_path / "runs" / "image_folder-lenet" / "best.pdparams"
    meta = load_checkpoint(checkpoint)["meta"]
    digest = meta["validation"].pop("images")  # which images were held out (file names and labels)
    assert meta["validation"] == {"held_out_from": "train", "fraction": 0.2, "seed": 0, "subset": None,
                                  "exclude": None, "split_file": None, "count": 2}
    assert len(digest) == 64
    # evaluate's default split is the held-out 20 %, rebuilt exactly
    capsys.readouterr()
    main(["evaluate", "--checkpoint", str(checkpoint), "--data-root", str(root), "--output", str(tmp_path / "e")])
    assert "confusion matrix" in capsys.readouterr().out
    held_out = evaluation_dataset(meta, root)
    assert len(held_out) == 2 and len({label for _, label in held_out.samples}) == 2


def test_aptos_trains_and_evaluates_on_its_held_out_share(aptos_root, tmp_path, capsys):
    root = copy_dataset(aptos_root, tmp_path)
    result = run_experiment({**TINY, "data": "APTOS", "data_root": str(root), "log_dir": str(tmp_path)})
    meta = load_checkpoint(result.checkpoint)["meta"]
    assert meta["validation"]["held_out_from"] == "train"
    main(["evaluate", "--checkpoint", str(result.checkpoint), "--data-root", str(root),
          "--output", str(tmp_path / "e")])
    assert "confusion matrix" in capsys.readouterr().out
    # the first row deleted: the held-out share, rebuilt from the new table, would hold other images --
    # some that the model trained on
    table = root / "train.csv"
    lines = table.read_text().splitlines(keepends=True)
    table.write_text("".join(lines[:1] + lines[2:]))
    with pytest.raises(DataMismatchError, match="held-out images.*cannot be rebuilt"):
        evaluation_dataset(meta, root)


def test_experiment_result_model_holds_the_best_epochs_weights(pm_root, tmp_path):
    result = run_experiment({**TINY, "epochs": 3, "data_root": str(pm_root), "log_dir": str(tmp_path),
                             "lr": 0.05, "monitor": "val/loss"})
    best = load_checkpoint(result.checkpoint)["model"]
    for name, value in result.model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), best[name].numpy())
    assert result.best_epoch == int(np.argmin(result.history["val/loss"]))


def test_recipe_with_a_typo_is_refused(monkeypatch, pm_root, capsys):
    monkeypatch.setitem(recipes.RECIPES, "typo", dict(recipes.RECIPES["pm-lenet"], learning_rate=0.1))
    with pytest.raises(SystemExit):
        main(["train", "--recipe", "typo", "--data-root", str(pm_root)])
    assert "unknown setting 'learning_rate' in recipe 'typo'" in capsys.readouterr().err


def test_image_folder_without_split_folders_reads_train_only(tmp_path):
    from paddle_models.data import ImageFolder

    root = synthetic.make_synthetic_image_folder(tmp_path / "f", per_class=2, image_size=48)
    assert len(ImageFolder(root, "train", image_size=SIZE)) == 4
    with pytest.raises(FileNotFoundError, match="no split folders, so only 'train'"):
        ImageFolder(root, "valid", image_size=SIZE)


def test_exclude_leaves_the_audits_flagged_images_out(pm_root, tmp_path):
    from paddle_models.experiment import build_datasets
    from paddle_models.settings import DataSettings

    flagged = sorted((pm_root / "PALM-Training400").rglob("*.jpg"))[0]
    audit = tmp_path / "audit.csv"
    audit.write_text(f"path,flagged\n{flagged},1\n")
    full, _, _ = build_datasets(DataSettings(data_root=str(pm_root), image_size=SIZE))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnmatchedExclusionWarning)  # it matches: no warning
        train, _, _ = build_datasets(DataSettings(data_root=str(pm_root), image_size=SIZE, exclude=str(audit)))
    assert len(train) == len(full) - 1 and [Path(p).name for p in train.excluded] == [flagged.name]


def test_an_exclusion_list_that_matches_no_image_of_any_split_is_a_warning(pm_root, tmp_path):
    """e.g. the audit CSV of another dataset: the run would otherwise train on every image, silently."""
    from paddle_models.experiment import build_datasets
    from paddle_models.settings import DataSettings

    audit = tmp_path / "ddr-train.csv"
    audit.write_text("path,flagged\n/data/DDR/train/007-0004-000.jpg,1\n/data/DDR/train/007-0005-000.jpg,0\n")
    with pytest.warns(UnmatchedExclusionWarning, match=r"none of its 1 image\(s\) .*007-0004-000.jpg.* is in this run"):
        train, _, _ = build_datasets(DataSettings(data_root=str(pm_root), image_size=SIZE, exclude=str(audit)))
    assert train.excluded == []


def test_retinamnist_keeps_its_own_preprocessing_defaults(tmp_path):
    from paddle_models.experiment import build_datasets
    from paddle_models.settings import DataSettings

    root = synthetic.make_synthetic_retinamnist(tmp_path / "r", per_class=2).parent
    train, valid, _ = build_datasets(DataSettings(data="retinamnist", data_root=str(root), image_size=28))
    assert not train.preprocess.crop_border and valid.split == "valid"


def test_on_ai_studio_runs_go_to_the_persistent_work_folder(pm_root, tmp_path, monkeypatch):
    home = tmp_path / "aistudio"
    (home / "work").mkdir(parents=True)
    monkeypatch.setenv("PADDLE_MODELS_AISTUDIO_HOME", str(home))
    monkeypatch.chdir(tmp_path)  # the project is outside work/: its runs/ would be lost at a restart
    result = run_experiment({**TINY, "data_root": str(pm_root), "run_name": "kept"})
    assert result.checkpoint == home / "work" / "runs" / "kept" / "best.pdparams" and result.checkpoint.exists()
