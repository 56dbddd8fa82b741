"""The engine end to end on tiny synthetic data: checkpoints, resume, determinism, logs, guards."""
import numpy as np
import paddle
import pytest
from visualdl import LogReader

import paddle_models
from paddle_models.data import DDR, ICHallengePM
from paddle_models.engine import (NonFiniteLossError, TrainConfig, Trainer, evaluate, load_checkpoint, load_model,
                                  set_seed)

SIZE = 32


@pytest.fixture(scope="module")
def pm_sets(pm_root):
    return (ICHallengePM(pm_root, "train", image_size=SIZE, augment=True),
            ICHallengePM(pm_root, "valid", image_size=SIZE))


def lenet():
    set_seed(0)
    return paddle_models.lenet(num_classes=2, input_size=SIZE, activation="relu")


META = {"model_name": "lenet", "model_options": {"input_size": SIZE, "activation": "relu"}, "num_classes": 2}


def train(sets, tmp_path, name, model=None, **settings):
    settings = {"epochs": 2, "batch_size": 4, "optimizer": "adam", "lr": 1e-3, "progress": False,
                "log_dir": str(tmp_path), "run_name": name, **settings}
    trainer = Trainer(model or lenet(), *sets, TrainConfig(**settings), meta=dict(META))
    return trainer, trainer.fit()


def weights(model):
    return {name: value.numpy().copy() for name, value in model.state_dict().items()}


def test_fit_writes_history_checkpoints_and_a_readable_visualdl_log(pm_sets, tmp_path):
    trainer, history = train(pm_sets, tmp_path, "run")
    assert all(len(history[key]) == 2 for key in ("train/loss", "val/loss", "val/acc", "val/auc", "lr"))
    assert trainer.best_checkpoint.exists() and (trainer.output_dir / "last.pdckpt").exists()
    model, meta = load_model(trainer.best_checkpoint)
    assert meta["task"] == "multiclass" and meta["class_names"] == pm_sets[0].class_names
    point = meta["operating_point"]  # recorded at the end (referral.screening_record)
    assert meta["temperature"] > 0 and point["target"] == "sensitivity" and point["sensitivity"] >= 0.9
    best_epoch = load_checkpoint(trainer.best_checkpoint)["epoch"]
    assert evaluate(model, pm_sets[1], task="multiclass").metrics["acc"] == history["val/acc"][best_epoch]

    records = sorted(trainer.log_dir.glob("vdlrecords.*.log"))
    assert len(records) == 1, "one LogWriter per run"
    reader = LogReader(file_path=str(records[0]))
    tags = reader.get_tags()
    assert {"train/loss", "val/loss", "val/acc", "val/auc", "lr", "step/train_loss"} <= set(tags["scalar"])
    assert [r.id for r in reader.get_data("scalar", "val/acc")] == [1, 2]
    assert {"train/inputs/0", "val/confusion_matrix"} <= set(tags["image"])
    assert tags["pr_curve"] and tags["roc_curve"]


def test_save_last_off_keeps_only_the_best_weights(pm_sets, tmp_path):
    trainer, _ = train(pm_sets, tmp_path, "best_only", epochs=1, save_last=False)
    assert trainer.best_checkpoint.exists() and not (trainer.output_dir / "last.pdckpt").exists()


def test_same_seed_gives_the_same_metrics(pm_sets, tmp_path):
    _, first = train(pm_sets, tmp_path, "a")
    _, second = train(pm_sets, tmp_path, "b")
    assert first == second


def test_a_loss_of_ones_own_trains_and_scores_the_run(pm_sets, tmp_path):
    calls = []

    def one_hot_bce(logits, labels):                       # lesson 14's multi-label loss
        calls.append(logits.shape[0])
        targets = paddle.nn.functional.one_hot(labels.reshape([-1]), num_classes=logits.shape[1])
        return paddle.nn.functional.binary_cross_entropy_with_logits(logits, targets)

    settings = {"epochs": 1, "batch_size": 4, "optimizer": "adam", "progress": False, "log_dir": str(tmp_path),
                "run_name": "own_loss"}
    trainer = Trainer(lenet(), *pm_sets, TrainConfig(**settings), meta=dict(META), loss=one_hot_bce)
    history = trainer.fit()
    assert sum(calls) >= len(pm_sets[0]) + len(pm_sets[1])  # every training and validation image
    model = trainer.model
    logits = paddle.to_tensor(np.stack([pm_sets[1][i][0] for i in range(len(pm_sets[1]))]))
    labels = paddle.to_tensor(pm_sets[1].labels)
    model.eval()
    assert history["val/loss"][0] == pytest.approx(float(one_hot_bce(model(logits), labels)), rel=1e-4)


def test_resume_reproduces_the_uninterrupted_run(pm_sets, tmp_path):
    straight, history = train(pm_sets, tmp_path, "straight", epochs=3)
    train(pm_sets, tmp_path, "interrupted", epochs=1)  # "killed" after its first epoch
    resumed, resumed_history = train(pm_sets, tmp_path, "interrupted", epochs=3, resume=True,
                                     model=paddle_models.lenet(num_classes=2, input_size=SIZE, activation="relu"))
    assert resumed_history == history
    for name, value in weights(straight.model).items():
        np.testing.assert_array_equal(value, weights(resumed.model)[name])


def test_googlenet_aux_outputs_do_not_break_training_or_evaluation(pm_root, tmp_path):
    sets = (ICHallengePM(pm_root, "train", image_size=64), ICHallengePM(pm_root, "valid", image_size=64))
    set_seed(0)
    model = paddle_models.googlenet(num_classes=2)
    trainer, history = train(sets, tmp_path, "googlenet", model=model, epochs=1)
    assert np.isfinite(history["train/loss"][0]) and 0 <= history["val/acc"][0] <= 1
    assert trainer.final_evaluation.probs.shape == (len(sets[1]), 2)


def test_ddr_ordinal_loss_with_balanced_batches(ddr_root, tmp_path):
    sets = (DDR(ddr_root, "train", image_size=SIZE), DDR(ddr_root, "valid", image_size=SIZE))
    set_seed(0)
    model = paddle_models.lenet(num_classes=5, input_size=SIZE, activation="relu")
    trainer, history = train(sets, tmp_path, "ddr", model=model, epochs=1, loss="ordinal",
                             sampler="balanced", monitor="val/kappa")
    assert trainer.meta["task"] == "ordinal"
    assert np.allclose(trainer.final_evaluation.probs.sum(axis=1), 1, atol=1e-5)
    assert "val/kappa" in history


class Exploding(paddle.nn.Layer):
    def __init__(self):
        super().__init__()
        self.fc = paddle.nn.Linear(3 * SIZE * SIZE, 2)

    def forward(self, x):
        return self.fc(paddle.flatten(x, 1)) * float("nan")


def test_nan_loss_stops_training_with_advice(pm_sets, tmp_path):
    with pytest.raises(NonFiniteLossError, match=r"epoch 1, step 1.*lower learning rate"):
        train(pm_sets, tmp_path, "nan", model=Exploding())
