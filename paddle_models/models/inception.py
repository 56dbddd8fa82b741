"""Inception-v3 (Szegedy et al., 2016), as ``paddle.vision.models`` implements it, in the course's contract.

GoogLeNet's successor: the 5x5 convolutions of an Inception block become two 3x3 ones, n x n ones
become 1 x n followed by n x 1 (factorised convolutions), and grids shrink inside the blocks
(Inception-B and -D) instead of by separate pooling layers.  It was designed for 299x299 inputs
(its card's ``input_size``); anything from 75x75 up works (smaller inputs shrink to nothing in the stem).
The APTOS case study this course draws on tried it with ImageNet weights before settling on DenseNet-121.

As in densenet.py, ``InceptionV3`` is a subclass of ``paddle.vision.models.InceptionV3``: the same
parameter names, so paddle.vision's ImageNet weights load directly (``--pretrained imagenet``).  It
has no auxiliary head (paddle.vision leaves it out), so the forward returns the logits only.
Available in Paddle 2.6 and 3.x alike.
"""
from __future__ import annotations

import paddle
from paddle import nn
from paddle.vision.models import InceptionV3 as VisionInceptionV3

from ..errors import WrongValueError
from .classifier import Classifier
from .registry import register_model

# The 11 Inception blocks in forward order, named as in the paper's table 1 / torchvision.
BLOCK_NAMES = ("mixed_5b", "mixed_5c", "mixed_5d",               # Inception-A, 35x35 at 299
               "mixed_6a",                                       # Inception-B: 35 -> 17
               "mixed_6b", "mixed_6c", "mixed_6d", "mixed_6e",   # Inception-C, 17x17
               "mixed_7a",                                       # Inception-D: 17 -> 8
               "mixed_7b", "mixed_7c")                           # Inception-E, 8x8
DESIGN_INPUT_SIZE, MIN_INPUT_SIZE = 299, 75  # inception_v3's card


class InceptionV3(Classifier, VisionInceptionV3):
    """paddle.vision's Inception-v3 with the course's stages and feature layer.

    >>> import paddle
    >>> list(InceptionV3(num_classes=2)(paddle.rand([1, 3, 75, 75])).shape)
    [1, 2]
    """

    def __init__(self, num_classes: int = 2):
        if num_classes < 1:
            raise WrongValueError(f"num_classes must be >= 1 (the number of logits), got {num_classes}")
        super().__init__(num_classes=num_classes, with_pool=True)

    def stages(self):
        """stem, mixed_5b ... mixed_7c, avgpool, flatten, fc (dropout + linear)."""
        blocks = list(zip(BLOCK_NAMES, self.inception_block_list))
        return [("stem", self.inception_stem), *blocks, ("avgpool", self.avg_pool), ("flatten", nn.Flatten()),
                ("fc", nn.Sequential(self.dropout, self.fc))]

    def feature_layer(self) -> nn.Layer:
        """The last Inception block: [N, 2048, 8, 8] at 299x299, what Grad-CAM explains."""
        return self.inception_block_list[-1]

    def forward_features(self, x):
        """paddle.vision's forward up to the last Inception block: [N, 2048, 8, 8] at 299x299."""
        sides = [side for side in x.shape[-2:] if side > 0]  # (-1: unknown while exporting)
        if sides and min(sides) < MIN_INPUT_SIZE:
            raise WrongValueError(f"Inception-v3 needs inputs of at least {MIN_INPUT_SIZE}x{MIN_INPUT_SIZE} pixels, "
                             f"got {list(x.shape[-2:])} (use image_size={DESIGN_INPUT_SIZE}, its design size)")
        x = self.inception_stem(x)
        for block in self.inception_block_list:
            x = block(x)
        return x

    def forward_head(self, features):
        return self.fc(self.dropout(paddle.flatten(self.avg_pool(features), 1)))

    def forward(self, x):
        return self.forward_head(self.forward_features(x))


@register_model(input_size=DESIGN_INPUT_SIZE, min_input_size=MIN_INPUT_SIZE)
def inception_v3(num_classes: int = 2, **options) -> InceptionV3:
    """Inception-v3 at 299x299 (23,834,568 parameters at 1000 classes)."""
    return InceptionV3(num_classes, **options)
