"""RMSprop and L1 regularisation in the engine (the PCam study's experiments)."""
import numpy as np
import paddle

from paddle_models.engine import TrainConfig
from paddle_models.engine.optim import build_optimizer, l1_penalty


def one_sgd_step(config, start):
    """One SGD step of a 1x3 weight matrix whose only loss is the L1 penalty (or nothing, with L2)."""
    layer = paddle.nn.Linear(1, 3, bias_attr=False)
    layer.weight.set_value(np.array([start], "float32"))
    optimizer = build_optimizer(config, layer.parameters(), config.lr)
    loss = (layer.weight * 0.0).sum()
    if config.l1_decay:
        loss = loss + l1_penalty(layer, config.l1_decay)
    loss.backward()
    optimizer.step()
    return layer.weight.numpy()[0]


def test_rmsprop_is_an_optimizer_choice():
    config = TrainConfig(optimizer="rmsprop", lr=1e-3)
    layer = paddle.nn.Linear(2, 2)
    assert isinstance(build_optimizer(config, layer.parameters(), config.lr), paddle.optimizer.RMSProp)


def test_l1_moves_every_weight_by_the_same_step_l2_in_proportion():
    after = one_sgd_step(TrainConfig(optimizer="sgd", lr=1.0, l1_decay=0.1), [0.5, -0.5, 2.0])
    np.testing.assert_allclose(after, [0.4, -0.4, 1.9], atol=1e-6)  # w - lr * lambda * sign(w)
    after = one_sgd_step(TrainConfig(optimizer="sgd", lr=1.0, weight_decay=0.1), [0.5, -0.5, 2.0])
    np.testing.assert_allclose(after, [0.45, -0.45, 1.8], atol=1e-6)  # L2: w - lr * lambda * w


def test_l1_penalty_leaves_biases_and_norms_alone():
    layer = paddle.nn.Sequential(paddle.nn.Linear(2, 2), paddle.nn.BatchNorm1D(2))
    weights = float(np.abs(layer[0].weight.numpy()).sum())
    assert float(l1_penalty(layer, 0.5)) == np.float32(0.5 * weights)
