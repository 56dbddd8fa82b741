"""The classifier convention every model follows (the one timm made standard).

    features = model.forward_features(images)   # [N, C, h, w]: the last convolutional map
    logits = model.forward_head(features)       # [N, num_classes]
    model(images) == model.forward_head(model.forward_features(images))
    model.reset_classifier(5)                   # a fresh last layer for 5 classes, the rest kept

Grad-CAM explains ``forward_features``' map; transfer learning keeps every weight but the last
layer's (``reset_classifier``), e.g. from a DDR model to an iChallenge-PM one.
"""
from __future__ import annotations

import contextlib

import paddle
from paddle import nn


@contextlib.contextmanager
def evaluating(model, gradients: bool = False):
    """``with evaluating(model):`` eval mode and no gradients inside the block; the model's own mode
    is restored afterwards, even on an error.

    Eval mode matters: dropout is off, batch norm uses its running statistics (a single image would
    otherwise be normalised by its own statistics, and the running averages would drift) and
    GoogLeNet returns its main logits only.  ``gradients=True`` keeps autograd on (Grad-CAM).
    """
    was_training = model.training
    model.eval()  # (returns None on Paddle 2.6 and the model on 3.x: never chain it)
    try:
        with contextlib.nullcontext() if gradients else paddle.no_grad():
            yield model
    finally:
        if was_training:
            model.train()


class Classifier:
    """Mixin for an ``nn.Layer`` whose ``forward`` is ``forward_head(forward_features(x))``.

    Each model writes that ``forward`` itself (readers see it in the model's file, and
    ``paddle.jit`` converts a forward defined on the model's own class); ``head_layers`` name the
    final layers ``reset_classifier`` replaces.

    ``head_layers`` is a fact of the architecture, declared once on its class (or, as GoogLeNet's,
    computed from the model's own options): every factory of the class shares it.  What differs
    between factories (design input size, channels, normalisation) is on their cards (registry.py).
    """

    # attribute paths of the final Linear layer(s) whose outputs are class logits, e.g. ("fc",)
    head_layers = ("fc",)

    def forward_features(self, x):
        raise NotImplementedError

    def forward_head(self, features):
        raise NotImplementedError

    def reset_classifier(self, num_classes: int) -> None:
        """Replace every final layer by a new, randomly initialised one with ``num_classes`` outputs."""
        for path in self.head_layers:
            *parents, name = path.split(".")
            owner = self
            for part in parents:
                owner = getattr(owner, part)
            old = getattr(owner, name)
            setattr(owner, name, nn.Linear(old.weight.shape[0], num_classes))  # weight is [in, out]
        self.num_classes = num_classes
