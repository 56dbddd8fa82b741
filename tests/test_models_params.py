"""Parameter counts against the published numbers, counted without running (or even allocating) a model.

Models are built under ``paddle.LazyGuard()``: parameters get their shapes but no memory, so even
VGG-19 costs nothing here.
"""
import paddle
import paddle.vision.models as vision
import pytest

import paddle_models
from paddle_models.models import count_parameters

# Trainable parameters at 1000 classes (the ImageNet head every paper reports).
REFERENCE_COUNTS = {
    "resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032, "resnet101": 44_549_160,
    "resnet152": 60_192_808, "resnext50_32x4d": 25_028_904,
    "vgg11": 132_863_336, "vgg13": 133_047_848, "vgg16": 138_357_544, "vgg19": 143_667_240,
    "vgg11_bn": 132_868_840, "vgg13_bn": 133_053_736, "vgg16_bn": 138_365_992, "vgg19_bn": 143_678_248,
    "convmixer_1536_20": 51_625_960, "convmixer_768_32": 21_110_248,
    # The paper's AlexNet without the two-GPU split (96-256-384-384-256); paddle.vision's 64-192-384-256-256
    # variant has 61,100,840.
    "alexnet": 62_378_344,
}


def lazy(build, **options):
    """The model with parameter shapes but no parameter memory."""
    with paddle.LazyGuard():
        return build(**options)


def count(name, num_classes=1000, **options):
    return count_parameters(lazy(paddle_models.build, name=name, num_classes=num_classes, **options))


@pytest.mark.parametrize("name", sorted(REFERENCE_COUNTS))
def test_parameter_count(name):
    assert count(name) == REFERENCE_COUNTS[name]


@pytest.mark.parametrize("name", [name for name in REFERENCE_COUNTS if name.startswith(("vgg", "res"))])
def test_same_count_as_paddle_vision(name):
    depth, batch_norm = name.split("_")[0], name.endswith("_bn")
    theirs = getattr(vision, depth if depth.startswith("vgg") else name)
    options = {"batch_norm": True} if batch_norm else {}
    assert count(name) == count_parameters(lazy(theirs, num_classes=1000, **options))


def test_alexnet_count_layer_by_layer():
    """Where AlexNet's weights are: 58.6 of its 62.4 million sit in the fully connected layers."""
    conv = lambda k, c_in, c_out: k * k * c_in * c_out + c_out
    fc = lambda n_in, n_out: n_in * n_out + n_out
    convs = conv(11, 3, 96) + conv(5, 96, 256) + conv(3, 256, 384) + conv(3, 384, 384) + conv(3, 384, 256)
    fcs = fc(256 * 6 * 6, 4096) + fc(4096, 4096) + fc(4096, 1000)
    assert count("alexnet") == convs + fcs == REFERENCE_COUNTS["alexnet"]


@pytest.mark.parametrize("name, dim, depth, kernel, patch", [
    ("convmixer_1536_20", 1536, 20, 9, 7), ("convmixer_768_32", 768, 32, 7, 7), ("convmixer_small", 256, 8, 5, 8)])
def test_convmixer_count_from_its_formula(name, dim, depth, kernel, patch):
    bn = 2 * dim                                                     # scale and shift per channel
    embedding = 3 * patch * patch * dim + dim + bn
    layer = (kernel * kernel * dim + dim + bn) + (dim * dim + dim + bn)   # depthwise + pointwise
    assert count(name) == embedding + depth * layer + dim * 1000 + 1000


def test_lenet_counts():
    """At 224x224 the first fully connected layer holds 5.4 of LeNet's 5.5 million weights."""
    first_fc = 16 * 53 * 53 * 120 + 120
    assert count("lenet") == (3 * 25 * 6 + 6) + (6 * 25 * 16 + 16) + first_fc + (120 * 84 + 84) + (84 * 1000 + 1000)
    assert count("lenet_mnist", num_classes=10) == 44_426
    assert count("lenet", input_size=64) < count("lenet") / 10       # flatten size follows input_size


def test_googlenet_aux_heads_add_exactly_their_own_weights():
    """Each auxiliary head: 1x1 conv to 128, FC 128*4*4 -> 1024, FC 1024 -> classes."""
    head = lambda channels: (channels * 128 + 128) + (128 * 4 * 4 * 1024 + 1024) + (1024 * 1000 + 1000)
    assert count("googlenet") - count("googlenet", aux_logits=False) == head(512) + head(528)
    assert count("googlenet", aux_logits=False) == 6_998_552


def test_googlenet_inception_table_matches_paddle_vision():
    """Same convolution kernels on the main path as paddle.vision's GoogLeNet (which has no conv biases
    and a different auxiliary head), i.e. the same Inception configuration table."""
    ours = lazy(paddle_models.googlenet, num_classes=1000, aux_logits=False)
    theirs = lazy(vision.googlenet, num_classes=1000)
    kernels = lambda model: [list(p.shape) for name, p in model.named_parameters()
                             if len(p.shape) == 4 and "_o" not in name]   # paddle.vision's aux: _conv_o1/2
    assert kernels(ours) == kernels(theirs)


