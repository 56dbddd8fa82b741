"""The model registry: each factory registers itself once (``@register_model``) with its card, and
``list_models``, ``build``, ``card``, ``check_input_size`` and ``MODELS`` are read from it."""
import paddle
import pytest

import paddle_models
from paddle_models import models
from paddle_models.errors import UserError
from paddle_models.models import registry


@pytest.fixture
def scratch_registry():
    """Models a test registers are gone after it."""
    saved = [(table, dict(table)) for table in (registry._FACTORIES, registry._CARDS)]
    yield
    for table, entries in saved:
        table.clear()
        table.update(entries)


def first_convolution(model):
    return next(layer for layer in model.sublayers() if isinstance(layer, paddle.nn.Conv2D))


@pytest.mark.parametrize("name", models.list_models())
def test_every_model_is_built_as_its_card_says(name):
    """By name or by calling the factory: the card's design size, and a first layer for its channels."""
    card = models.card(name)
    assert card.name == name and models.MODELS[name] is getattr(paddle_models, name)
    assert 1 <= card.min_input_size <= card.input_size
    with paddle.LazyGuard():  # shapes without memory
        by_name = models.build(name, num_classes=3)
        by_factory = getattr(models, name)(num_classes=3)
    assert by_name.default_input_size == by_factory.default_input_size == card.input_size
    assert first_convolution(by_name).weight.shape[1] == card.in_channels


def test_a_factory_sized_by_its_input_gets_its_cards_input_unless_told_otherwise():
    assert models.card("lenet_mnist").sized_by_input
    with paddle.LazyGuard():
        digits = models.lenet_mnist()
        larger = models.build("lenet_mnist", input_size=32)
    assert digits.default_input_size == 28 and first_convolution(digits).weight.shape[1] == 1
    assert digits.classifier[1].weight.shape[0] == 16 * 4 * 4        # 28 -> 24 -> 12 -> 8 -> 4
    assert larger.default_input_size == 32 and larger.classifier[1].weight.shape[0] == 16 * 5 * 5


def test_a_new_model_is_one_decorated_factory(scratch_registry):
    @models.register_model(input_size=32, min_input_size=8)
    def tiny_cnn(num_classes: int = 2, **options):
        """Two plain conv layers, for 32x32 images."""
        return models.SimpleCNN(2, num_classes, **options)

    assert "tiny_cnn" in models.list_models() and models.MODELS["tiny_cnn"] is tiny_cnn
    assert tiny_cnn.__name__ == "tiny_cnn" and tiny_cnn.__doc__.startswith("Two plain")
    assert models.card("tiny_cnn") == models.ModelCard("tiny_cnn", input_size=32, min_input_size=8)
    with paddle.LazyGuard():
        model = models.build("tiny_cnn", num_classes=3, width=8)
    assert model.default_input_size == 32 and model.fc.weight.shape == [16, 3]
    models.check_input_size("tiny_cnn", 8)
    with pytest.raises(models.InputTooSmallError, match="tiny_cnn needs images of at least 8x8 pixels, got 7x7"):
        models.check_input_size("tiny_cnn", 7)


def test_a_card_is_checked_when_the_factory_registers(scratch_registry):
    def resnet18(num_classes: int = 2):
        raise AssertionError("never built")

    with pytest.raises(ValueError, match="'resnet18' is registered already"):
        models.register_model(resnet18)
    assert models.MODELS["resnet18"] is paddle_models.resnet18
    with pytest.raises(TypeError, match="input_sise"):
        models.register_model(input_sise=28)(resnet18)
    resnet18.__name__ = "resnet18_tiny"
    with pytest.raises(ValueError, match="min_input_size must be from 1 to its input_size 28, got 32"):
        models.register_model(input_size=28, min_input_size=32)(resnet18)
    assert "resnet18_tiny" not in models.list_models()


def test_an_unknown_name_is_one_user_error_wherever_it_is_asked():
    errors = []
    for ask in (models.build, models.card, lambda name: models.check_input_size(name, 224)):
        with pytest.raises(models.UnknownModelError) as error:
            ask("resnet51")
        errors.append(error.value)
    assert len({str(error) for error in errors}) == 1
    assert isinstance(errors[0], UserError) and isinstance(errors[0], ValueError)
    assert str(errors[0]) == ("unknown model 'resnet51' (did you mean 'resnet50'?); available models: "
                              + ", ".join(models.list_models()))
