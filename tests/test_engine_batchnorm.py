"""Precise batch-norm statistics: the running mean and variance recomputed for the current weights."""
import numpy as np
import paddle
import pytest

import paddle_models
from paddle_models.data import ICHallengePM
from paddle_models.engine import TrainConfig, Trainer, load_checkpoint, recompute_batch_norm_stats, set_seed
from paddle_models.engine.batchnorm import batch_norm_layers


class Images(paddle.io.Dataset):
    """Fixed random 'images' with a label each: the statistics can be computed by hand."""

    def __init__(self, count=10, channels=3, size=6, seed=0):
        self.images = np.random.RandomState(seed).normal(2.0, 3.0, (count, channels, size, size)).astype("float32")

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return self.images[index], np.int64(0)


def conv_bn_dropout():
    set_seed(0)
    return paddle.nn.Sequential(paddle.nn.Conv2D(3, 4, 3), paddle.nn.BatchNorm2D(4), paddle.nn.Dropout(0.5),
                                paddle.nn.BatchNorm(4))


def conv_outputs(model, images):
    with paddle.no_grad():
        return model[0](paddle.to_tensor(images)).numpy()


def test_one_batch_gives_the_statistics_of_the_whole_set():
    model, data = conv_bn_dropout(), Images(count=8)
    model.eval()
    weights = {name: value.numpy().copy() for name, value in model.named_parameters() if not value.stop_gradient}
    assert recompute_batch_norm_stats(model, data, batch_size=8) == 8
    features = conv_outputs(model, data.images)                            # [8, 4, 4, 4]
    np.testing.assert_allclose(model[1]._mean.numpy(), features.mean(axis=(0, 2, 3)), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(model[1]._variance.numpy(), features.var(axis=(0, 2, 3)), rtol=1e-4)
    # nothing is learned, and the model is left as it was found (evaluation mode, momentum 0.9)
    assert all(np.array_equal(value.numpy(), weights[name]) for name, value in model.named_parameters()
               if name in weights)          # (Paddle keeps the running mean and variance as frozen parameters)
    assert not model.training and all(layer._momentum == pytest.approx(0.9) for layer in batch_norm_layers(model))


def test_batches_count_by_their_size_and_max_images_is_honoured():
    model, data = conv_bn_dropout(), Images(count=10)
    assert recompute_batch_norm_stats(model, data, batch_size=4, max_images=7) == 7   # batches of 4 and 3
    drawn = np.random.RandomState(0).permutation(10)[:7]                               # the shuffled order
    features = conv_outputs(model, data.images[drawn])
    first, second = features[:4], features[4:7]
    expected_mean = (4 * first.mean(axis=(0, 2, 3)) + 3 * second.mean(axis=(0, 2, 3))) / 7
    expected_variance = (4 * first.var(axis=(0, 2, 3)) + 3 * second.var(axis=(0, 2, 3))) / 7
    np.testing.assert_allclose(model[1]._mean.numpy(), expected_mean, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(model[1]._variance.numpy(), expected_variance, rtol=1e-4)


def test_dropout_is_off_while_recomputing_and_training_mode_comes_back():
    model, data = conv_bn_dropout(), Images(count=6)
    model.train()
    recompute_batch_norm_stats(model, data, batch_size=6)
    first = model[3]._variance.numpy().copy()        # the legacy paddle.nn.BatchNorm, after the dropout
    recompute_batch_norm_stats(model, data, batch_size=6)
    np.testing.assert_array_equal(model[3]._variance.numpy(), first)   # no random dropout mask in between
    assert model.training and model[2].training


def test_batches_are_drawn_across_a_class_sorted_set():
    """Sorted by class, in-order batches of one class each would lose the between-class variance."""
    model, data = conv_bn_dropout(), Images(count=8)
    data.images[:4] += 10.0                                   # 'class A' first, then 'class B'
    model.eval()
    recompute_batch_norm_stats(model, data, batch_size=4)
    mixed = conv_outputs(model, data.images).var(axis=(0, 2, 3))
    in_order = (conv_outputs(model, data.images[:4]).var(axis=(0, 2, 3))
                + conv_outputs(model, data.images[4:]).var(axis=(0, 2, 3))) / 2
    assert np.all(model[1]._variance.numpy() > in_order + 0.5 * (mixed - in_order))


class TrainingOnlyBranch(paddle.nn.Layer):
    """Like GoogLeNet's auxiliary heads: a branch with batch norm that runs in training mode only."""

    def __init__(self):
        super().__init__()
        self.main, self.branch = paddle.nn.BatchNorm2D(3), paddle.nn.BatchNorm2D(3)

    def forward(self, x):
        return (self.main(x), self.branch(x)) if self.training else self.main(x)


def test_a_layer_no_batch_reaches_keeps_its_statistics():
    model = TrainingOnlyBranch()
    model.branch._mean.set_value(paddle.full([3], 0.25))
    recompute_batch_norm_stats(model, Images(count=4), batch_size=4)
    np.testing.assert_allclose(model.branch._mean.numpy(), 0.25)            # not set to 0 / 0
    np.testing.assert_allclose(model.main._mean.numpy(), Images(count=4).images.mean(axis=(0, 2, 3)), rtol=1e-5)


def test_paddle_vision_densenet_batch_norm_is_found():
    model = paddle_models.build("densenet121", num_classes=2)             # the older paddle.nn.BatchNorm inside
    assert len(batch_norm_layers(model)) == 121       # one with each of its 120 convolutions, one at the end


def test_a_model_without_batch_norm_is_left_alone():
    model = paddle.nn.Sequential(paddle.nn.Conv2D(3, 4, 3))
    assert recompute_batch_norm_stats(model, Images(), batch_size=4) == 0


def test_evaluation_mode_then_agrees_with_training_mode_on_the_same_batch():
    """The point of it: after a few large steps the running averages lag; recomputed, they do not."""
    model, data = conv_bn_dropout(), Images(count=8)
    model.train()
    optimizer = paddle.optimizer.SGD(learning_rate=0.5, parameters=model.parameters())
    batch = paddle.to_tensor(data.images)
    for _ in range(3):                                # the weights move; the running stats trail behind
        model[1](model[0](batch)).square().mean().backward()
        optimizer.step()
        optimizer.clear_grad()
    with paddle.no_grad():
        training_mode = model[1](model[0](batch)).numpy()
        model.eval()
        lagging = model[1](model[0](batch)).numpy()
        recompute_batch_norm_stats(model, data, batch_size=8)
        recomputed = model[1](model[0](batch)).numpy()
    assert np.abs(lagging - training_mode).max() > 0.1
    np.testing.assert_allclose(recomputed, training_mode, atol=1e-4)


def test_the_trainer_recomputes_before_validating(pm_root, tmp_path):
    sets = (ICHallengePM(pm_root, "train", image_size=32), ICHallengePM(pm_root, "valid", image_size=32))
    set_seed(0)
    model = paddle_models.build("simple_cnn", num_classes=2)
    config = TrainConfig(epochs=1, batch_size=4, optimizer="adam", lr=1e-3, precise_bn=12, progress=False,
                         log_dir=str(tmp_path), run_name="precise")
    trainer = Trainer(model, *sets, config)
    trainer.fit()
    saved = load_checkpoint(trainer.best_checkpoint)["model"]
    layer_name = next(name for name, layer in model.named_sublayers() if layer in batch_norm_layers(model))
    recompute_batch_norm_stats(trainer.model, sets[0], batch_size=4, max_images=12)  # the same weights again
    np.testing.assert_allclose(saved[f"{layer_name}._mean"], trainer.model.state_dict()[f"{layer_name}._mean"].numpy(),
                               rtol=1e-5, atol=1e-6)
    assert TrainConfig(precise_bn=0).precise_bn == 0
    with pytest.raises(ValueError, match="precise_bn"):
        TrainConfig(precise_bn=-1)
