"""Our ResNets and VGGs and paddle.vision's share parameter names and shapes: weights move both ways.

That is what lets ``load_pretrained`` start our models from paddle.vision's ImageNet weights.
"""
import numpy as np
import paddle
import paddle.vision.models as vision
import pytest

import paddle_models
from paddle_models.models import load_pretrained

PAIRS = [  # (ours, theirs, options for theirs)
    ("resnet50", vision.resnet50, {}),
    ("vgg16", vision.vgg16, {}),
    ("resnet18", vision.resnet18, {}),
    ("resnext50_32x4d", vision.resnext50_32x4d, {}),
    ("vgg11_bn", vision.vgg11, {"batch_norm": True}),
]


def snapshot(model):
    """A copy of the weights (and BN statistics) as numpy arrays."""
    return {name: value.numpy() for name, value in model.state_dict().items()}


def outputs(model, x):
    model.eval()
    with paddle.no_grad():
        return model(x).numpy()


@pytest.mark.parametrize("name, theirs, options", PAIRS, ids=[pair[0] for pair in PAIRS])
def test_weights_move_both_ways(name, theirs, options):
    paddle.seed(0)
    ours = paddle_models.build(name, num_classes=10)
    paddle.seed(1)
    vision_model = theirs(num_classes=10, **options)
    ours_weights, their_weights = snapshot(ours), snapshot(vision_model)
    assert {k: v.shape for k, v in ours_weights.items()} == {k: v.shape for k, v in their_weights.items()}

    x = paddle.rand([2, 3, 64, 64])
    ours_before, theirs_before = outputs(ours, x), outputs(vision_model, x)
    assert not np.allclose(ours_before, theirs_before)                        # different random weights

    vision_model.set_state_dict(ours_weights)                                 # ours -> paddle.vision
    np.testing.assert_allclose(outputs(vision_model, x), ours_before, rtol=1e-5, atol=1e-5)

    ours.set_state_dict(their_weights)                                        # paddle.vision -> ours
    np.testing.assert_allclose(outputs(ours, x), theirs_before, rtol=1e-5, atol=1e-5)


def test_load_pretrained_from_a_file_keeps_the_new_classifier(tmp_path):
    """ImageNet weights (here a random paddle.vision ResNet-18 saved to disk) into a 2-class model."""
    imagenet_like = vision.resnet18(num_classes=1000)
    path = tmp_path / "resnet18.pdparams"
    paddle.save(imagenet_like.state_dict(), str(path))

    model = paddle_models.resnet18(num_classes=2)
    skipped = load_pretrained(model, "resnet18", path)
    assert skipped == ["fc.bias", "fc.weight"]                     # 1000 classes do not fit 2
    np.testing.assert_array_equal(model.conv1.weight.numpy(), imagenet_like.conv1.weight.numpy())
    np.testing.assert_array_equal(model.layer4[1].bn2._mean.numpy(), imagenet_like.layer4[1].bn2._mean.numpy())


def test_load_pretrained_refuses_weights_of_another_model(tmp_path):
    path = tmp_path / "lenet.pdparams"
    paddle.save(paddle_models.lenet_mnist().state_dict(), str(path))
    with pytest.raises(ValueError, match="none of the weights"):
        load_pretrained(paddle_models.resnet18(num_classes=2), "resnet18", path)


def test_load_pretrained_refuses_another_architecture_whose_first_layers_happen_to_fit(tmp_path):
    """ResNet-18 into ResNet-50: the stem fits by chance, the bottlenecks do not; most would stay random."""
    path = tmp_path / "resnet18.pdparams"
    paddle.save(paddle_models.resnet18(num_classes=2).state_dict(), str(path))
    model = paddle_models.resnet50(num_classes=2)
    before = model.conv1.weight.numpy().copy()
    with pytest.raises(ValueError, match=r"does not fit resnet50: \d+ of its \d+ weights below the classifier"):
        load_pretrained(model, "resnet50", path)
    np.testing.assert_array_equal(model.conv1.weight.numpy(), before)  # nothing was copied


def test_load_pretrained_warns_about_a_few_body_weights_that_do_not_fit(tmp_path):
    state = paddle_models.resnet18(num_classes=2).state_dict()
    state["layer4.1.conv2.weight"] = paddle.zeros([4, 4, 3, 3])  # one edited layer
    path = tmp_path / "edited.pdparams"
    paddle.save(state, str(path))
    with pytest.warns(UserWarning, match="1 weights outside the classifier did not fit"):
        skipped = load_pretrained(paddle_models.resnet18(num_classes=2), "resnet18", path)
    assert skipped == ["layer4.1.conv2.weight"]


def test_compare_weights_names_every_kind_of_mismatch():
    from paddle_models.models.pretrained import compare_weights

    model = paddle_models.lenet_mnist()
    state = dict(model.state_dict())
    first = next(iter(state))
    state[first] = paddle.zeros([1])
    removed = list(state)[-1]
    del state[removed]
    state["extra.weight"] = paddle.zeros([2])
    fit = compare_weights(model, state)
    assert fit.missing == [removed] and fit.unknown == ["extra.weight"] and list(fit.misshapen) == [first]
    assert fit.left_out == sorted([removed, first]) and len(fit.fitting) == len(model.state_dict()) - 2
    assert fit.problems() == [f"{removed} missing", "extra.weight unknown to the model",
                              f"{first} of shape [1], the model's {list(model.state_dict()[first].shape)}"]
    assert compare_weights(model, model.state_dict()).problems() == []


def test_imagenet_weights_exist_only_for_paddle_vision_models():
    from paddle_models.models import PretrainedWeightsUnavailable
    from paddle_models.models.pretrained import imagenet_weights_url

    assert imagenet_weights_url("resnet50").endswith(".pdparams")
    assert imagenet_weights_url("densenet121").endswith(".pdparams") and imagenet_weights_url("inception_v3")
    with pytest.raises(PretrainedWeightsUnavailable, match="convmixer_small"):
        imagenet_weights_url("convmixer_small")


@pytest.mark.parametrize("name, theirs", [("densenet121", vision.densenet121), ("inception_v3", vision.inception_v3)])
def test_wrapped_models_take_paddle_vision_weights_except_the_classifier(name, theirs, tmp_path):
    """DenseNet-121 and Inception-v3 are paddle.vision's classes: every ImageNet weight but the head fits."""
    path = tmp_path / f"{name}.pdparams"
    paddle.save(theirs(num_classes=1000).state_dict(), str(path))
    model = paddle_models.build(name, num_classes=2)
    head = "out" if name == "densenet121" else "fc"
    assert load_pretrained(model, name, path) == [f"{head}.bias", f"{head}.weight"]
