"""The course's models, one file per family, all returning logits.

    build("resnet50", num_classes=2)      # by name (the command line and recipes use this)
    resnet50(num_classes=2)               # or by factory
    list_models()                         # every name
    card("lenet_mnist").in_channels       # 1: what the factory says about its model

=============  ======================================================  ==================
family         factories                                               file
=============  ======================================================  ==================
LeNet          lenet (224x224 RGB), lenet_mnist (28x28 grey)           lenet.py
AlexNet        alexnet                                                 alexnet.py
VGG            vgg11/13/16/19 and *_bn                                 vgg.py
GoogLeNet      googlenet (two auxiliary heads)                         googlenet.py
ResNet         resnet18/34/50/101/152, resnext50_32x4d                 resnet.py
               resnet18/50_medmnist (28x28 stem), resnet18_medmnist_g32
ConvMixer      convmixer_1536_20, convmixer_768_32, convmixer_small    convmixer.py
plain CNN      simple_cnn (depth 2-9, 4 by default), simple_cnn_2/6/9  simple_cnn.py
DenseNet       densenet121 (paddle.vision's, subclassed)               densenet.py
Inception      inception_v3 (paddle.vision's, 299x299)                 inception.py
=============  ======================================================  ==================

Each factory registers itself where it is defined, with its card (``@register_model``, registry.py:
design input size, channels, normalisation, smallest input); ``list_models``, ``build``, ``card``,
``check_input_size`` and ``MODELS`` (name -> factory) all read that registry.  Importing this
package imports every family's file, which registers its factories.

Every forward returns logits (no softmax: the losses apply it); ``num_classes=1`` gives the single
logit of a binary cross-entropy model.  Every model also has

* ``default_input_size``: the image side it was designed for, from its factory's card (224;
  ``lenet_mnist`` and the ``*_medmnist`` ResNets 28, ``inception_v3`` 299);
* ``stages()``: its named blocks in forward order (``stage_shapes``, ``layer_table(stages=True)``
  and the shape tests run them one by one);
* ``feature_layer()``: the last convolutional block, whose output map Grad-CAM explains;
* ``head_layers``: its classifier layers, which ``reset_classifier`` replaces (declared on its class).

``layer_table(model)`` prints every layer's output shape and weights; ``count_parameters(model)``
counts the weights.

>>> model = build("resnet18", num_classes=2)
>>> model.default_input_size, type(model.feature_layer()).__name__, model.head_layers
(224, 'Sequential', ('fc',))
>>> card("resnet18_medmnist").input_size, resnet18_medmnist().default_input_size
(28, 28)
>>> build("resnet51")
Traceback (most recent call last):
    ...
paddle_models.models.registry.UnknownModelError: unknown model 'resnet51' (did you mean 'resnet50'?); ...
"""
from __future__ import annotations

# Each family's file registers its factories as it is imported.
from .alexnet import AlexNet, alexnet
from .classifier import Classifier, evaluating
from .convmixer import ConvMixer, convmixer_768_32, convmixer_1536_20, convmixer_small
from .densenet import DenseNet, densenet121
from .googlenet import GoogLeNet, googlenet
from .inception import InceptionV3, inception_v3
from .lenet import LeNet, lenet, lenet_mnist
from .pretrained import PretrainedWeightsUnavailable, load_pretrained
from .registry import (MODELS, InputTooSmallError, ModelCard, UnknownModelError, build, card, check_input_size,
                       list_models, register_model)
from .resnet import (ResNet, resnet18, resnet18_medmnist, resnet18_medmnist_g32, resnet34, resnet50,
                     resnet50_medmnist, resnet101, resnet152, resnext50_32x4d)
from .simple_cnn import SimpleCNN, simple_cnn, simple_cnn_2, simple_cnn_6, simple_cnn_9
from .summary import count_parameters, layer_table, stage_shapes
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn


def main_output(outputs):
    """The main logits of a forward's result: GoogLeNet in training mode returns (main, aux1, aux2)."""
    return outputs[0] if isinstance(outputs, (tuple, list)) else outputs


__all__ = ["MODELS", "build", "list_models", "card", "check_input_size", "register_model", "ModelCard",
           "UnknownModelError", "InputTooSmallError",
           "Classifier", "evaluating", "layer_table", "count_parameters", "stage_shapes",
           "load_pretrained", "PretrainedWeightsUnavailable",
           "LeNet", "AlexNet", "VGG", "GoogLeNet", "ResNet", "ConvMixer", "SimpleCNN", "DenseNet",
           "InceptionV3", *MODELS]
