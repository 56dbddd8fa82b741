"""LeNet (LeCun et al., 1998): the first convolutional network, and why it struggles on fundus images.

LeNet-5 read 32x32 grey digit images (MNIST's 28x28 digits padded to 32x32) with 5x5 convolutions
(卷积), subsampling layers that *average* 2x2 neighbourhoods (average pooling with a trainable scale
and bias) and a scaled tanh squashing function.  This class is the common simplification the
public course uses: 28x28 input, sigmoid activations and 2x2 *max* pooling (池化).  (The course's own
PM LeNet differed again: a third convolution of 120 channels, a first fully connected layer
hard-coded as ``Linear(300000, 64)`` -- 120 x 50 x 50 inputs, so it ran only at 224x224 -- and a
softmax at the end of ``forward``; lesson 2 rebuilds it.)  The course feeds LeNet 224x224 RGB
fundus photographs unchanged.  Two things go wrong, and lesson 2 shows both:

* sigmoid saturates: gradients shrink at every layer, so the first layers barely learn;
* the first fully connected layer sees a 53x53x16 feature map -- 45,000 inputs, 5.4 million
  weights, almost the whole network -- and the model ends up predicting one class for every image.

The flatten size is computed from ``input_size``, so the same class serves 28x28 digits and 224x224
fundus images.  ``activation="relu"`` gives the variant that learns.
"""
from __future__ import annotations

import paddle
from paddle import nn

from ..errors import WrongValueError
from .classifier import Classifier
from .registry import register_model


def conv_output_side(side: int) -> int:
    """Side of the feature map after conv5 (no padding: side-4) + pool2 (halves), twice."""
    for _ in range(2):
        side = (side - 4) // 2
    return side


class LeNet(Classifier, nn.Layer):
    """conv 5x5 (6) -> pool -> conv 5x5 (16) -> pool -> FC 120 -> FC 84 -> FC num_classes.

    >>> list(LeNet(num_classes=2)(paddle.rand([1, 3, 224, 224])).shape)
    [1, 2]
    """

    def __init__(self, num_classes: int = 2, in_channels: int = 3, input_size: int = 224,
                 activation: str = "sigmoid"):
        super().__init__()
        activations = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}
        if activation not in activations:
            raise WrongValueError(f"LeNet's activation must be one of {', '.join(activations)}, got {activation!r}")
        act = activations[activation]
        self.features = nn.Sequential(
            nn.Conv2D(in_channels, 6, kernel_size=5), act(),    # [N, 6, S-4, S-4]
            nn.MaxPool2D(kernel_size=2, stride=2),               # [N, 6, (S-4)/2, ...]
            nn.Conv2D(6, 16, kernel_size=5), act(),              # [N, 16, ...]
            nn.MaxPool2D(kernel_size=2, stride=2),               # [N, 16, s, s]
        )
        side = conv_output_side(input_size)  # 53 for 224, 4 for 28
        self.classifier = nn.Sequential(
            nn.Flatten(),                                        # [N, 16*s*s]
            nn.Linear(16 * side * side, 120), act(),
            nn.Linear(120, 84), act(),
            nn.Linear(84, num_classes),                          # logits, no softmax
        )

    def stages(self):
        """(name, layer) pairs in forward order; the output shape after each is tested."""
        return [("conv1", self.features[:3]), ("conv2", self.features[3:]), ("classifier", self.classifier)]

    def feature_layer(self) -> nn.Layer:
        """The convolutional part ([N, 16, 53, 53] at 224x224), for Grad-CAM."""
        return self.features

    head_layers = ("classifier.5",)

    def forward_features(self, x):
        return self.features(x)  # [N, 16, s, s]

    def forward_head(self, features):
        return self.classifier(features)

    def forward(self, x):
        return self.forward_head(self.forward_features(x))


@register_model(sized_by_input=True, min_input_size=16)  # (16 - 4) / 2 = 6, (6 - 4) / 2 = 1
def lenet(num_classes: int = 2, **options) -> LeNet:
    """LeNet for 224x224 RGB fundus images, as the public course uses it."""
    return LeNet(num_classes=num_classes, **options)


@register_model(input_size=28, in_channels=1, normalize="course", sized_by_input=True, min_input_size=16)
def lenet_mnist(num_classes: int = 10, **options) -> LeNet:
    """LeNet for 28x28 grey digits (MNIST), simplified as above: 44,426 weights at 10 classes.

    The same LeNet as ``lenet``; only the card differs, and the registry builds LeNet for the card's
    input (``input_size=28, in_channels=1``) unless told otherwise.

    (LeNet-5 had about 60,000: it padded the digits to 32x32, leaving a 5x5 map instead of our 4x4,
    and its third layer was a 120-channel 5x5 convolution over that map.)

    >>> list(lenet_mnist()(paddle.rand([1, 1, 28, 28])).shape)
    [1, 10]
    """
    return LeNet(num_classes=num_classes, **options)
