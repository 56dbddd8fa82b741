"""Every model registers itself once, with its card: ``@register_model`` on its factory (as in timm).

    @register_model(input_size=28, in_channels=1, normalize="course", sized_by_input=True, min_input_size=16)
    def lenet_mnist(num_classes: int = 10, **options) -> LeNet:
        return LeNet(num_classes=num_classes, **options)

The decorator files the factory under its own name, together with its ``ModelCard``: what the
factory says about the models it builds.  Everything else is read from this registry, so a new model
is one decorated function in its family's file:

* ``list_models()`` every name, ``MODELS`` name -> factory;
* ``build(name, num_classes, **options)`` the model, ``card(name)`` its card;
* ``check_input_size(name, size)`` refuses an image side below the card's ``min_input_size``.

An unknown name gets one error, ``UnknownModelError``, listing the names there are.

**The factory's facts and the class's.**  A card holds what differs between the factories of one
architecture: ``ResNet`` is ``resnet18`` at 224x224 and ``resnet18_medmnist`` at 28x28, ``LeNet`` is
``lenet`` for RGB fundus photographs and ``lenet_mnist`` for grey digits.  What every factory of an
architecture shares is declared once on its class instead: the classifier layers ``reset_classifier``
replaces (``head_layers``: ``ResNet``'s ``fc`` for all nine ResNet factories; GoogLeNet's follow its
``aux_logits`` option, so they belong to the built model), ``stages()`` and ``feature_layer()``.

A registered factory, called by name or directly (``resnet18_medmnist()``), gives its model the
card's design size as ``model.default_input_size``: what Grad-CAM, export and prediction use when no
image size is given.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Dict

from ..errors import UserError, WrongValueError, did_you_mean


class UnknownModelError(UserError, ValueError):
    """A model name no factory registered."""


class InputTooSmallError(UserError, ValueError):
    """An image side below the smallest a model can take (its card's ``min_input_size``)."""


@dataclass(frozen=True)
class ModelCard:
    """What a factory says about the models it builds, so no caller has to guess from its name."""

    name: str  # the factory's name: what ``build``, ``--model`` and the checkpoints call it
    input_size: int = 224  # the image side it was designed for (every model it builds: ``default_input_size``)
    in_channels: int = 3  # 3 for RGB fundus photographs, 1 for grey digits
    normalize: str = "imagenet"  # the input normalisation its (ImageNet) weights expect
    # The factory builds for one input shape, its ``input_size`` and ``in_channels`` options (LeNet:
    # its first fully connected layer is as wide as the last feature map).  The registry passes the
    # card's unless the caller gives others; a training run passes its image size.
    sized_by_input: bool = False
    # The smallest image side for which every feature map keeps at least one pixel. Below it the
    # convolutions and poolings without padding shrink a map to nothing (0x0), and the network trains
    # on empty maps; the default 1 is for networks whose padding keeps a map at 1x1 at least.
    # tests/test_models_shapes.py checks declared values at that side and one pixel less.
    min_input_size: int = 1


_FACTORIES: Dict[str, Callable] = {}
_CARDS: Dict[str, ModelCard] = {}
MODELS = MappingProxyType(_FACTORIES)  # name -> registered factory: a read-only view of the registry


def register_model(factory: Callable = None, **facts):
    """Decorator: register ``factory`` under its ``__name__`` with a card of ``facts`` (the rest default).

    ``@register_model`` alone gives the default card (224x224 RGB, ImageNet normalisation).
    """
    if factory is None:  # @register_model(input_size=28, ...): the facts first, then the factory
        return functools.partial(register_model, **facts)
    model_card = ModelCard(name=factory.__name__, **facts)
    if model_card.name in _FACTORIES:
        raise ValueError(f"a model named {model_card.name!r} is registered already: give the factory another name")
    if not 1 <= model_card.min_input_size <= model_card.input_size:
        raise ValueError(f"{model_card.name}: min_input_size must be from 1 to its input_size {model_card.input_size}, "
                         f"got {model_card.min_input_size}")

    @functools.wraps(factory)
    def build_registered(*args, **options):
        if model_card.sized_by_input:
            options = {"input_size": model_card.input_size, "in_channels": model_card.in_channels, **options}
        model = factory(*args, **options)
        model.default_input_size = options["input_size"] if model_card.sized_by_input else model_card.input_size
        return model

    _FACTORIES[model_card.name], _CARDS[model_card.name] = build_registered, model_card
    return build_registered


def list_models():
    """Every name ``build`` accepts, sorted."""
    return sorted(_FACTORIES)


def card(name: str) -> ModelCard:
    """The card the factory ``name`` registered: input size and channels, normalisation, smallest input.

    >>> card("lenet_mnist").input_size, card("lenet_mnist").in_channels, card("inception_v3").min_input_size
    (28, 1, 75)
    """
    if name not in _CARDS:
        raise UnknownModelError(f"unknown model {name!r}{did_you_mean(name, _CARDS)}; available models: "
                                f"{', '.join(list_models())}")
    return _CARDS[name]


def build(name: str, num_classes: int = 2, **options):
    """The model called ``name`` with ``num_classes`` outputs (logits); options go to its factory."""
    card(name)  # an unknown name: one message, the same as card's
    try:
        return _FACTORIES[name](num_classes=num_classes, **options)
    except TypeError as error:  # an option the model does not have (e.g. a typo in --model-options)
        if "keyword argument" not in str(error):
            raise
        raise WrongValueError(f"model {name!r} does not take the options {options}: {error}") from None


def check_input_size(name: str, size: int) -> None:
    """Refuse an image side below the smallest model ``name`` can take (its card's ``min_input_size``)."""
    minimum = card(name).min_input_size
    if size < minimum:
        raise InputTooSmallError(f"{name} needs images of at least {minimum}x{minimum} pixels, got {size}x{size}: its "
                                 "feature maps would shrink to nothing (0x0) and it would train on empty maps. Pass "
                                 f"image_size={minimum} or more (and random_crop=..., if given, no smaller)")
