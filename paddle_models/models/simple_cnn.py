"""A plain CNN of 2-9 convolutional layers: the baseline every case study started from.

The DDR, APTOS and PCam studies this course draws on each began with a small network of a few
convolution + pooling layers before moving to ResNets and DenseNets (in a ConvMixer report on DDR's five
grades such a network reached 52% test accuracy at 98% training accuracy: it memorises).  The lessons use it
as the baseline a deeper, residual or pretrained model must beat.

Layer ``i`` (1-based) is a 3x3 convolution with ``min(width * 2**(i-1), max_width)`` channels,
batch norm and ReLU.  The first five layers are each followed by a 2x2 max pool (``ceil_mode``, so a
28-pixel input still keeps a 1x1 map after five pools); layers 6-9 keep the resolution and add depth
only.  Then a global average pool, dropout and one linear layer (logits)::

    simple_cnn(depth=4) at 224x224:  [N, 3, 224, 224] -> 32@112 -> 64@56 -> 128@28 -> 256@14
                                      -> pool [N, 256] -> fc [N, num_classes]

``simple_cnn`` is depth 4; ``simple_cnn_2``, ``simple_cnn_6`` and ``simple_cnn_9`` are the named points of
a depth experiment (any depth 2-9: ``simple_cnn(depth=5)``).
"""
from __future__ import annotations

import paddle
from paddle import nn

from ..errors import WrongValueError
from .classifier import Classifier
from .registry import register_model

MIN_DEPTH, MAX_DEPTH = 2, 9
POOLED_LAYERS = 5  # layers 1-5 halve the resolution, the rest keep it


def conv_block(in_channels: int, out_channels: int, pool: bool) -> nn.Sequential:
    """3x3 conv (same padding) -> BN -> ReLU (-> 2x2 max pool)."""
    layers = [nn.Conv2D(in_channels, out_channels, 3, padding=1, bias_attr=False),
              nn.BatchNorm2D(out_channels), nn.ReLU()]
    if pool:
        layers.append(nn.MaxPool2D(kernel_size=2, stride=2, ceil_mode=True))
    return nn.Sequential(*layers)


class SimpleCNN(Classifier, nn.Layer):
    """``depth`` conv blocks, global average pool, dropout, linear.

    >>> model = SimpleCNN(depth=4, num_classes=5)
    >>> list(model(paddle.rand([2, 3, 64, 64])).shape)
    [2, 5]
    """

    def __init__(self, depth: int = 4, num_classes: int = 2, width: int = 32, max_width: int = 256,
                 dropout: float = 0.2):
        super().__init__()
        if not MIN_DEPTH <= depth <= MAX_DEPTH:
            raise WrongValueError(f"simple_cnn depth must be {MIN_DEPTH}-{MAX_DEPTH} conv layers, got {depth}")
        self.depth = depth
        channels = [min(width * 2 ** i, max_width) for i in range(depth)]
        inputs = [3] + channels[:-1]
        self.features = nn.Sequential(*[conv_block(c_in, c_out, pool=i < POOLED_LAYERS)
                                        for i, (c_in, c_out) in enumerate(zip(inputs, channels))])
        self.pool = nn.AdaptiveAvgPool2D((1, 1))        # [N, C, 1, 1]
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(channels[-1], num_classes)  # logits

    def stages(self):
        """conv1 ... conv<depth>, pool, flatten, fc."""
        convs = [(f"conv{i + 1}", block) for i, block in enumerate(self.features)]
        return [*convs, ("pool", self.pool), ("flatten", nn.Flatten()), ("fc", nn.Sequential(self.dropout, self.fc))]

    def feature_layer(self) -> nn.Layer:
        """The last conv block, whose map Grad-CAM explains."""
        return self.features[-1]

    def forward_features(self, x):
        return self.features(x)  # [N, C, h, w]

    def forward_head(self, features):
        return self.fc(self.dropout(paddle.flatten(self.pool(features), 1)))

    def forward(self, x):
        return self.forward_head(self.forward_features(x))


@register_model
def simple_cnn(num_classes: int = 2, depth: int = 4, **options) -> SimpleCNN:
    """The plain-CNN baseline: ``depth`` (2-9) conv layers, 4 by default."""
    return SimpleCNN(depth, num_classes, **options)


@register_model
def simple_cnn_2(num_classes: int = 2, **options) -> SimpleCNN:
    """Two conv layers (32, 64 channels): about the smallest network that still sees shapes."""
    return SimpleCNN(2, num_classes, **options)


@register_model
def simple_cnn_6(num_classes: int = 2, **options) -> SimpleCNN:
    """Six conv layers: five pooled, the sixth adds depth at the final resolution."""
    return SimpleCNN(6, num_classes, **options)


@register_model
def simple_cnn_9(num_classes: int = 2, **options) -> SimpleCNN:
    """Nine conv layers, the deepest plain network of the family (no residual connections)."""
    return SimpleCNN(9, num_classes, **options)
