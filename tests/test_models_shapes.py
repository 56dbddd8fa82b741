"""Every model: the output shape after each stage, the logits shape, and gradients for every weight."""
import numpy as np
import paddle
import pytest

import paddle_models
from paddle_models.models import stage_shapes

# Expected output shape (without the batch axis) after each stage, at 224x224 and at 64x64.
STAGES_224 = {
    "lenet": [[6, 110, 110], [16, 53, 53], [2]],
    "alexnet": [[96, 27, 27], [256, 13, 13], [384, 13, 13], [384, 13, 13], [256, 6, 6], [256, 6, 6], [2]],
    "vgg11": [[64, 112, 112], [128, 56, 56], [256, 28, 28], [512, 14, 14], [512, 7, 7], [512, 7, 7],
              [25088], [2]],
    "googlenet": [[192, 28, 28], [480, 14, 14], [512, 14, 14], [528, 14, 14], [832, 7, 7], [1024, 7, 7], [2]],
    "resnet18": [[64, 56, 56], [64, 56, 56], [128, 28, 28], [256, 14, 14], [512, 7, 7], [512, 1, 1], [512], [2]],
    "resnet50": [[64, 56, 56], [256, 56, 56], [512, 28, 28], [1024, 14, 14], [2048, 7, 7], [2048, 1, 1],
                 [2048], [2]],
    "convmixer_small": [[256, 28, 28], [256, 28, 28], [256, 1, 1], [256], [2]],
}
STAGES_64 = {
    "lenet": [[6, 30, 30], [16, 13, 13], [2]],
    "alexnet": [[96, 7, 7], [256, 3, 3], [384, 3, 3], [384, 3, 3], [256, 1, 1], [256, 6, 6], [2]],
    "vgg11": [[64, 32, 32], [128, 16, 16], [256, 8, 8], [512, 4, 4], [512, 2, 2], [512, 7, 7], [25088], [2]],
    "googlenet": [[192, 8, 8], [480, 4, 4], [512, 4, 4], [528, 4, 4], [832, 2, 2], [1024, 2, 2], [2]],
    "resnet18": [[64, 16, 16], [64, 16, 16], [128, 8, 8], [256, 4, 4], [512, 2, 2], [512, 1, 1], [512], [2]],
    "resnet50": [[64, 16, 16], [256, 16, 16], [512, 8, 8], [1024, 4, 4], [2048, 2, 2], [2048, 1, 1], [2048], [2]],
    "convmixer_small": [[256, 8, 8], [256, 8, 8], [256, 1, 1], [256], [2]],
}
# The families' other members, checked on the logits only (same stage code as above).
OTHERS = ["lenet_mnist", "vgg13", "vgg16", "vgg11_bn", "vgg16_bn", "resnet34", "resnet101",
          "resnext50_32x4d", "convmixer_768_32"]


def shapes_after_stages(name, size):
    paddle.seed(0)
    model = paddle_models.build(name, num_classes=2, **({"input_size": size} if name == "lenet" else {}))
    model.eval()
    with paddle.no_grad():
        return [shape[1:] for _, shape in stage_shapes(model, paddle.rand([1, 3, size, size]))]


@pytest.mark.parametrize("name", sorted(STAGES_224))
def test_stage_shapes_at_224(name):
    assert shapes_after_stages(name, 224) == STAGES_224[name]


@pytest.mark.parametrize("name", sorted(STAGES_64))
def test_stage_shapes_at_64(name):
    assert shapes_after_stages(name, 64) == STAGES_64[name]


def test_every_model_is_covered():
    covered = set(STAGES_224) | set(OTHERS) | {"vgg13_bn", "vgg19", "vgg19_bn", "resnet152", "convmixer_1536_20"}
    assert covered == set(paddle_models.list_models())


@pytest.mark.parametrize("name", sorted(STAGES_224) + OTHERS)
@pytest.mark.parametrize("num_classes", [1, 2, 5])
def test_logits_shape(name, num_classes):
    options = {"input_size": 64} if name == "lenet" else {}
    model = paddle_models.build(name, num_classes=num_classes, **options)
    model.eval()  # (returns None on Paddle 2.6, self on 3.x: never chain it)
    size, channels = (28, 1) if name == "lenet_mnist" else (64, 3)
    with paddle.no_grad():
        logits = model(paddle.rand([2, channels, size, size]))
    assert list(logits.shape) == [2, num_classes]


def test_models_return_logits_not_probabilities():
    paddle.seed(1)
    model = paddle_models.resnet18(num_classes=3)
    model.eval()
    with paddle.no_grad():
        logits = model(paddle.rand([4, 3, 64, 64]) * 10).numpy()
    assert not np.allclose(logits.sum(axis=1), 1.0)


@pytest.mark.parametrize("name", ["lenet", "alexnet", "vgg11_bn", "googlenet", "resnet18", "resnext50_32x4d",
                                  "convmixer_small"])
def test_backward_reaches_every_parameter(name):
    paddle.seed(0)
    options = {"input_size": 64} if name == "lenet" else {}
    model = paddle_models.build(name, num_classes=2, **options)
    model.train()
    outputs = model(paddle.rand([2, 3, 64, 64]))
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    sum(out.sum() for out in outputs).backward()
    missing = [p.name for p in model.parameters() if p.trainable and p.grad is None]
    assert not missing, f"{name}: no gradient for {missing}"


def test_unknown_model_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="resnet50"):
        paddle_models.build("resnet51")


def test_layer_table_lists_every_stage_and_the_total():
    table = paddle_models.layer_table(paddle_models.resnet18(num_classes=2), input_size=(1, 3, 64, 64))
    assert "layer4" in table and "[1, 512, 2, 2]" in table and "11,177,538 trainable parameters" in table
