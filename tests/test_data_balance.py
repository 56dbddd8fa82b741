"""Class weights, the class-balanced sampler and ordinal targets."""
import numpy as np
import paddle
import pytest

from paddle_models.data import (DDR, balanced_batch_sampler, balanced_sampler, class_weights,
                                ordinal_decode, ordinal_encode, ordinal_to_class_probs, sample_weights)
from tests.data_fixtures import ddr_root  # noqa: F401,F811 (fixtures)


def test_class_weights_balanced_and_partial():
    labels = np.array([0] * 6 + [1] * 3 + [2] * 1)
    balanced = class_weights(labels, 3)
    assert np.allclose(balanced, [10 / 18, 10 / 9, 10 / 3])  # N / (C * count), like sklearn
    assert np.isclose((balanced[labels]).mean(), 1.0)
    assert np.allclose(class_weights(labels, 3, power=0), 1.0)
    root = class_weights(labels, 3, power=0.5)
    assert balanced[2] > root[2] > 1 and np.isclose(root[labels].mean(), 1.0)
    assert class_weights([0, 0, 2, -1], 4).tolist()[1] == 0 and class_weights([0, 0, 2], 4)[3] == 0


def test_class_weights_match_scikit_learn():
    from sklearn.utils.class_weight import compute_class_weight

    labels = np.random.default_rng(0).integers(0, 5, 200)
    expected = compute_class_weight("balanced", classes=np.arange(5), y=labels)
    assert np.allclose(class_weights(labels, 5), expected)


def test_balanced_sampler_draws_classes_equally_often():
    labels = np.array([0] * 900 + [1] * 90 + [2] * 10)
    np.random.seed(0)
    sampler = balanced_sampler(labels, 3, num_samples=6000)
    drawn = labels[np.fromiter(iter(sampler), dtype=np.int64)]
    shares = np.bincount(drawn, minlength=3) / len(drawn)
    assert len(sampler) == 6000 and np.allclose(shares, 1 / 3, atol=0.04)
    with pytest.raises(ValueError, match="unlabeled"):
        sample_weights([0, -1], 2)


def test_balanced_batch_sampler_feeds_a_dataloader(ddr_root):
    data = DDR(ddr_root, "train", image_size=24)  # counts [6, 3, 3, 2, 2]
    np.random.seed(1)
    batches = balanced_batch_sampler(data.labels, data.num_classes, batch_size=5, num_samples=500)
    loader = paddle.io.DataLoader(data, batch_sampler=batches, num_workers=0)
    images, labels = next(iter(loader))
    assert images.shape == [5, 3, 24, 24]
    indices = np.concatenate(list(iter(batches)))
    shares = np.bincount(data.labels[indices], minlength=5) / len(indices)
    assert shares.min() > 0.12 and shares.max() < 0.28  # about 0.2 each instead of 6/16 = 0.375


def test_ordinal_encode_example_and_round_trip():
    assert ordinal_encode([2], 5).tolist() == [[1, 1, 1, 0, 0]]
    grades = np.arange(5)
    targets = ordinal_encode(grades, 5)
    assert targets.dtype == np.float32 and targets.shape == (5, 5)
    assert targets.tolist()[0] == [1, 0, 0, 0, 0] and targets.tolist()[4] == [1, 1, 1, 1, 1]
    assert np.array_equal(ordinal_decode(targets), grades)
    noisy = np.clip(targets * 0.8 + 0.1, 0, 1)  # 0.9 / 0.1 instead of 1 / 0
    assert np.array_equal(ordinal_decode(noisy), grades)
    with pytest.raises(ValueError, match="0..4"):
        ordinal_encode([5], 5)


def test_ordinal_decode_stops_at_the_first_failed_threshold():
    assert ordinal_decode([[1.0, 0.9, 0.2, 0.8, 0.1]]).tolist() == [1]


def test_ordinal_to_class_probs():
    probs = ordinal_to_class_probs(np.array([[1.0, 0.9, 0.6, 0.2, 0.1], [0.3, 0.2, 0.5, 0.1, 0.0]]))
    assert np.allclose(probs.sum(axis=1), 1.0) and (probs >= 0).all()
    assert np.allclose(probs[0], [0.1, 0.3, 0.4, 0.1, 0.1])
    assert probs[1].argmax() == 0  # non-monotone input is made monotone first
    assert np.array_equal(ordinal_to_class_probs(ordinal_encode(np.arange(5), 5)).argmax(axis=1), np.arange(5))
