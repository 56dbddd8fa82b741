"""The registry (build, list_models), layer tables, stage shapes, and the docstring examples."""
import doctest
import importlib

import paddle
import pytest

import paddle_models
from paddle_models import models
from paddle_models.models import count_parameters, layer_table, stage_shapes

CONTRACT_NAMES = [
    "lenet", "lenet_mnist", "alexnet", "vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn",
    "vgg19_bn", "googlenet", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
    "convmixer_1536_20", "convmixer_768_32", "convmixer_small",
    "resnet18_medmnist", "resnet50_medmnist", "resnet18_medmnist_g32",
    "simple_cnn", "simple_cnn_2", "simple_cnn_6", "simple_cnn_9", "densenet121", "inception_v3",
]
DESIGN_SIZES = {"lenet_mnist": 28, "resnet18_medmnist": 28, "resnet50_medmnist": 28, "resnet18_medmnist_g32": 28,
                "inception_v3": 299}


def test_list_models_gives_every_contract_name_sorted():
    assert models.list_models() == sorted(CONTRACT_NAMES)


def test_every_name_has_a_factory_of_that_name_exported():
    for name in CONTRACT_NAMES:
        assert getattr(models, name).__name__ == name and name in models.__all__
    for api in ("build", "list_models", "layer_table", "count_parameters", "stage_shapes", "MODELS"):
        assert api in models.__all__ and hasattr(paddle_models, api)


def test_unknown_name_lists_the_available_models():
    with pytest.raises(ValueError, match="resnet51") as error:
        models.build("resnet51")
    assert all(name in str(error.value) for name in CONTRACT_NAMES)


@pytest.mark.parametrize("name", models.list_models())
def test_every_model_has_its_input_size_stages_and_feature_layer(name):
    with paddle.LazyGuard():  # shapes without memory: building all 30 models is instant
        model = models.build(name, num_classes=2)
    assert model.default_input_size == models.card(name).input_size == DESIGN_SIZES.get(name, 224)
    layer = model.feature_layer()
    assert any(layer is sub for sub in model.sublayers())
    stage_names = [stage for stage, _ in model.stages()]
    assert len(stage_names) == len(set(stage_names)) >= 3


def test_build_passes_options_to_the_factory():
    with paddle.LazyGuard():
        model = models.build("lenet", num_classes=1, input_size=32, activation="relu")
    assert model.default_input_size == 32 and isinstance(model.features[1], paddle.nn.ReLU)
    assert model.classifier[-1].weight.shape == [84, 1]


def test_layer_table_lists_every_layer_and_the_totals():
    model = paddle_models.resnet18(num_classes=2)
    table = layer_table(model, input_size=(1, 3, 64, 64))
    lines = table.splitlines()
    assert lines[0].split() == ["layer", "type", "output", "shape", "params"]
    assert lines[1].split() == ["input", "[1,", "3,", "64,", "64]"]
    assert lines[2].split()[:2] == ["conv1", "Conv2D"] and "[1, 64, 32, 32]" in lines[2] and "9,408" in lines[2]
    assert any(line.startswith("layer4.1.conv2 ") and "[1, 512, 2, 2]" in line for line in lines)
    assert lines[-2].split()[:2] == ["fc", "Linear"] and "[1, 2]" in lines[-2]
    assert lines[-1] == "11,177,538 trainable parameters (11,187,138 in all)"
    column = sum(int(line.split()[-1].replace(",", "")) for line in lines[2:-1])
    assert column == count_parameters(model)                        # reused ReLUs counted once


def test_layer_table_by_stage():
    table = layer_table(paddle_models.convmixer_small(num_classes=2), input_size=(1, 3, 64, 64), stages=True)
    lines = table.splitlines()
    assert [line.split()[0] for line in lines[2:-1]] == (
        ["patch_embedding"] + [f"layer{i}" for i in range(1, 9)] + ["pool", "flatten", "head"])
    assert all("[1, 256, 8, 8]" in line for line in lines[2:11])


def test_layer_table_handles_googlenet_in_training_mode():
    model = paddle_models.googlenet(num_classes=2)
    model.train()
    table = layer_table(model, input_size=(1, 3, 64, 64))
    assert model.training                                            # its mode is given back
    assert not any(line.startswith("aux") for line in table.splitlines())  # aux heads: training only
    aux = count_parameters(model.aux1) + count_parameters(model.aux2)
    assert table.splitlines()[-1].endswith(f"{aux:,} of them in layers this eval-mode pass did not use "
                                           "(e.g. auxiliary heads)")


def test_stage_shapes_restores_training_mode():
    model = paddle_models.resnet18(num_classes=2)
    model.train()
    shapes = stage_shapes(model, paddle.rand([1, 3, 64, 64]))
    assert model.training and shapes[-1] == ("fc", [1, 2])


@pytest.mark.parametrize("module", ["__init__", "registry", "summary", "lenet", "alexnet", "vgg", "googlenet", "resnet",
                                    "convmixer", "simple_cnn", "densenet", "inception"])
def test_docstring_examples(module):
    module = importlib.import_module("paddle_models.models" + ("" if module == "__init__" else f".{module}"))
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
