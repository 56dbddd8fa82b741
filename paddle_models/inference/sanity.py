"""Sanity checks for saliency maps (Adebayo et al., 2018, "Sanity Checks for Saliency Maps", NeurIPS).

A heat map is meant to show what the model *learned* to look at.  Adebayo et al. found that some
popular methods draw nearly the same map for a network whose weights are random -- they show the
image's edges, not the model.  Their test: **randomise the weights** and compare the maps.  If the
map of the trained model and the map of the randomised one agree, the map does not explain the model.

* **Cascading randomisation**: re-initialise the top block (the classifier), then the top two, and so
  on down to the input; a method that depends on the model changes more and more on the way down.
  ``randomized_copies`` makes these copies; the new weights come from an untrained model of the same
  architecture (``fresh``), so each block gets what it had before training -- not zeros, not noise of
  another scale.
* **The comparison**: the Spearman rank correlation of the two maps of one image
  (``scipy.stats.spearmanr``), which asks "are the same places hot in the same order?" and ignores
  how the maps are scaled.  ``map_rank_correlation`` gives it per image.

Grad-CAM passed their test (its map changes with the weights of the top layers); guided
back-propagation did not.  Run it on your own model: it takes one forward and backward pass per copy.
"""
from __future__ import annotations

import copy
from typing import Iterator, List, Optional, Sequence, Tuple

import numpy as np
import paddle
from scipy.stats import spearmanr


def top_down_blocks(model: paddle.nn.Layer) -> List[str]:
    """The model's direct sub-layers that hold weights or statistics, from the output down to the input.

    For a ResNet: ``['fc', 'layer4', 'layer3', 'layer2', 'layer1', 'bn1', 'conv1']``.
    """
    return [name for name, block in reversed(list(model.named_children())) if block.state_dict()]


def randomized_copies(model: paddle.nn.Layer, fresh: paddle.nn.Layer,
                      blocks: Optional[Sequence[str]] = None) -> Iterator[Tuple[str, paddle.nn.Layer]]:
    """Cascading randomisation: yield (block, copy of ``model`` with this block and all above it re-initialised).

    fresh: an untrained model of the same architecture (``paddle_models.build(name, ...)``), whose
    weights -- and batch-norm statistics -- replace the trained ones block by block.  blocks: the
    order, top first (default ``top_down_blocks(model)``); a name may be a path (``layer4.1``).
    ``model`` itself is never changed.  ValueError when ``fresh`` does not have the same weights.
    """
    own, new = model.state_dict(), fresh.state_dict()
    if {key: list(value.shape) for key, value in own.items()} != {key: list(value.shape) for key, value in new.items()}:
        raise ValueError(f"fresh is not an untrained {type(model).__name__} of the same shape: build it as the model was built")
    fresh_blocks = dict(fresh.named_sublayers())
    randomized: List[str] = []
    for name in blocks or top_down_blocks(model):
        randomized.append(name)
        changed = copy.deepcopy(model)
        layers = dict(changed.named_sublayers())
        for done in randomized:
            layers[done].set_state_dict(fresh_blocks[done].state_dict())
        yield name, changed


def map_rank_correlation(maps: np.ndarray, others: np.ndarray) -> np.ndarray:
    """The Spearman rank correlation of ``maps[i]`` and ``others[i]`` for each image i: [N] in [-1, 1].

    1: the same places in the same order of heat; 0: no relation.  A flat map (the ReLU of Grad-CAM
    can leave nothing) ranks no place above another, so it counts as 0, not as missing.
    """
    values = []
    for one, other in zip(np.asarray(maps), np.asarray(others)):
        one, other = one.ravel(), other.ravel()
        flat = np.ptp(one) == 0 or np.ptp(other) == 0
        values.append(0.0 if flat else float(spearmanr(one, other)[0]))
    return np.array(values)
