"""DenseNet-121 (Huang et al., 2017), as ``paddle.vision.models`` implements it, in the course's contract.

In a dense block every layer receives the feature maps of *all* the layers before it (concatenated,
not added as in ResNet) and contributes ``growth_rate`` = 32 new channels; transition layers
(1x1 conv + 2x2 average pool) halve the resolution and the channel count between blocks.  Reusing
features this way gives DenseNet-121 ResNet-50's accuracy on ImageNet with 8.0 million parameters
instead of 25.6 (7,978,856 at 1000 classes).  The APTOS case study this course draws on picked it (0.923
validation kappa) for its Grad-CAM maps; its final predictions came from a majority-vote ensemble.

This file does not write DenseNet again: ``DenseNet`` *is* ``paddle.vision.models.DenseNet``
(a subclass), so the parameter names are paddle.vision's and its ImageNet weights load directly
(``--pretrained imagenet``, see pretrained.py).  The subclass adds what every course model has --
``stages()``, ``feature_layer()``, ``forward_features`` / ``forward_head`` -- and the ``num_classes`` contract
(logits, ``num_classes=1`` for one binary logit).  Available in Paddle 2.6 and 3.x alike.
"""
from __future__ import annotations

import paddle
from paddle import nn
from paddle.vision.models import DenseNet as VisionDenseNet

from ..errors import WrongValueError
from .classifier import Classifier
from .registry import register_model


class DenseNet(Classifier, VisionDenseNet):
    """paddle.vision's DenseNet with the course's stages and feature layer.

    >>> import paddle
    >>> list(DenseNet(121, num_classes=2)(paddle.rand([1, 3, 64, 64])).shape)
    [1, 2]
    """

    def __init__(self, layers: int = 121, num_classes: int = 2, dropout: float = 0.0):
        if num_classes < 1:
            raise WrongValueError(f"num_classes must be >= 1 (the number of logits), got {num_classes}")
        super().__init__(layers=layers, num_classes=num_classes, dropout=dropout, with_pool=True)

    def stages(self):
        """stem (7x7/2 conv + 3x3/2 max pool), block1, transition1, ..., block4, norm, avgpool, flatten, fc."""
        named = [("stem", nn.Sequential(self.conv1_func, self.pool2d_max))]
        for index, block in enumerate(self.dense_block_func_list, start=1):
            named.append((f"block{index}", block))
            if index <= len(self.transition_func_list):
                named.append((f"transition{index}", self.transition_func_list[index - 1]))
        return named + [("norm", self.batch_norm), ("avgpool", self.pool2d_avg), ("flatten", nn.Flatten()),
                        ("fc", self.out)]

    def feature_layer(self) -> nn.Layer:
        """The final batch norm + ReLU after block 4: [N, 1024, 7, 7] at 224x224, what Grad-CAM explains."""
        return self.batch_norm

    head_layers = ("out",)

    def forward_features(self, x):
        """paddle.vision's forward up to the final batch norm (block4's map)."""
        x = self.pool2d_max(self.conv1_func(x))
        for index, block in enumerate(self.dense_block_func_list):
            x = block(x)
            if index < len(self.transition_func_list):
                x = self.transition_func_list[index](x)
        return self.batch_norm(x)

    def forward_head(self, features):
        return self.out(paddle.flatten(self.pool2d_avg(features), 1))

    def forward(self, x):
        return self.forward_head(self.forward_features(x))


@register_model
def densenet121(num_classes: int = 2, **options) -> DenseNet:
    """DenseNet-121: blocks of 6, 12, 24 and 16 layers, growth rate 32 (7,978,856 parameters at 1000 classes)."""
    return DenseNet(121, num_classes, **options)
