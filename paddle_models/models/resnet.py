"""ResNet (He et al., 2015): residual connections make very deep networks trainable.

A residual block learns a correction F(x) and outputs ``relu(F(x) + x)``: if a layer has nothing to
add it can learn F = 0, and gradients flow back through the identity path untouched.  ResNet-18/34
stack *basic* blocks (two 3x3 convolutions); ResNet-50/101/152 stack *bottleneck* blocks
(1x1 reduce -> 3x3 -> 1x1 expand x4), which lesson 6 builds by hand.  Every variant is one row of
the ``DEPTHS`` table: the block type and how many blocks each of the four stages holds.

``groups`` and ``width_per_group`` turn the 3x3 convolution of a bottleneck into a grouped one
(ResNeXt): ``resnet50(groups=32, width_per_group=4)`` is ResNeXt-50 32x4d.  In a basic block
``groups`` splits both 3x3 convolutions into that many groups at the same width: each output channel
then sees 1/groups of the input channels, so the blocks hold 1/groups of the weights
(``resnet18_medmnist_g32``, the MedMNIST case study's grouped-convolution experiment).

``small_input=True`` is the stem for tiny images (MedMNIST's 28x28): one 3x3 stride-1 convolution
and no max pool, so the first stage sees the full 28x28 instead of 7x7 (the ImageNet stem divides
the side by 4 before the first block, which leaves a 28-pixel image a 1x1 map by layer4).

Parameter names match ``paddle.vision.models.resnet50`` (conv1, bn1, layer1.0.conv1, ...,
downsample.0/1, fc), so its ImageNet weights load directly.
"""
from __future__ import annotations

import paddle
from paddle import nn

from ..errors import WrongValueError
from .classifier import Classifier
from .registry import register_model


def conv_bn(in_channels, out_channels, kernel_size, stride=1, groups=1):
    """A convolution without bias (the batch norm right after it has one) and its batch norm."""
    conv = nn.Conv2D(in_channels, out_channels, kernel_size, stride=stride,
                     padding=kernel_size // 2, groups=groups, bias_attr=False)
    return conv, nn.BatchNorm2D(out_channels)


class BasicBlock(nn.Layer):
    """3x3 conv -> BN -> ReLU -> 3x3 conv -> BN, plus the shortcut, then ReLU (ResNet-18/34)."""

    expansion = 1

    def __init__(self, in_channels, channels, stride=1, downsample=None, groups=1, width_per_group=64):
        super().__init__()
        if width_per_group != 64:
            raise WrongValueError("basic blocks (ResNet-18/34) keep their width: width_per_group must be 64 "
                             "(use groups alone to split their 3x3 convolutions)")
        if in_channels % groups or channels % groups:
            raise WrongValueError(f"groups={groups} must divide the block's channels ({in_channels} in, {channels} out)")
        self.conv1, self.bn1 = conv_bn(in_channels, channels, 3, stride, groups)
        self.relu = nn.ReLU()
        self.conv2, self.bn2 = conv_bn(channels, channels, 3, 1, groups)
        self.downsample = downsample  # matches the shortcut's shape when the block changes it

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class BottleneckBlock(nn.Layer):
    """1x1 reduce -> 3x3 (stride, groups) -> 1x1 expand (x4), each with BN, plus the shortcut.

    With ``channels`` = 64 and 256 input channels: [N, 256, H, W] -> 64 -> 64 -> [N, 256, H, W].
    """

    expansion = 4

    def __init__(self, in_channels, channels, stride=1, downsample=None, groups=1, width_per_group=64):
        super().__init__()
        width = int(channels * width_per_group / 64) * groups
        self.conv1, self.bn1 = conv_bn(in_channels, width, 1)
        self.conv2, self.bn2 = conv_bn(width, width, 3, stride, groups)
        self.conv3, self.bn3 = conv_bn(width, channels * self.expansion, 1)
        self.relu = nn.ReLU()
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


# depth -> (block type, number of blocks in each of the four stages)
DEPTHS = {
    18: (BasicBlock, [2, 2, 2, 2]),
    34: (BasicBlock, [3, 4, 6, 3]),
    50: (BottleneckBlock, [3, 4, 6, 3]),
    101: (BottleneckBlock, [3, 4, 23, 3]),
    152: (BottleneckBlock, [3, 8, 36, 3]),
}


class ResNet(Classifier, nn.Layer):
    """Stem (7x7/2 conv + 3x3/2 max pool), four residual stages, global average pool, one FC layer.

    With ``small_input=True`` the stem is one 3x3 stride-1 convolution and no pool (the map sides
    below are then S, S/2, S/4, S/8 instead of S/4 ... S/32).

    >>> list(ResNet(50, num_classes=2)(paddle.rand([1, 3, 224, 224])).shape)
    [1, 2]
    """

    def __init__(self, depth: int = 50, num_classes: int = 2, groups: int = 1, width_per_group: int = 64,
                 small_input: bool = False):
        super().__init__()
        if depth not in DEPTHS:
            raise WrongValueError(f"ResNet depth must be one of {sorted(DEPTHS)}, got {depth}")
        block, counts = DEPTHS[depth]
        self.groups, self.width_per_group = groups, width_per_group
        self.in_channels = 64
        if small_input:
            self.conv1, self.bn1 = conv_bn(3, 64, 3, stride=1)       # [N, 64, S, S]
            self.maxpool = nn.Identity()                             # no pool: keep S x S
        else:
            self.conv1, self.bn1 = conv_bn(3, 64, 7, stride=2)       # [N, 64, S/2, S/2]
            self.maxpool = nn.MaxPool2D(kernel_size=3, stride=2, padding=1)  # [N, 64, S/4, S/4]
        self.relu = nn.ReLU()
        self.layer1 = self._make_stage(block, 64, counts[0], stride=1)   # [N, 64*e, S/4, S/4]
        self.layer2 = self._make_stage(block, 128, counts[1], stride=2)  # [N, 128*e, S/8, S/8]
        self.layer3 = self._make_stage(block, 256, counts[2], stride=2)  # [N, 256*e, S/16, S/16]
        self.layer4 = self._make_stage(block, 512, counts[3], stride=2)  # [N, 512*e, S/32, S/32]
        self.avgpool = nn.AdaptiveAvgPool2D((1, 1))                      # [N, 512*e, 1, 1]
        self.fc = nn.Linear(512 * block.expansion, num_classes)          # logits

    def _make_stage(self, block, channels, count, stride):
        downsample = None
        if stride != 1 or self.in_channels != channels * block.expansion:
            downsample = nn.Sequential(*conv_bn(self.in_channels, channels * block.expansion, 1, stride))
        blocks = [block(self.in_channels, channels, stride, downsample, self.groups, self.width_per_group)]
        self.in_channels = channels * block.expansion
        blocks += [block(self.in_channels, channels, 1, None, self.groups, self.width_per_group)
                   for _ in range(1, count)]
        return nn.Sequential(*blocks)

    def stages(self):
        """stem, layer1-layer4, avgpool, flatten, fc: the shape tests' stages."""
        stem = nn.Sequential(self.conv1, self.bn1, self.relu, self.maxpool)
        return [("stem", stem), ("layer1", self.layer1), ("layer2", self.layer2), ("layer3", self.layer3),
                ("layer4", self.layer4), ("avgpool", self.avgpool), ("flatten", nn.Flatten()), ("fc", self.fc)]

    def feature_layer(self) -> nn.Layer:
        """The last stage: [N, 512 * expansion, 7, 7] at 224x224, the map Grad-CAM explains."""
        return self.layer4

    def forward_features(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))  # [N, 512 * expansion, S/32, S/32]

    def forward_head(self, features):
        return self.fc(paddle.flatten(self.avgpool(features), 1))

    def forward(self, x):
        return self.forward_head(self.forward_features(x))


