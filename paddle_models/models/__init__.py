"""The course's models, one file per family, all returning logits.

    build("resnet50", num_classes=2)      # by name (the command line and recipes use this)
    resnet50(num_classes=2)               # or by factory
    list_models()                         # every name

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

Every forward returns logits (no softmax: the losses apply it); ``num_classes=1`` gives the single
logit of a binary cross-entropy model.  Every model also has

* ``default_input_size``: the image side it was designed for (224; ``lenet_mnist`` and the
  ``*_medmnist`` ResNets 28, ``inception_v3`` 299);
* ``stages()``: its named blocks in forward order (``stage_shapes``, ``layer_table(stages=True)``
  and the shape tests run them one by one);
* ``feature_layer()``: the last convolutional block, whose output map Grad-CAM explains.

``layer_table(model)`` prints every layer's output shape and weights; ``count_parameters(model)``
counts the weights.

>>> model = build("resnet18", num_classes=2)
>>> model.default_input_size, type(model.feature_layer()).__name__
(224, 'Sequential')
>>> build("resnet51")
Traceback (most recent call last):
    ...
ValueError: unknown model 'resnet51'; available models: alexnet, convmixer_1536_20, ...
"""
from __future__ import annotations

from .alexnet import AlexNet, alexnet
from .card import InputTooSmallError, ModelCard, card_of
from .classifier import Classifier, evaluating
from .convmixer import ConvMixer, convmixer_768_32, convmixer_1536_20, convmixer_small
from .densenet import DenseNet, densenet121
from .googlenet import GoogLeNet, googlenet
from .inception import InceptionV3, inception_v3
from .lenet import LeNet, lenet, lenet_mnist
from .pretrained import PretrainedWeightsUnavailable, load_pretrained
from .resnet import (ResNet, resnet18, resnet18_medmnist, resnet18_medmnist_g32, resnet34, resnet50,
                     resnet50_medmnist, resnet101, resnet152, resnext50_32x4d)
from .simple_cnn import SimpleCNN, simple_cnn, simple_cnn_2, simple_cnn_6, simple_cnn_9
from .summary import count_parameters, layer_table, stage_shapes
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn

MODELS = {factory.__name__: factory for factory in (
    lenet, lenet_mnist, alexnet,
    vgg11, vgg13, vgg16, vgg19, vgg11_bn, vgg13_bn, vgg16_bn, vgg19_bn,
    googlenet,
    resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d,
    resnet18_medmnist, resnet50_medmnist, resnet18_medmnist_g32,
    convmixer_1536_20, convmixer_768_32, convmixer_small,
    simple_cnn, simple_cnn_2, simple_cnn_6, simple_cnn_9,
    densenet121, inception_v3,
)}


def main_output(outputs):
    """The main logits of a forward's result: GoogLeNet in training mode returns (main, aux1, aux2)."""
    return outputs[0] if isinstance(outputs, (tuple, list)) else outputs


def card(name: str) -> ModelCard:
    """What the factory ``name`` says about its model: input size and channels, normalisation."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; available models: {', '.join(list_models())}")
    return card_of(MODELS[name])


def check_input_size(name: str, size: int) -> None:
    """Refuse an image side below the smallest model ``name`` can take (its card's ``min_input_size``)."""
    minimum = card(name).min_input_size
    if size < minimum:
        raise InputTooSmallError(f"{name} needs images of at least {minimum}x{minimum} pixels, got {size}x{size}: its "
                         "feature maps would shrink to nothing (0x0) and it would train on empty maps. Pass "
                         f"--image-size {minimum} or more (and --random-crop, if given, no smaller)")


def list_models():
    """Every name ``build`` accepts, sorted."""
    return sorted(MODELS)


def build(name: str, num_classes: int = 2, **options):
    """The model called ``name`` with ``num_classes`` outputs (logits); options go to its factory."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; available models: {', '.join(list_models())}")
    try:
        return MODELS[name](num_classes=num_classes, **options)
    except TypeError as error:  # an option the model does not have (e.g. a typo in --model-options)
        if "keyword argument" not in str(error):
            raise
        raise ValueError(f"model {name!r} does not take the options {options}: {error}") from None


__all__ = ["MODELS", "build", "list_models", "card", "check_input_size", "ModelCard", "Classifier", "evaluating", "layer_table", "count_parameters", "stage_shapes",
           "load_pretrained", "PretrainedWeightsUnavailable",
           "LeNet", "AlexNet", "VGG", "GoogLeNet", "ResNet", "ConvMixer", "SimpleCNN", "DenseNet",
           "InceptionV3", *MODELS]
