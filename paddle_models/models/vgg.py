"""VGG (Simonyan & Zisserman, 2014): depth from stacked 3x3 convolutions.

Two 3x3 convolutions see as far as one 5x5 (three see as far as a 7x7) with fewer weights and more
non-linearities.  VGG repeats that idea in five stages, halving the image and doubling the channels
after each; the variants differ only in how many convolutions each stage stacks, which is why one
configuration table builds all of them.  Lesson 4 counts the parameters layer by layer: of VGG-16's
138,357,544 (at 1000 classes), 102,764,544 sit in the first fully connected layer alone.

Parameter names match ``paddle.vision.models.vgg16``, so its ImageNet weights load directly.
"""
from __future__ import annotations

from typing import List, Union

import paddle
from paddle import nn

from ..errors import WrongValueError
from .classifier import Classifier
from .registry import register_model

# Output channels of each 3x3 convolution; "M" is a 2x2 max pooling that halves the image.
CONFIGS = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
         512, 512, 512, 512, "M"],
}


def make_features(config: List[Union[int, str]], batch_norm: bool) -> nn.Sequential:
    """The convolutional part from a configuration list: conv3x3 [+ BN] + ReLU, and pools."""
    layers, channels = [], 3
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2D(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2D(channels, item, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2D(item))
        layers.append(nn.ReLU())
        channels = item
    return nn.Sequential(*layers)


class VGG(Classifier, nn.Layer):
    """Five stages of 3x3 convolutions, then 4096-4096-num_classes fully connected layers.

    >>> list(VGG(16, num_classes=2)(paddle.rand([1, 3, 224, 224])).shape)
    [1, 2]
    """

    def __init__(self, depth: int = 16, num_classes: int = 2, batch_norm: bool = False,
                 dropout: float = 0.5, width: float = 1.0, hidden: int = 4096):
        """``width`` scales every convolution's channels and ``hidden`` sets the two FC layers' size:
        ``vgg11_bn(width=1/8, hidden=128)`` is the same plan, small enough to train on a CPU."""
        super().__init__()
        if depth not in CONFIGS:
            raise WrongValueError(f"VGG depth must be one of {sorted(CONFIGS)}, got {depth}")
        if width <= 0 or hidden < 1:
            raise WrongValueError(f"width must be > 0 and hidden >= 1, got width={width}, hidden={hidden}")
        config = [item if item == "M" else max(1, round(item * width)) for item in CONFIGS[depth]]
        channels = config[-2]                                        # 512 at width 1
        self.features = make_features(config, batch_norm)            # [N, 512, S/32, S/32]
        self.avgpool = nn.AdaptiveAvgPool2D((7, 7))                  # [N, 512, 7, 7]
        self.classifier = nn.Sequential(
            nn.Linear(channels * 7 * 7, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, num_classes),                          # logits
        )

    def stages(self):
        """One stage per resolution: everything up to and including each max pooling."""
        stages, start = [], 0
        layers = list(self.features.children())
        for index, layer in enumerate(layers):
            if isinstance(layer, nn.MaxPool2D):
                stages.append((f"stage{len(stages) + 1}", nn.Sequential(*layers[start:index + 1])))
                start = index + 1
        return stages + [("avgpool", self.avgpool), ("flatten", nn.Flatten()), ("classifier", self.classifier)]

    def feature_layer(self) -> nn.Layer:
        """All five stages: [N, 512, 7, 7] at 224x224, the map Grad-CAM explains."""
        return self.features

    head_layers = ("classifier.6",)

    def forward_features(self, x):
        return self.features(x)                                      # [N, 512, 7, 7] at 224x224

    def forward_head(self, features):
        return self.classifier(paddle.flatten(self.avgpool(features), 1))  # [N, 25088] -> logits

    def forward(self, x):
        return self.forward_head(self.forward_features(x))


def _factory(depth: int, batch_norm: bool):
    """The registered factory ``vgg<depth>`` (``vgg<depth>_bn`` with batch normalisation)."""
    def build(num_classes: int = 2, **options) -> VGG:
        return VGG(depth, num_classes=num_classes, batch_norm=batch_norm, **options)

    build.__name__ = f"vgg{depth}{'_bn' if batch_norm else ''}"
    build.__doc__ = f"VGG-{depth}{' with batch normalisation' if batch_norm else ''}."
    return register_model(build)  # named first: the registry files it under its name


vgg11, vgg13, vgg16, vgg19 = (_factory(depth, False) for depth in (11, 13, 16, 19))
vgg11_bn, vgg13_bn, vgg16_bn, vgg19_bn = (_factory(depth, True) for depth in (11, 13, 16, 19))
