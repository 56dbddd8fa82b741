"""The synthetic class signal is learnable: a tiny CNN beats chance clearly within seconds on CPU."""
import numpy as np
import paddle
import pytest

from paddle_models.data import DDR, ICHallengePM, make_synthetic_ddr, make_synthetic_ichallenge_pm


def as_arrays(dataset):
    images, labels = zip(*(dataset[i] for i in range(len(dataset))))
    return np.stack(images), np.array(labels)  # [N, 3, S, S], [N]


def tiny_cnn(num_classes):
    def block(cin, cout):
        return [paddle.nn.Conv2D(cin, cout, 3, padding=1), paddle.nn.BatchNorm2D(cout), paddle.nn.ReLU(),
                paddle.nn.MaxPool2D(2)]

    return paddle.nn.Sequential(*block(3, 16), *block(16, 32), *block(32, 64), *block(64, 64),
                                paddle.nn.AdaptiveAvgPool2D(1), paddle.nn.Flatten(),
                                paddle.nn.Linear(64, num_classes))


def train_and_predict(train, held_out, epochs, seed=0, batch_size=16):
    """Train a tiny CNN on ``train``; return its predicted classes and the true labels on ``held_out``."""
    paddle.seed(seed)
    rng = np.random.default_rng(seed)
    x_train, y_train = as_arrays(train)
    x_test, y_test = as_arrays(held_out)
    model = tiny_cnn(train.num_classes)
    optimizer = paddle.optimizer.Adam(learning_rate=1e-3, parameters=model.parameters())
    for _ in range(epochs):
        model.train()
        for batch in np.array_split(rng.permutation(len(x_train)), len(x_train) // batch_size):
            logits = model(paddle.to_tensor(x_train[batch]))
            loss = paddle.nn.functional.cross_entropy(logits, paddle.to_tensor(y_train[batch]))
            loss.backward()
            optimizer.step()
            optimizer.clear_grad()
    model.eval()
    with paddle.no_grad():
        predictions = model(paddle.to_tensor(x_test)).numpy().argmax(axis=1)
    return predictions, y_test


@pytest.fixture(scope="module")
def learn_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("learnable")


@pytest.mark.filterwarnings("ignore:When training, we now always track global mean")
def test_pathologic_myopia_is_learnable(learn_dir):
    train_root = make_synthetic_ichallenge_pm(learn_dir / "pm_train", per_class=40, image_size=160,
                                              splits=("train",), seed=1)
    test_root = make_synthetic_ichallenge_pm(learn_dir / "pm_test", per_class=20, image_size=160,
                                             splits=("valid",), seed=2)
    predictions, labels = train_and_predict(ICHallengePM(train_root, "train", image_size=64),
                                            ICHallengePM(test_root, "valid", image_size=64), epochs=12)
    accuracy = (predictions == labels).mean()
    assert accuracy >= 0.75, f"held-out accuracy {accuracy:.2f} (chance 0.5)"


@pytest.mark.filterwarnings("ignore:When training, we now always track global mean")
def test_dr_grades_are_learnable(learn_dir):
    root = make_synthetic_ddr(learn_dir / "ddr", per_class=20, image_size=160, splits=("train", "valid"),
                              seed=1)
    predictions, labels = train_and_predict(DDR(root, "train", image_size=64),
                                            DDR(root, "valid", image_size=64), epochs=12)
    accuracy = (predictions == labels).mean()
    assert accuracy > 0.35, f"5-grade held-out accuracy {accuracy:.2f} (chance 0.2)"
    # no DR and proliferative DR are told apart: grade 4 is predicted >= 2, grade 0 <= 1
    assert (predictions[labels == 4] >= 2).mean() >= 0.9, predictions[labels == 4]
    assert (predictions[labels == 0] <= 1).mean() >= 0.9, predictions[labels == 0]
