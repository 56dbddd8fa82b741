"""GoogLeNet / Inception v1 (Szegedy et al., 2014): parallel paths and auxiliary classifiers.

An Inception block (Inception 模块) runs four paths side by side on the same input -- a 1x1
convolution, 1x1 then 3x3, 1x1 then 5x5, and 3x3 max pooling then 1x1 -- and concatenates their
channels, so the network chooses its own receptive field.  The 1x1 convolutions in front of the
large kernels cut the channels first, which keeps the cost down.

At 22 layers the gradient reaching the early layers was weak, so the paper adds two *auxiliary
classifiers* (辅助分类器) on Inception 4a and 4d.  In training their losses are added with weight 0.3
(the engine does that: ``loss = main + 0.3 * (aux1 + aux2)``); at evaluation only the main head
counts.  Hence the contract:

* ``model.train()``: ``forward`` returns ``(main, aux1, aux2)`` logits;
* ``model.eval()`` (or ``aux_logits=False``): ``forward`` returns the main logits only.

The stem is the paper's: a 7x7 stride-2 convolution (the public course used stride 1 by mistake),
max pooling, 1x1 and 3x3 convolutions, max pooling: 224x224 becomes 28x28 before Inception 3a.
The paper's local response normalisation is left out (later work found it does not help).

Each auxiliary head pools 5x5 with stride 3, which turns the 14x14 maps of a 224x224 image into the
paper's 4x4.  For smaller images (64x64 gives 4x4 maps, smaller than the 5x5 window) that pooling is
skipped, and an adaptive average pool to 4x4 after it makes every input size give the 2048 features
the first fully connected layer expects.  At 224x224 the adaptive pool changes nothing.
"""
from __future__ import annotations

import paddle
from paddle import nn

from .classifier import Classifier
from .registry import register_model


