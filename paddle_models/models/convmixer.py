"""ConvMixer (Trockman & Kolter, 2022, "Patches Are All You Need?"): a few lines, strong results.

ConvMixer cuts the image into patches with one convolution whose kernel equals its stride (patch
embedding, 图像块嵌入), then keeps that resolution for the whole network.  Each of its ``depth``
layers mixes information in two steps:

* spatial mixing: a large-kernel *depthwise* convolution (one filter per channel), wrapped in a
  residual connection;
* channel mixing: a 1x1 (pointwise) convolution.

Every convolution is followed by GELU and batch norm.  ``ConvMixer-1536/20`` means dim 1536,
depth 20 (kernel 9, patch 7 in the paper); it has 51,625,960 parameters at 1000 classes.
"""
from __future__ import annotations

import paddle
from paddle import nn

from ..errors import WrongValueError
from .classifier import Classifier
from .registry import register_model

ACTIVATIONS = {"gelu": nn.GELU, "relu": nn.ReLU}


def conv_act_bn(in_channels, out_channels, kernel_size, activation, stride=1, groups=1, padding=0):
    return nn.Sequential(nn.Conv2D(in_channels, out_channels, kernel_size, stride=stride, groups=groups,
                                   padding=padding),
                         ACTIVATIONS[activation](), nn.BatchNorm2D(out_channels))


class Residual(nn.Layer):
    """``x + fn(x)``."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return x + self.fn(x)


class ConvMixerLayer(nn.Sequential):
    """Residual(depthwise k x k conv, GELU, BN) then pointwise 1x1 conv, GELU, BN: [N, D, h, w] kept."""

    def __init__(self, dim, kernel_size, activation):
        super().__init__(
            Residual(conv_act_bn(dim, dim, kernel_size, activation, groups=dim, padding="same")),
            conv_act_bn(dim, dim, 1, activation),
        )


class ConvMixer(Classifier, nn.Layer):
    """Patch embedding, ``depth`` ConvMixer layers, global average pool, linear head.

    >>> model = ConvMixer(256, 8, kernel_size=5, patch_size=8, num_classes=2)
    >>> list(model(paddle.rand([1, 3, 224, 224])).shape)
    [1, 2]
    """

    def __init__(self, dim: int, depth: int, kernel_size: int = 9, patch_size: int = 7,
                 num_classes: int = 2, activation: str = "gelu"):
        super().__init__()
        if kernel_size % 2 == 0:
            raise WrongValueError(f"kernel_size must be odd so 'same' padding is symmetric, got {kernel_size}")
        self.patch_embedding = conv_act_bn(3, dim, patch_size, activation, stride=patch_size)  # [N, D, S/p, S/p]
        self.mixer = nn.Sequential(*[ConvMixerLayer(dim, kernel_size, activation) for _ in range(depth)])
        self.pool = nn.AdaptiveAvgPool2D((1, 1))           # [N, D, 1, 1]
        self.head = nn.Linear(dim, num_classes)            # logits

    def stages(self):
        """Patch embedding, each ConvMixer layer (all keep [N, D, S/p, S/p]), pool, flatten, head."""
        layers = [(f"layer{index + 1}", layer) for index, layer in enumerate(self.mixer)]
        return [("patch_embedding", self.patch_embedding), *layers, ("pool", self.pool),
                ("flatten", nn.Flatten()), ("head", self.head)]

    def feature_layer(self) -> nn.Layer:
        """All ConvMixer layers: [N, D, S/p, S/p], the map Grad-CAM explains."""
        return self.mixer

    head_layers = ("head",)

    def forward_features(self, x):
        return self.mixer(self.patch_embedding(x))  # [N, D, S/p, S/p]

    def forward_head(self, features):
        return self.head(paddle.flatten(self.pool(features), 1))

    def forward(self, x):
        return self.forward_head(self.forward_features(x))


@register_model
def convmixer_1536_20(num_classes: int = 2, **options) -> ConvMixer:
    """The paper's large model: dim 1536, depth 20, kernel 9, patch 7 (51,625,960 parameters at 1000 classes)."""
    return ConvMixer(1536, 20, kernel_size=9, patch_size=7, num_classes=num_classes, **options)


@register_model
def convmixer_768_32(num_classes: int = 2, **options) -> ConvMixer:
    """dim 768, depth 32, kernel 7, patch 7: 21,110,248 parameters at 1000 classes."""
    return ConvMixer(768, 32, kernel_size=7, patch_size=7, num_classes=num_classes, **options)


@register_model
def convmixer_small(num_classes: int = 2, dim: int = 256, depth: int = 8, **options) -> ConvMixer:
    """A CPU-friendly ConvMixer for quick experiments: dim 256, depth 8, kernel 5, patch 8 by default
    (any of them can be changed, e.g. ``dim=48, depth=4, patch_size=4`` for lesson 7's fast mode)."""
    options = {"kernel_size": 5, "patch_size": 8, **options}
    return ConvMixer(dim, depth, num_classes=num_classes, **options)