def test_resnext_widens_only_the_grouped_convolutions():
    resnet, resnext = lazy(paddle_models.resnet50), lazy(paddle_models.resnext50_32x4d)
    assert list(resnet.layer1[0].conv2.weight.shape) == [64, 64, 3, 3]
    assert list(resnext.layer1[0].conv2.weight.shape) == [128, 4, 3, 3]      # 32 groups of 4 channels
    assert resnext.layer1[0].conv2._groups == 32


def test_frozen_weights_are_counted_only_when_asked():
    model = lazy(paddle_models.resnet18, num_classes=2)
    before = count_parameters(model)
    model.conv1.weight.trainable = False                                # transfer learning freezes layers
    assert count_parameters(model) == before - 64 * 3 * 7 * 7
    assert count_parameters(model, trainable_only=False) == 11_187_138


def test_batch_norm_statistics_count_only_in_the_total():
    """Paddle keeps BN running means and variances as non-trainable parameters: paddle.summary's
    total (25,610,152 for ResNet-50) includes them, the number papers quote (25,557,032) does not."""
    model = lazy(paddle_models.resnet50, num_classes=1000)
    statistics = sum(int(p.shape[0]) for name, p in model.named_parameters() if name.endswith(("_mean", "_variance")))
    assert count_parameters(model) == 25_557_032
    assert count_parameters(model, trainable_only=False) == 25_557_032 + statistics == 25_610_152


def test_narrow_vgg_has_the_same_plan_with_fewer_weights():
    from paddle_models.models.vgg import CONFIGS

    narrow = paddle_models.build("vgg11_bn", num_classes=2, width=1 / 8, hidden=128)
    convolutions = [layer for layer in narrow.features.sublayers() if isinstance(layer, paddle.nn.Conv2D)]
    assert [conv.weight.shape[0] for conv in convolutions] == [c // 8 for c in CONFIGS[11] if c != "M"]
    # features + FC (64*7*7 -> 128) + FC (128 -> 128) + FC (128 -> 2)
    fc = 64 * 7 * 7 * 128 + 128 + 128 * 128 + 128 + 128 * 2 + 2
    assert count_parameters(narrow) == count_parameters(narrow.features) + fc
    assert list(narrow(paddle.rand([2, 3, 64, 64])).shape) == [2, 2]
    with pytest.raises(ValueError, match="width must be > 0"):
        paddle_models.build("vgg16", width=0)


@pytest.mark.parametrize("name, theirs, reference", [
    ("densenet121", vision.densenet121, 7_978_856), ("inception_v3", vision.inception_v3, 23_834_568)])
def test_wrapped_paddle_vision_models_keep_their_count(name, theirs, reference):
    assert count(name) == count_parameters(lazy(theirs, num_classes=1000)) == reference


def test_the_28_pixel_stem_changes_only_the_first_convolution():
    """3x3x3x64 weights instead of 7x7x3x64; every other layer is ResNet-18's."""
    assert count("resnet18") - count("resnet18_medmnist") == (7 * 7 - 3 * 3) * 3 * 64


def basic_block_3x3_weights(groups=1):
    """The 3x3 convolution weights of ResNet-18's eight basic blocks (two convolutions each)."""
    total = 0
    for c_in, c_out in [(64, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 512), (512, 512)]:
        total += 9 * c_in * c_out // groups + 9 * c_out * c_out // groups
    return total


def test_32_groups_keep_a_thirty_second_of_the_blocks_3x3_weights():
    """The grouped-convolution experiment: same widths, each 3x3 filter sees 1/32 of its input channels."""
    plain, grouped = count("resnet18_medmnist", num_classes=5), count("resnet18_medmnist_g32", num_classes=5)
    assert plain - grouped == basic_block_3x3_weights() - basic_block_3x3_weights(groups=32)
    assert basic_block_3x3_weights() == 10_985_472 and grouped < plain / 5   # 11.2 M -> 1.9 M parameters


def test_basic_blocks_refuse_groups_that_do_not_divide_their_channels():
    with pytest.raises(ValueError, match="groups=3 must divide"):
        lazy(paddle_models.build, name="resnet18", groups=3)
    with pytest.raises(ValueError, match="width_per_group must be 64"):
        lazy(paddle_models.build, name="resnet18", width_per_group=4)


def test_simple_cnn_count_from_its_layers():
    """depth 4: 3x3 convs without bias (BN follows) 3->32->64->128->256, BN scale+shift, then the FC."""
    channels = [3, 32, 64, 128, 256]
    convs = sum(9 * a * b + 2 * b for a, b in zip(channels, channels[1:]))
    assert count("simple_cnn", num_classes=5) == convs + 256 * 5 + 5
    assert count("simple_cnn_9") > count("simple_cnn_6") > count("simple_cnn") > count("simple_cnn_2")
    with pytest.raises(ValueError, match="2-9 conv layers"):
        paddle_models.simple_cnn(depth=10)
