"""RMSprop and L1 regularisation in the engine's optimiser factory (the PCam study's experiments)."""
import numpy as np
import paddle
import pytest

from paddle_models.engine import TrainConfig
from paddle_models.engine.optim import build_optimizer


def one_sgd_step(config, start):
    weight = paddle.create_parameter([len(start)], "float32",
                                     default_initializer=paddle.nn.initializer.Assign(np.array(start, "float32")))
    optimizer = build_optimizer(config, [weight], config.lr)
    (weight * 0.0).sum().backward()  # a zero gradient: only the regulariser moves the weights
    optimizer.step()
    return weight.numpy()


def test_rmsprop_is_an_optimizer_choice():
    config = TrainConfig(optimizer="rmsprop", lr=1e-3)
    layer = paddle.nn.Linear(2, 2)
    assert isinstance(build_optimizer(config, layer.parameters(), config.lr), paddle.optimizer.RMSProp)


def test_l1_decay_moves_every_weight_by_the_same_step_towards_zero():
    after = one_sgd_step(TrainConfig(optimizer="sgd", lr=1.0, l1_decay=0.1), [0.5, -0.5, 2.0])
    np.testing.assert_allclose(after, [0.4, -0.4, 1.9], atol=1e-6)  # w - lr * lambda * sign(w)
    after = one_sgd_step(TrainConfig(optimizer="sgd", lr=1.0, weight_decay=0.1), [0.5, -0.5, 2.0])
    np.testing.assert_allclose(after, [0.45, -0.45, 1.8], atol=1e-6)  # L2: w - lr * lambda * w


def test_l1_with_weight_decay_is_refused():
    config = TrainConfig(optimizer="sgd", l1_decay=0.1, weight_decay=0.1)
    with pytest.raises(ValueError, match="choose one"):
        build_optimizer(config, paddle.nn.Linear(2, 2).parameters(), config.lr)
