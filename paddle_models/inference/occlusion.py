"""Occlusion sensitivity (Zeiler and Fergus, 2014): cover part of the image and see how much the answer drops.

Grad-CAM reads the model's inside (a feature map and its gradient); occlusion treats the model as a
black box and only asks it questions:

1. slide a grey square, ``patch`` pixels wide, over the input in steps of ``stride`` pixels; grey is
   the mean colour of the training images, which is 0 after the input's normalisation;
2. for each position, one forward pass of the covered copy: the **drop** of the target class's
   probability, p(c | image) - p(c | image with the square), is how much the model needed that region
   (``score="logit"``: the drop of the class's score y_c, the logit Grad-CAM explains -- for a model so
   sure that p(c) is 1.000, one grey square cannot move the probability, but it moves the logit);
3. each pixel gets the mean drop of the squares that covered it: a map of the image's size.

Its resolution is set by the patch and the stride, not by a feature map (a 3x3 Grad-CAM at 96 pixels
against, by default, squares of 16 pixels every 8), and it needs no layer and no gradient, so it
works for any model.  The price: one forward pass per position, (S - patch) / stride + 1 squared
copies of every image -- 121 at the defaults -- which ``Occlusion`` runs in batches.  A region the
model needs only *together* with another one (two lesions, either of which is enough) drops little
when covered alone: occlusion sees what each region adds by itself.

``Occlusion(model)(inputs, target_class)`` answers like ``GradCAM``: maps in [0, 1] (only the drops,
the evidence *for* the class, scaled as Grad-CAM's are) and the classes explained; ``drops`` gives the
raw probability drops, negative where covering a region *raises* the class's probability.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import paddle

from ..errors import WrongValueError
from ..models import evaluating, main_output
from ..tasks import to_probabilities
from .gradcam import normalise_maps, score_weights, target_classes


SCORES = ("probability", "logit")  # what a covered square may lower


def default_patch(size: int) -> int:
    """The patch side for an input of ``size`` pixels: a sixth of it (16 at 96, 37 at 224), at least 2."""
    return max(2, round(size / 6))


def patch_starts(size: int, patch: int, stride: int) -> List[int]:
    """Where the patch's top (or left) edge goes: every ``stride`` pixels, and flush with the far edge.

    >>> patch_starts(96, 16, 8)[:3], patch_starts(96, 16, 8)[-1], patch_starts(10, 4, 4)
    ([0, 8, 16], 80, [0, 4, 6])
    """
    starts = list(range(0, size - patch + 1, stride))
    return starts if starts[-1] == size - patch else starts + [size - patch]  # every pixel gets covered


def check_patch(size: int, patch: int, stride: int) -> None:
    """A one-line WrongValueError unless 1 <= patch <= size and 1 <= stride <= patch."""
    if not 1 <= patch <= size:
        raise WrongValueError(f"patch={patch} does not fit the {size}x{size} input: give 1 to {size} pixels")
    if not 1 <= stride <= patch:
        raise WrongValueError(f"stride={stride}: give 1 to the patch's {patch} pixels "
                              f"(a larger step leaves pixels no patch covers)")


class Occlusion:
    """Occlusion maps for ``model``: each image covered by a grey ``patch`` every ``stride`` pixels.

    patch: the square's side in pixels (None: ``default_patch``, a sixth of the input); stride: the
    step (None: half the patch); score: "probability" (the drop of p(c), as Zeiler and Fergus measured
    it) or "logit" (the drop of y_c, Grad-CAM's score); fill: the covering value in normalised units
    (0: the mean colour); batch_size: covered copies per forward pass.

    >>> import numpy as np, paddle_models
    >>> occlusion = Occlusion(paddle_models.resnet18(num_classes=2), patch=16, stride=16)
    >>> maps, classes = occlusion(np.zeros((1, 3, 64, 64), np.float32))
    >>> maps.shape, classes.shape, bool((maps >= 0).all() and (maps <= 1).all())
    ((1, 64, 64), (1,), True)
    """

    def __init__(self, model, patch: Optional[int] = None, stride: Optional[int] = None,
                 task: str = "multiclass", score: str = "probability", fill: float = 0.0, batch_size: int = 64):
        if score not in SCORES:
            raise WrongValueError(f"score={score!r}: occlusion measures the drop of one of {', '.join(SCORES)}")
        self.name = "occlusion"  # the word in save_gradcam's file names
        self.model, self.patch, self.stride, self.task, self.score = model, patch, stride, task, score
        self.fill, self.batch_size = float(fill), int(batch_size)

    def logits(self, inputs: np.ndarray) -> np.ndarray:
        """The model's logits [N, K] in evaluation mode, ``batch_size`` inputs at a time."""
        parts = []
        with evaluating(self.model):
            for start in range(0, len(inputs), self.batch_size):
                parts.append(main_output(self.model(paddle.to_tensor(inputs[start:start + self.batch_size]))).numpy())
        return np.concatenate(parts)

    def scores(self, logits: np.ndarray, classes: np.ndarray) -> np.ndarray:
        """[N]: each image's probability of its class -- or, with score="logit", its class's score y_c."""
        if self.score == "logit":
            return (logits * score_weights(classes, logits.shape[1], self.task)).sum(axis=1)
        return to_probabilities(logits, self.task)[np.arange(len(classes)), classes]

    def drops(self, inputs, target_class: Union[None, int, Sequence[int]] = None) -> Tuple[np.ndarray, np.ndarray]:
        """inputs float32 [N, 3, S, S] -> (probability drops [N, S, S], target classes [N]).

        target_class: None -> each image's predicted class; an int -> that class for every image; a
        sequence -> one class per image.
        """
        inputs = np.asarray(inputs, dtype=np.float32)
        size = inputs.shape[2]
        patch = default_patch(size) if self.patch is None else self.patch
        stride = max(1, patch // 2) if self.stride is None else self.stride
        check_patch(size, patch, stride)
        uncovered = self.logits(inputs)                                        # [N, K]
        classes = target_classes(uncovered, target_class, self.task)
        before = self.scores(uncovered, classes)                               # [N]
        corners = [(y, x) for y in patch_starts(size, patch, stride) for x in patch_starts(inputs.shape[3], patch, stride)]
        drops = np.zeros(inputs.shape[:1] + inputs.shape[2:], np.float64)    # [N, S, S]
        for i, image in enumerate(inputs):
            covered = np.repeat(image[None], len(corners), axis=0)            # one copy per position
            for copy, (y, x) in zip(covered, corners):
                copy[:, y:y + patch, x:x + patch] = self.fill
            after = self.scores(self.logits(covered), np.full(len(corners), classes[i]))  # [positions]
            drops[i] = spread(before[i] - after, corners, patch, drops.shape[1:])
        return drops.astype(np.float32), classes

    def __call__(self, inputs, target_class=None) -> Tuple[np.ndarray, np.ndarray]:
        """inputs [N, 3, S, S] -> (maps [N, S, S] in [0, 1], classes [N]), as ``GradCAM`` answers.

        Only positive drops are evidence for the class (Grad-CAM's ReLU); each map is scaled to
        [0, 1], and a map without any drop stays 0.
        """
        drops, classes = self.drops(inputs, target_class)
        return normalise_maps(np.maximum(drops, 0.0)), classes


def spread(drops: np.ndarray, corners, patch: int, shape) -> np.ndarray:
    """Each pixel: the mean of the drops of the patches (top-left ``corners``, side ``patch``) covering it."""
    total, covered = np.zeros(shape), np.zeros(shape)
    for drop, (y, x) in zip(drops, corners):
        total[y:y + patch, x:x + patch] += drop
        covered[y:y + patch, x:x + patch] += 1
    return total / np.maximum(covered, 1)


def occlusion(model, inputs, target_class=None, patch=None, stride=None, task: str = "multiclass",
              score: str = "probability"):
    """One call: ``Occlusion(model, patch, stride, task, score)(inputs, target_class)`` -> (maps, classes)."""
    return Occlusion(model, patch, stride, task, score)(inputs, target_class)
