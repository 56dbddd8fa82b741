"""Engine parts on their own: losses by task, aux weighting, schedules, atomic checkpoints."""
import numpy as np
import paddle
import paddle.nn.functional as F
import pytest

from paddle_models.engine import TaskLoss, TrainConfig, build_scheduler, save_checkpoint, to_probabilities
from paddle_models.engine.loader import EpochShuffleSampler


def tensor(values, dtype="float32"):
    return paddle.to_tensor(np.asarray(values, dtype=dtype))


LOGITS = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3], [-1.0, 3.0, 0.0]])
LABELS = np.array([0, 2, 1])


def hand_cross_entropy(logits, labels, targets=None):
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    targets = np.eye(logits.shape[1])[labels] if targets is None else targets
    return float(-(targets * log_probs).sum(axis=1).mean())


def test_cross_entropy_and_label_smoothing_match_the_formula():
    plain = TaskLoss("ce", 3)(tensor(LOGITS), tensor(LABELS, "int64")).item()
    assert plain == pytest.approx(hand_cross_entropy(LOGITS, LABELS), abs=1e-5)
    eps = 0.1
    smoothed = TaskLoss("ce", 3, label_smoothing=eps)(tensor(LOGITS), tensor(LABELS, "int64")).item()
    soft_targets = (1 - eps) * np.eye(3)[LABELS] + eps / 3
    assert smoothed == pytest.approx(hand_cross_entropy(LOGITS, LABELS, soft_targets), abs=1e-5)


def test_weighted_cross_entropy_is_the_weighted_mean():
    weights = np.array([1.0, 2.0, 4.0])
    loss = TaskLoss("weighted_ce", 3, class_weights=weights)(tensor(LOGITS), tensor(LABELS, "int64")).item()
    log_probs = LOGITS - np.log(np.exp(LOGITS).sum(axis=1, keepdims=True))
    per_sample = -log_probs[np.arange(3), LABELS] * weights[LABELS]
    assert loss == pytest.approx(per_sample.sum() / weights[LABELS].sum(), abs=1e-5)


def test_binary_and_ordinal_losses():
    logit = np.array([[0.3], [-1.2]])
    bce = TaskLoss("bce", 1)(tensor(logit), tensor([1, 0], "int64")).item()
    p = 1 / (1 + np.exp(-logit[:, 0]))
    assert bce == pytest.approx(-np.mean([np.log(p[0]), np.log(1 - p[1])]), abs=1e-5)
    ordinal_logits = np.array([[5.0, 1.0, -1.0, -2.0, -3.0]])
    ordinal = TaskLoss("ordinal", 5)(tensor(ordinal_logits), tensor([2], "int64")).item()
    targets = np.array([1.0, 1.0, 0.0, 0.0])  # grade 2: >=1 yes, >=2 yes, >=3 no, >=4 no
    q = 1 / (1 + np.exp(-ordinal_logits[0, 1:]))
    assert ordinal == pytest.approx(-np.mean(targets * np.log(q) + (1 - targets) * np.log(1 - q)), abs=1e-5)


def test_auxiliary_heads_are_weighted_0_3():
    main, aux1, aux2 = (tensor(LOGITS * s) for s in (1.0, 0.5, -0.7))
    labels = tensor(LABELS, "int64")
    combined = TaskLoss("ce", 3)((main, aux1, aux2), labels).item()
    expected = (F.cross_entropy(main, labels) + 0.3 * (F.cross_entropy(aux1, labels) + F.cross_entropy(aux2, labels)))
    assert combined == pytest.approx(expected.item(), abs=1e-6)


def test_probabilities_by_task():
    assert np.allclose(to_probabilities(LOGITS, "multiclass").sum(axis=1), 1)
    binary = to_probabilities(np.array([[0.0], [2.0]]), "binary_logit")
    assert np.allclose(binary[:, 1], [0.5, 1 / (1 + np.exp(-2))]) and np.allclose(binary.sum(axis=1), 1)
    ordinal = to_probabilities(np.array([[9.0, 9.0, 9.0, -9.0, -9.0]]), "ordinal")
    assert ordinal.argmax() == 2 and np.isclose(ordinal.sum(), 1)


def test_warmup_then_cosine_schedule():
    config = TrainConfig(epochs=4, lr=0.1, schedule="cosine", warmup_epochs=1)
    schedule = build_scheduler(config, steps_per_epoch=10)
    rates = []
    for _ in range(40):
        rates.append(schedule())
        schedule.step()
    assert rates[0] == pytest.approx(0.01) and rates[10] == pytest.approx(0.1)
    assert all(a <= b + 1e-12 for a, b in zip(rates[:10], rates[1:11]))  # warm-up rises
    assert rates[39] < 0.01  # cosine decays towards 0


def test_step_schedule_divides_by_ten():
    schedule = build_scheduler(TrainConfig(epochs=6, lr=1.0, schedule="step", step_epochs=2), steps_per_epoch=5)
    rates = []
    for _ in range(30):
        rates.append(schedule())
        schedule.step()
    assert rates[0] == 1.0 and rates[10] == pytest.approx(0.1) and rates[20] == pytest.approx(0.01)


def test_shuffling_depends_only_on_seed_and_epoch():
    a, b = EpochShuffleSampler(20, seed=3), EpochShuffleSampler(20, seed=3)
    a.set_epoch(2), b.set_epoch(2)
    assert list(a) == list(b)
    b.set_epoch(3)
    assert list(a) != list(b) and sorted(b) == list(range(20))


def test_interrupted_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "last.pdckpt"
    save_checkpoint({"epoch": 1, "w": paddle.ones([3])}, path)
    real_save = paddle.save

    def dies_halfway(obj, target, *args, **kwargs):
        with open(target, "wb") as handle:
            handle.write(b"half a checkpoint")
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(paddle, "save", dies_halfway)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint({"epoch": 2, "w": paddle.zeros([3])}, path)
    monkeypatch.setattr(paddle, "save", real_save)
    assert paddle.load(str(path))["epoch"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["last.pdckpt"]  # no temporary file left behind


def test_invalid_settings_are_rejected_clearly():
    with pytest.raises(ValueError, match="optimizer"):
        TrainConfig(optimizer="lbfgs")
