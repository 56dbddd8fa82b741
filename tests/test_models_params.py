"""Parameter counts against the reference numbers, and weight interchange with paddle.vision."""
import numpy as np
import paddle
import paddle.vision.models as vision
import pytest

import paddle_models
from paddle_models.models import count_parameters

REFERENCE_COUNTS = {  # trainable parameters at 1000 classes
    "resnet50": 25_557_032,
    "vgg16": 138_357_544,
    "convmixer_1536_20": 51_625_960,
    "alexnet": 62_378_344,  # the paper's 96-256-384-384-256 AlexNet (paddle.vision's variant: 61,100,840)
    "resnet18": 11_689_512,
    "resnext50_32x4d": 25_028_904,
}


@pytest.mark.parametrize("name", sorted(REFERENCE_COUNTS))
def test_parameter_count(name):
    assert count_parameters(paddle_models.build(name, num_classes=1000)) == REFERENCE_COUNTS[name]


def test_googlenet_aux_heads_add_exactly_their_own_weights():
    with_aux = count_parameters(paddle_models.googlenet(num_classes=1000))
    without = count_parameters(paddle_models.googlenet(num_classes=1000, aux_logits=False))
    head = lambda channels: channels * 128 + 128 + 2048 * 1024 + 1024 + 1024 * 1000 + 1000
    assert with_aux - without == head(512) + head(528)


def same_outputs(source, target, size=64):
    """Load ``source``'s weights into ``target`` and compare both on the same input (eval mode)."""
    target.set_state_dict(source.state_dict())
    source.eval(), target.eval()
    x = paddle.rand([2, 3, size, size])
    with paddle.no_grad():
        return np.allclose(source(x).numpy(), target(x).numpy(), atol=1e-5)


@pytest.mark.parametrize("ours, theirs", [(paddle_models.resnet50, vision.resnet50),
                                          (paddle_models.vgg16, vision.vgg16)])
def test_weights_are_interchangeable_with_paddle_vision(ours, theirs):
    paddle.seed(0)
    a, b = ours(num_classes=10), theirs(num_classes=10)
    assert sorted(a.state_dict()) == sorted(b.state_dict())
    assert same_outputs(b, a) and same_outputs(a, theirs(num_classes=10))


def test_googlenet_arity_in_train_and_eval_mode():
    model = paddle_models.googlenet(num_classes=2)
    x = paddle.rand([1, 3, 96, 96])
    model.train()
    assert isinstance(model(x), tuple) and len(model(x)) == 3
    model.eval()
    assert list(model(x).shape) == [1, 2]
    no_aux = paddle_models.googlenet(num_classes=2, aux_logits=False)
    no_aux.train()
    assert list(no_aux(x).shape) == [1, 2]


def test_feature_layer_is_part_of_the_model():
    for name in paddle_models.list_models():
        if name in ("vgg19", "vgg19_bn", "resnet152", "convmixer_1536_20", "resnet101"):
            continue
        model = paddle_models.build(name)
        layer = model.feature_layer()
        assert any(layer is sub for sub in model.sublayers()), name
