"""What a model factory says about the model it builds, so no caller has to guess from its name.

    @model_card(in_channels=1, normalize="course", sized_by_input=True)
    def lenet_mnist(num_classes=10, **options): ...

    card_of(lenet_mnist).in_channels      # 1

The image side a model was designed for is not on the card: the model itself says it
(``model.default_input_size``, set where its architecture is defined).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelCard:
    in_channels: int = 3  # 3 for RGB fundus photographs, 1 for grey digits
    normalize: str = "imagenet"  # the input normalisation its (ImageNet) weights expect
    sized_by_input: bool = False  # the factory takes ``input_size`` (LeNet: its first FC layer depends on it)


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
