"""AlexNet (Krizhevsky et al., 2012): the network that made deep learning win ImageNet.

Compared with LeNet it is deeper and wider, and it brought three ideas lesson 3 looks at:

* ReLU instead of sigmoid: no saturation for positive inputs, so gradients stay alive;
* dropout (丢弃法) 0.5 in the two 4096-wide fully connected layers against overfitting;
* data augmentation (数据增强) to see more variety than the training set holds.

Channels follow the paper: 96-256-384-384-256, an 11x11 stride-4 first convolution, and
*overlapping* max pooling (3x3 windows, stride 2) as the paper describes (paddle.vision's variant uses
64-192-384-256-256).  The paper's 224x224 input only works out to its 55x55 first feature map with
227 pixels or with 2 pixels of padding; we pad.  The paper split every layer over two GPUs (grouped
connections); this single-device version connects all channels, hence 62,378,344 weights at 1000
classes rather than the paper's 60 million.  An adaptive average pool to 6x6 before the classifier keeps the classifier
at the paper's 9216 inputs for 224x224 images while letting small test images through.
"""
from __future__ import annotations

import paddle
from paddle import nn

from ..errors import WrongValueError
from .registry import register_model
from .classifier import Classifier


class AlexNet(Classifier, nn.Layer):
    """Five convolutions (ReLU, overlapping pooling) and three fully connected layers (dropout 0.5).

    >>> list(AlexNet(num_classes=2)(paddle.rand([1, 3, 224, 224])).shape)
    [1, 2]
    """

    def __init__(self, num_classes: int = 2, dropout: float = 0.5, hidden: int = 4096):
        """``hidden`` sets the two fully connected layers' width (4096 in the paper): ``hidden=512``
        keeps the architecture but cuts the classifier from 54 to 5 million weights, small enough
        to train for many steps on a CPU (lesson 3's fast mode)."""
        super().__init__()
        if hidden < 1:
            raise WrongValueError(f"hidden must be >= 1, got {hidden}")
        self.features = nn.Sequential(
            nn.Conv2D(3, 96, kernel_size=11, stride=4, padding=2), nn.ReLU(),   # [N, 96, 55, 55]
            nn.MaxPool2D(kernel_size=3, stride=2),                               # [N, 96, 27, 27]
            nn.Conv2D(96, 256, kernel_size=5, padding=2), nn.ReLU(),             # [N, 256, 27, 27]
            nn.MaxPool2D(kernel_size=3, stride=2),                               # [N, 256, 13, 13]
            nn.Conv2D(256, 384, kernel_size=3, padding=1), nn.ReLU(),            # [N, 384, 13, 13]
            nn.Conv2D(384, 384, kernel_size=3, padding=1), nn.ReLU(),            # [N, 384, 13, 13]
            nn.Conv2D(384, 256, kernel_size=3, padding=1), nn.ReLU(),            # [N, 256, 13, 13]
            nn.MaxPool2D(kernel_size=3, stride=2),                               # [N, 256, 6, 6]
        )
        self.avgpool = nn.AdaptiveAvgPool2D((6, 6))                              # [N, 256, 6, 6]
        self.classifier = nn.Sequential(
            nn.Flatten(),                                                        # [N, 9216]
            nn.Dropout(dropout), nn.Linear(256 * 6 * 6, hidden), nn.ReLU(),
            nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, num_classes),                                      # logits
        )

    def stages(self):
        """conv1-conv5 (each with its ReLU and pooling), avgpool, classifier: the shape tests' stages."""
        f = self.features
        return [("conv1", f[0:3]), ("conv2", f[3:6]), ("conv3", f[6:8]), ("conv4", f[8:10]),
                ("conv5", f[10:13]), ("avgpool", self.avgpool), ("classifier", self.classifier)]

    def feature_layer(self) -> nn.Layer:
        """The convolutional part: [N, 256, 6, 6] at 224x224, the map Grad-CAM explains."""
        return self.features

    head_layers = ("classifier.7",)

    def forward_features(self, x):
        return self.features(x)  # [N, 256, 6, 6] at 224x224

    def forward_head(self, features):
        return self.classifier(self.avgpool(features))

    def forward(self, x):
        return self.forward_head(self.forward_features(x))


@register_model(min_input_size=47)  # conv 11 stride 4 and three 3x3 stride-2 poolings without padding
def alexnet(num_classes: int = 2, **options) -> AlexNet:
    """AlexNet as in the paper (96-256-384-384-256 channels)."""
    return AlexNet(num_classes=num_classes, **options)