@register_model
def resnet18(num_classes: int = 2, **options) -> ResNet:
    """ResNet-18 (basic blocks): 11,689,512 parameters at 1000 classes."""
    return ResNet(18, num_classes, **options)


@register_model
def resnet34(num_classes: int = 2, **options) -> ResNet:
    """ResNet-34 (basic blocks): 21,797,672 parameters at 1000 classes."""
    return ResNet(34, num_classes, **options)


@register_model
def resnet50(num_classes: int = 2, **options) -> ResNet:
    """ResNet-50: 25,557,032 parameters at 1000 classes, interchangeable with paddle.vision's."""
    return ResNet(50, num_classes, **options)


@register_model
def resnet101(num_classes: int = 2, **options) -> ResNet:
    """ResNet-101 (bottleneck blocks): 44,549,160 parameters at 1000 classes."""
    return ResNet(101, num_classes, **options)


@register_model
def resnet152(num_classes: int = 2, **options) -> ResNet:
    """ResNet-152 (bottleneck blocks): 60,192,808 parameters at 1000 classes."""
    return ResNet(152, num_classes, **options)


@register_model
def resnext50_32x4d(num_classes: int = 2, **options) -> ResNet:
    """ResNeXt-50 32x4d: ResNet-50 whose 3x3 convolutions have 32 groups of 4 channels (x width).

    The first stage's 3x3 convolution is 128 wide (32 groups x 4), against ResNet-50's 64:

    >>> list(resnext50_32x4d().layer1[0].conv2.weight.shape)      # [out, in / groups, 3, 3]
    [128, 4, 3, 3]
    """
    return ResNet(50, num_classes, groups=32, width_per_group=4, **options)


@register_model(input_size=28)
def resnet18_medmnist(num_classes: int = 2, **options) -> ResNet:
    """ResNet-18 for 28x28 inputs (MedMNIST): 3x3 stride-1 stem, no max pool.

    The first convolution has 3 x 3 x 3 x 64 = 1,728 weights instead of 7 x 7 x 3 x 64 = 9,408;
    everything else is ResNet-18 (11,681,832 parameters at 1000 classes).
    """
    return ResNet(18, num_classes, small_input=True, **options)


@register_model(input_size=28)
def resnet50_medmnist(num_classes: int = 2, **options) -> ResNet:
    """ResNet-50 for 28x28 inputs (MedMNIST): 3x3 stride-1 stem, no max pool."""
    return ResNet(50, num_classes, small_input=True, **options)


@register_model(input_size=28)
def resnet18_medmnist_g32(num_classes: int = 2, **options) -> ResNet:
    """``resnet18_medmnist`` whose residual blocks' 3x3 convolutions are split into 32 groups.

    The MedMNIST case study's grouped-convolution experiment: about 1/32 of the blocks' weights
    remain, and its test accuracy rose from 0.483 to 0.528 (treated as multi-label binary, 28x28):

    >>> list(resnet18_medmnist_g32().layer1[0].conv1.weight.shape)   # [out, in / groups, 3, 3]
    [64, 2, 3, 3]
    """
    return ResNet(18, num_classes, groups=32, small_input=True, **options)