def conv_relu(in_channels, out_channels, kernel_size, stride=1):
    return nn.Sequential(nn.Conv2D(in_channels, out_channels, kernel_size, stride=stride,
                                   padding=kernel_size // 2), nn.ReLU())


class Inception(nn.Layer):
    """Four parallel paths concatenated along channels: c1 + c3 + c5 + pool_proj output channels."""

    def __init__(self, in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj):
        super().__init__()
        self.path1 = conv_relu(in_channels, c1, 1)
        self.path2 = nn.Sequential(conv_relu(in_channels, c3_reduce, 1), conv_relu(c3_reduce, c3, 3))
        self.path3 = nn.Sequential(conv_relu(in_channels, c5_reduce, 1), conv_relu(c5_reduce, c5, 5))
        self.path4 = nn.Sequential(nn.MaxPool2D(3, stride=1, padding=1), conv_relu(in_channels, pool_proj, 1))
        self.out_channels = c1 + c3 + c5 + pool_proj

    def forward(self, x):
        paths = [self.path1(x), self.path2(x), self.path3(x), self.path4(x)]
        return paddle.concat(paths, axis=1)  # [N, c1+c3+c5+pool_proj, H, W]


class AuxiliaryHead(nn.Layer):
    """avg pool 5x5/3 -> 1x1 conv 128 -> FC 1024 -> dropout 0.7 -> FC num_classes."""

    def __init__(self, in_channels, num_classes, dropout=0.7):
        super().__init__()
        self.pool = nn.AvgPool2D(kernel_size=5, stride=3)  # [N, C, 14, 14] -> [N, C, 4, 4]
        self.resize = nn.AdaptiveAvgPool2D((4, 4))          # identity at 224x224 inputs
        self.conv = conv_relu(in_channels, 128, 1)
        self.fc1 = nn.Linear(128 * 4 * 4, 1024)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(1024, num_classes)

    def forward(self, x):
        if min(x.shape[2:]) >= 5:                          # the map holds at least one 5x5 window
            x = self.pool(x)
        x = self.conv(self.resize(x))                      # [N, 128, 4, 4]
        x = self.relu(self.fc1(paddle.flatten(x, 1)))      # [N, 1024]
        return self.fc2(self.dropout(x))                   # logits


def max_pool():
    return nn.MaxPool2D(kernel_size=3, stride=2, padding=1)  # halves the map (rounding up)


class GoogLeNet(Classifier, nn.Layer):
    """Stem, Inception 3a-3b, 4a-4e, 5a-5b, global average pool, dropout 0.4, FC.

    >>> model = GoogLeNet(num_classes=2)          # a new layer is in training mode
    >>> [list(y.shape) for y in model(paddle.rand([1, 3, 224, 224]))]   # main, aux1, aux2
    [[1, 2], [1, 2], [1, 2]]
    >>> _ = model.eval()                          # (Paddle 2.6 returns None, 3.x the model)
    >>> list(model(paddle.rand([1, 3, 224, 224])).shape)
    [1, 2]
    """

    def __init__(self, num_classes: int = 2, aux_logits: bool = True, dropout: float = 0.4):
        super().__init__()
        self.aux_logits = aux_logits
        self.stem = nn.Sequential(
            conv_relu(3, 64, 7, stride=2), max_pool(),             # [N, 64, 56, 56]
            conv_relu(64, 64, 1), conv_relu(64, 192, 3), max_pool(),  # [N, 192, 28, 28]
        )
        self.inception3 = nn.Sequential(
            Inception(192, 64, 96, 128, 16, 32, 32),               # [N, 256, 28, 28]
            Inception(256, 128, 128, 192, 32, 96, 64), max_pool(),  # [N, 480, 14, 14]
        )
        self.inception4a = Inception(480, 192, 96, 208, 16, 48, 64)      # [N, 512, 14, 14] -> aux1
        self.inception4bcd = nn.Sequential(
            Inception(512, 160, 112, 224, 24, 64, 64),
            Inception(512, 128, 128, 256, 24, 64, 64),
            Inception(512, 112, 144, 288, 32, 64, 64),             # [N, 528, 14, 14] -> aux2
        )
        self.inception4e = nn.Sequential(Inception(528, 256, 160, 320, 32, 128, 128), max_pool())  # [N, 832, 7, 7]
        self.inception5 = nn.Sequential(
            Inception(832, 256, 160, 320, 32, 128, 128),
            Inception(832, 384, 192, 384, 48, 128, 128),           # [N, 1024, 7, 7]
        )
        self.avgpool = nn.AdaptiveAvgPool2D((1, 1))                # [N, 1024, 1, 1]
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(1024, num_classes)                     # logits
        if aux_logits:
            self.aux1 = AuxiliaryHead(512, num_classes)
            self.aux2 = AuxiliaryHead(528, num_classes)

    def stages(self):
        """Every Inception block and pooling on the main path, in forward order (no auxiliary heads)."""
        head = nn.Sequential(self.avgpool, nn.Flatten(), self.dropout, self.fc)
        (b3a, b3b, pool3), (b4b, b4c, b4d), (b4e, pool4) = self.inception3, self.inception4bcd, self.inception4e
        return [("stem", self.stem), ("inception3a", b3a), ("inception3b", b3b), ("pool3", pool3),
                ("inception4a", self.inception4a), ("inception4b", b4b), ("inception4c", b4c),
                ("inception4d", b4d), ("inception4e", b4e), ("pool4", pool4),
                ("inception5a", self.inception5[0]), ("inception5b", self.inception5[1]), ("head", head)]

    def feature_layer(self) -> nn.Layer:
        """Inception 5a-5b: [N, 1024, 7, 7] at 224x224, the map Grad-CAM explains."""
        return self.inception5

    @property
    def head_layers(self):
        return ("fc", "aux1.fc2", "aux2.fc2") if self.aux_logits else ("fc",)

    def forward_features(self, x):
        """The main path up to Inception 5b: [N, 1024, 7, 7] at 224x224."""
        return self._main_path(x)[0]

    def forward_head(self, features):
        return self.fc(self.dropout(paddle.flatten(self.avgpool(features), 1)))

    def _main_path(self, x):
        """(final features, Inception 4a's output, Inception 4d's output): the heads' inputs."""
        x = self.inception4a(self.inception3(self.stem(x)))
        aux_input1 = x
        x = self.inception4bcd(x)
        aux_input2 = x
        return self.inception5(self.inception4e(x)), aux_input1, aux_input2

    def forward(self, x):
        features, aux_input1, aux_input2 = self._main_path(x)
        main = self.forward_head(features)
        if self.aux_logits and self.training:
            return main, self.aux1(aux_input1), self.aux2(aux_input2)
        return main


@register_model
def googlenet(num_classes: int = 2, **options) -> GoogLeNet:
    """GoogLeNet with both auxiliary heads (turn them off with ``aux_logits=False``)."""
    return GoogLeNet(num_classes=num_classes, **options)
