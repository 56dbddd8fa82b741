"""The classifier convention: forward = forward_head(forward_features), and reset_classifier."""
import numpy as np
import paddle
import pytest

from paddle_models import models

# one model per family, at a size each handles quickly
FAMILIES = {"lenet": {"input_size": 64}, "alexnet": {}, "vgg11": {"width": 1 / 8, "hidden": 32},
            "googlenet": {}, "resnet18": {}, "resnet18_medmnist_g32": {}, "convmixer_small": {}, "simple_cnn": {},
            "densenet121": {}, "inception_v3": {}}
SIDES = {"inception_v3": 75}  # its stem needs at least 75 pixels


def test_every_model_class_follows_the_convention():
    classes = [value for value in vars(models).values()
               if isinstance(value, type) and issubclass(value, paddle.nn.Layer)]
    assert len(classes) >= 9
    for cls in classes:
        assert issubclass(cls, models.Classifier), cls.__name__
        assert "forward_features" in vars(cls) or cls is models.Classifier, cls.__name__


@pytest.mark.parametrize("name", FAMILIES)
def test_forward_is_head_of_features_and_features_are_the_grad_cam_map(name):
    paddle.seed(0)
    model = models.build(name, num_classes=3, **FAMILIES[name])
    model.eval()
    side = SIDES.get(name, 64)
    x = paddle.rand([2, 3, side, side])
    features = model.forward_features(x)
    assert len(features.shape) == 4 and features.shape[0] == 2  # [N, C, h, w]
    np.testing.assert_allclose(model.forward_head(features).numpy(), model(x).numpy(), rtol=1e-5, atol=1e-6)
    captured = {}
    handle = model.feature_layer().register_forward_post_hook(lambda layer, i, out: captured.update(out=out))
    model(x)
    handle.remove()
    np.testing.assert_allclose(captured["out"].numpy(), features.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", FAMILIES)
def test_reset_classifier_keeps_the_body_and_renews_the_head(name):
    model = models.build(name, num_classes=5, **FAMILIES[name])
    before = {key: value.numpy().copy() for key, value in model.state_dict().items()}
    model.reset_classifier(2)
    after = {key: value.numpy().copy() for key, value in model.state_dict().items()}
    model.train()
    side = SIDES.get(name, 64)
    outputs = model(paddle.rand([1, 3, side, side]))
    for output in (outputs if isinstance(outputs, tuple) else [outputs]):
        assert list(output.shape) == [1, 2]  # GoogLeNet's auxiliary heads too
    changed = sorted(key for key in before if before[key].shape != after[key].shape
                     or not np.array_equal(before[key], after[key]))
    heads = {path + suffix for path in model.head_layers for suffix in (".weight", ".bias")}
    assert set(changed) == heads and set(after) == set(before)  # same names: checkpoints still load


@pytest.mark.parametrize("name", models.list_models())
def test_head_layers_are_exactly_the_layers_giving_the_logits(name):
    """``head_layers`` (declared on the class) names every Linear layer with ``num_classes`` outputs and no other."""
    num_classes = 7  # no hidden layer of any model is 7 wide
    with paddle.LazyGuard():
        model = models.build(name, num_classes=num_classes)
    to_classes = {path for path, layer in model.named_sublayers()
                  if isinstance(layer, paddle.nn.Linear) and layer.weight.shape[1] == num_classes}
    assert to_classes == set(model.head_layers)
