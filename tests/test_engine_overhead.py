"""The trainer does no work twice: the best epoch's final figures reuse its validation pass."""
import math

import numpy as np

import paddle_models
from paddle_models.benchmarks import engine as engine_benchmark
from paddle_models.data import ICHallengePM
from paddle_models.engine import TrainConfig, Trainer, evaluate, load_model, set_seed
from paddle_models.engine import trainer as trainer_module

SIZE = 32


def test_the_last_epoch_being_best_is_not_evaluated_again(pm_root, tmp_path, monkeypatch):
    sets = (ICHallengePM(pm_root, "train", image_size=SIZE), ICHallengePM(pm_root, "valid", image_size=SIZE))
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(trainer_module, "evaluate", counted)
    set_seed(0)
    model = paddle_models.lenet(num_classes=2, input_size=SIZE, activation="relu")
    config = TrainConfig(epochs=1, batch_size=8, optimizer="adam", lr=1e-3, progress=False,
                         log_dir=str(tmp_path), run_name="once")
    trainer = Trainer(model, *sets, config, meta={"model_name": "lenet", "num_classes": 2,
                                                  "model_options": {"input_size": SIZE, "activation": "relu"}})
    trainer.fit()
    assert trainer.best_epoch == 0 and len(calls) == 1  # one epoch, one validation pass: nothing repeated
    # what the figures were drawn from is what the saved checkpoint scores
    best, _ = load_model(trainer.best_checkpoint)
    again = evaluate(best, sets[1], batch_size=8)
    np.testing.assert_allclose(trainer.final_evaluation.probs, again.probs, atol=1e-5)


def test_the_engine_benchmark_measures_three_loops(tmp_path, capsys):
    seconds = engine_benchmark.run("lenet", image_size=32, per_class=4, batch_size=4, repeats=1, work_dir=tmp_path)
    assert set(seconds) == {"bare loop", "paddle.Model.fit", "Trainer.fit"}
    assert all(math.isfinite(value) and value > 0 for value in seconds.values())
    assert "Trainer.fit / bare loop" in capsys.readouterr().out
