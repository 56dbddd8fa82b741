"""What a model factory says about the model it builds, so no caller has to guess from its name.

    @model_card(in_channels=1, normalize="course", sized_by_input=True)
    def lenet_mnist(num_classes=10, **options): ...

    card_of(lenet_mnist).in_channels      # 1

The image side a model was designed for is not on the card: the model itself says it
(``model.default_input_size``, set where its architecture is defined).  The smallest side it can
take is (``min_input_size``): training refuses a smaller one before it starts (``check_input_size``).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import UserError


class InputTooSmallError(UserError, ValueError):
    """An image side below the smallest a model can take (its card's ``min_input_size``)."""


@dataclass(frozen=True)
class ModelCard:
    in_channels: int = 3  # 3 for RGB fundus photographs, 1 for grey digits
    normalize: str = "imagenet"  # the input normalisation its (ImageNet) weights expect
    sized_by_input: bool = False  # the factory takes ``input_size`` (LeNet: its first FC layer depends on it)
    # The smallest image side for which every feature map keeps at least one pixel. Below it the
    # convolutions and poolings without padding shrink a map to nothing (0x0), and the network trains
    # on empty maps; the default 1 is for networks whose padding keeps a map at 1x1 at least.
    # tests/test_models_shapes.py checks each declared value at that side and one pixel less.
    min_input_size: int = 1


DEFAULT_CARD = ModelCard()


def model_card(**facts):
    """Decorator: attach a ModelCard to a factory (factories without one get the defaults)."""
    card = ModelCard(**facts)

    def attach(factory):
        factory.card = card
        return factory

    return attach


def card_of(factory) -> ModelCard:
    return getattr(factory, "card", DEFAULT_CARD)
