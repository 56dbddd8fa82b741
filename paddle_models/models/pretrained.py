"""Transfer learning (迁移学习): start from ImageNet weights instead of random ones.

Our ResNets and VGGs use the same parameter names and shapes as ``paddle.vision.models``, and our
DenseNet-121 and Inception-v3 *are* paddle.vision's (subclasses), so the ImageNet weights Paddle
publishes for those load straight into them.  Only the classifier differs:
ImageNet has 1000 classes, iChallenge-PM 2, so the last layer keeps its fresh random weights::

    model = paddle_models.resnet50(num_classes=2)
    skipped = load_pretrained(model, "resnet50", "imagenet")   # downloads once, ~100 MB
    print(skipped)                                             # ['fc.weight', 'fc.bias']

``source`` may also be a ``.pdparams`` file: a checkpoint of your own, or the ImageNet file copied
by hand to a machine without internet access.
"""
from __future__ import annotations


import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import paddle
from paddle.utils.download import get_weights_path_from_url
from paddle.vision.models import densenet, inceptionv3, resnet, vgg

from ..errors import MissingFileError, UserError, WrongValueError


class PretrainedWeightsUnavailable(UserError, RuntimeError):
    """The ImageNet weights could not be obtained (no internet, or no weights for this model)."""


def imagenet_weights_url(name: str) -> str:
    """Where ``paddle.vision`` downloads the ImageNet weights of ``name`` from."""
    urls = {**resnet.model_urls, **vgg.model_urls, **densenet.model_urls, **inceptionv3.model_urls}
    if name not in urls:
        raise PretrainedWeightsUnavailable(
            f"paddle.vision publishes ImageNet weights for {sorted(urls)}, not for {name!r}; "
            "train it from scratch or pass a .pdparams file of your own")
    return urls[name][0]


def imagenet_state_dict(name: str) -> Dict[str, paddle.Tensor]:
    """The ImageNet weights of ``name``, downloaded by ``paddle.vision`` (cached after the first time)."""
    url = imagenet_weights_url(name)
    try:
        path = get_weights_path_from_url(url)
    except Exception as error:  # no network, proxy, interrupted download ...
        raise PretrainedWeightsUnavailable(
            f"could not download the ImageNet weights of {name} from {url} ({type(error).__name__}: "
            f"{error}).\nOn a machine with internet access download that file, copy it here and pass "
            f"its path instead of 'imagenet' (pretrained='path/to/{Path(url).name}')") from error
    return paddle.load(path)


def weights_file(path) -> dict:
    """The state dict (or course checkpoint) in ``path``, with a one-line error naming a missing or unreadable file."""
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"pretrained={str(path)!r}: no such file; pass 'imagenet' or the path of a .pdparams file")
    try:
        state = paddle.load(str(path))
    except Exception as error:  # truncated, not a Paddle file ...
        raise WrongValueError(f"pretrained={str(path)!r}: cannot be read as Paddle weights ({type(error).__name__}); "
                         "copy or download it again") from None
    if not isinstance(state, dict):
        raise WrongValueError(f"pretrained={str(path)!r}: holds no state dict (a {type(state).__name__}); pass a .pdparams file")
    return state


@dataclass
class WeightsFit:
    """How a state dict fits a model, name by name (``compare_weights``)."""

    fitting: dict          # name -> weight: in both, with the model's shape
    missing: List[str]     # the model's names the state dict lacks
    unknown: List[str]     # names the model does not have
    misshapen: Dict[str, Tuple[list, list]]  # name -> (its shape in the state dict, the model's)

    @property
    def left_out(self) -> List[str]:
        """The model's weights that cannot be copied (they would keep their random values), sorted."""
        return sorted(self.missing + list(self.misshapen))

    def problems(self) -> List[str]:
        """Every mismatch, one phrase each (empty when the state dict fits exactly)."""
        return ([f"{name} missing" for name in self.missing] + [f"{name} unknown to the model" for name in self.unknown]
                + [f"{name} of shape {theirs}, the model's {own}" for name, (theirs, own) in self.misshapen.items()])


def compare_weights(model: paddle.nn.Layer, state: dict) -> WeightsFit:
    """Compare ``state``'s names and shapes with ``model.state_dict()``'s.

    ``set_state_dict`` only warns about a weight that is missing or has another shape and keeps the
    random one; ``load_pretrained`` copies the fitting weights on purpose, ``load_model`` refuses
    anything less than an exact fit.
    """
    own = model.state_dict()
    fit = WeightsFit({}, [name for name in own if name not in state], [name for name in state if name not in own], {})
    for name in [name for name in own if name in state]:
        theirs, model_shape = list(np.shape(state[name])), list(own[name].shape)
        if theirs == model_shape:
            fit.fitting[name] = state[name]
        else:
            fit.misshapen[name] = (theirs, model_shape)
    return fit


def load_pretrained(model: paddle.nn.Layer, name: str, source="imagenet") -> List[str]:
    """Copy every matching weight of ``source`` into ``model``; returns the names left as they were.

    A weight is copied when the name exists in both and the shapes agree; the classifier of a
    1000-class ImageNet model does not fit a 2-class model, so it is skipped (and reported). Weights
    of another architecture are refused: none fit, or fewer than half of the layers below the
    classifier (a few, such as the first convolution, can fit by chance); a smaller misfit there
    is a warning.
    """
    state = imagenet_state_dict(name) if source == "imagenet" else weights_file(source)
    if isinstance(state.get("model"), dict):  # a checkpoint of the engine: weights under "model"
        state = state["model"]
    fit = compare_weights(model, state)
    if not fit.fitting:
        raise WrongValueError(f"none of the weights in {source!r} fit {name}: is it a checkpoint of another model?")
    skipped = fit.left_out
    heads = {f"{path}.{kind}" for path in getattr(model, "head_layers", ()) for kind in ("weight", "bias")}
    body = [key for key in model.state_dict() if key not in heads]
    body_left_out = [key for key in skipped if key not in heads]
    if heads and 2 * len(body_left_out) > len(body):
        raise WrongValueError(f"{source!r} does not fit {name}: {len(body_left_out)} of its {len(body)} weights below "
                         f"the classifier would stay random (e.g. {body_left_out[:2]}); is it a checkpoint of "
                         "another architecture? Pass the weights of the same model")
    with warnings.catch_warnings():  # Paddle warns about every weight left out; we return them instead
        warnings.filterwarnings("ignore", message="Skip loading for")
        model.set_state_dict(fit.fitting)
    if heads and body_left_out:  # only the classifier (reset_classifier's layers) is expected to differ
        warnings.warn(f"{len(body_left_out)} weights outside the classifier did not fit and keep their random "
                      f"values (e.g. {body_left_out[:3]}): is {source!r} a checkpoint of another architecture?")
    return skipped
