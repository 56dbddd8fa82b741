"""Named training recipes: each course experiment as one set of settings.

``python -m paddle_models train --recipe pm-resnet50 --data-root datasets/PALM`` reproduces the
course's iChallenge-PM experiment for ResNet-50; any flag given on the command line overrides the
recipe (``--epochs 2``).  ``python -m paddle_models recipes`` lists them.

The iChallenge-PM recipes follow the public course (病理性近视 classification): 224x224 inputs scaled
to [-1, 1], SGD with momentum 0.9 at learning rate 0.001, batch size 10, evaluated on the *validation*
split (the original course evaluated on the training set by mistake).  The public notebook trains 5
epochs and the eye-disease chapter reports its results after 10; the recipes train 10 and keep the
epoch with the best validation AUC (the PALM challenge metric).

``expected`` names the published reference for a recipe, with its conditions, or says that nothing
was measured: no recipe promises a number its settings were not shown to reach.  A run on synthetic
data scores differently.
"""
from __future__ import annotations

from typing import Dict

from .errors import WrongValueError, did_you_mean
from .settings import check_keys, parse_settings

# Settings shared by the five iChallenge-PM experiments of the course.
PM_COURSE = dict(
    data="ichallenge_pm",
    image_size=224,
    normalize="course",
    batch_size=10,
    epochs=10,
    optimizer="momentum",
    lr=1e-3,
    momentum=0.9,
    monitor="val/auc",
)

# Settings shared by the two ConvMixer recipes on DDR's five grades (they differ in the input).
DDR_CONVMIXER = dict(
    model="convmixer_768_32", data="ddr", normalize="imagenet",
    batch_size=32, epochs=30, optimizer="adamw", lr=1e-3, weight_decay=0.05,
    schedule="cosine", warmup_epochs=2, loss="weighted_ce", grad_clip=1.0, monitor="val/kappa",
)

# Settings shared by the APTOS 2019 recipes (lesson 13).  APTOS has no validation split: 20 % of
# train.csv is held out, and the split is written to split_file once and read by every later run.
APTOS_CASE_STUDY = dict(
    data="aptos", model="densenet121", pretrained="imagenet", image_size=224, normalize="imagenet",
    ben_graham=True, circular_mask=True, split_file="runs/aptos-split.csv",
    batch_size=16, epochs=15, optimizer="adam", lr=1e-4, schedule="cosine", warmup_epochs=1,
    monitor="val/kappa",
)

RECIPES: Dict[str, dict] = {
    "pm-lenet": dict(
        PM_COURSE, model="lenet",
        description="LeNet on iChallenge-PM: the 1998 digit network at 224x224 with sigmoid activations",
        expected="the eye-disease chapter reports that it does not converge: it predicts one class for every image "
                 "(211/400 = 0.53 validation accuracy if that class is PM, 0.47 if not)",
    ),
    "pm-alexnet": dict(
        PM_COURSE, model="alexnet",
        description="AlexNet on iChallenge-PM: ReLU, dropout, 11x11 stride-4 first convolution",
        expected="not measured with these settings; reference: the Paddle eye-disease chapter reports 92% iChallenge-PM validation accuracy after 10 epochs (runs differ by about +-3 points on 400 images)",
    ),
    "pm-vgg16": dict(
        PM_COURSE, model="vgg16",
        description="VGG-16 on iChallenge-PM: stacked 3x3 convolutions, 138M parameters at 1000 classes",
        expected="not measured with these settings; reference: the Paddle eye-disease chapter reports 93% iChallenge-PM validation accuracy after 10 epochs (runs differ by about +-3 points on 400 images)",
    ),
    "pm-googlenet": dict(
        PM_COURSE, model="googlenet",
        description="GoogLeNet on iChallenge-PM: Inception blocks, two auxiliary heads weighted 0.3",
        expected="not measured with these settings; reference: the Paddle eye-disease chapter reports above 96% (the best of its five models; its GoogLeNet had no auxiliary heads) iChallenge-PM validation accuracy after 10 epochs (runs differ by about +-3 points on 400 images)",
    ),
    "pm-resnet50": dict(
        PM_COURSE, model="resnet50",
        description="ResNet-50 on iChallenge-PM: bottleneck residual blocks",
        expected="not measured with these settings; reference: the Paddle eye-disease chapter reports about 94% iChallenge-PM validation accuracy after 10 epochs (runs differ by about +-3 points on 400 images)",
    ),
    "pm-resnet50-imagenet": dict(
        PM_COURSE, model="resnet50", pretrained="imagenet", lr=1e-3, epochs=5, normalize="imagenet",
        description="ResNet-50 fine-tuned from ImageNet weights (transfer learning, lesson 10)",
        expected="not measured here, and no published number for these settings: compare it with pm-resnet50 "
                 "(trained from scratch) on the same validation split",
    ),
    "ddr-convmixer": dict(
        DDR_CONVMIXER, image_size=224,
        description="ConvMixer-768/32 on DDR grades 0-4: class-weighted loss, AdamW, cosine schedule",
        expected="not measured with these settings. Reference (a ConvMixer report, 5 grades): 76.24% test "
                 "accuracy (83.46% validation) only after 98 epochs with ImageNet pre-training, random "
                 "256-pixel crops of 512-pixel images and augmentation; from scratch expect far less",
    ),
    "ddr-convmixer-crops": dict(
        DDR_CONVMIXER, image_size=512, random_crop=256,
        description="ddr-convmixer with the ConvMixer report's input: 512-pixel images, random 256-pixel windows "
                    "for training, the centre window for validation and prediction",
        expected="not measured with these settings; the report's 76.24% test accuracy also needed "
                 "pre-training (on data it does not name) and 98 epochs",
    ),
    "ddr-resnet50-ordinal": dict(
        model="resnet50", data="ddr", image_size=224, normalize="imagenet",
        batch_size=32, epochs=30, optimizer="momentum", lr=1e-2, momentum=0.9, weight_decay=1e-4,
        schedule="cosine", warmup_epochs=1, loss="ordinal", monitor="val/kappa",
        description="ResNet-50 on DDR with ordinal targets (grade 2 -> [1, 1, 1, 0, 0])",
        expected="not measured with these settings. References: the DDR paper's ResNet-18 "
                 "0.77 test accuracy (6 classes); in a ConvMixer report a small ResNet 60.9% test accuracy "
                 "at 100% training accuracy (overfitting)",
    ),
    # APTOS 2019 (lesson 13): the APTOS preprocessing, a split kept in a file, kappa every epoch.
    # DenseNet-121, the network the case study picked for its Grad-CAM maps (its final predictions came from
# a majority vote of its pretrained networks); paddle.vision's, with ImageNet weights when reachable.
    "aptos-densenet121-ordinal": dict(
        APTOS_CASE_STUDY, loss="ordinal",
        description="DenseNet-121 on APTOS 2019 grades 0-4: border crop + Ben Graham + circular mask, ordinal targets",
        expected="no number promised: not run to completion here (the Kaggle gold threshold was kappa 0.930)",
    ),
    "aptos-densenet121-weighted": dict(
        APTOS_CASE_STUDY, loss="weighted_ce",
        description="DenseNet-121 on APTOS 2019: the same, with class-weighted cross-entropy instead",
        expected="no number promised: compare its kappa and rare-grade recall with aptos-densenet121-ordinal",
    ),
}

# RetinaMNIST (MedMNIST v2) at its own 28x28: the small-input ResNets, grades as ordinal targets.
# ``expected`` quotes the MedMNIST case study, which trained the grades as multi-label binary; these
# settings have not been run on the real file here, so no number is promised for them.
RETINAMNIST = dict(
    data="retinamnist", image_size=28, normalize="imagenet", batch_size=128, epochs=100,
    optimizer="adam", lr=1e-3, schedule="cosine", loss="ordinal", monitor="val/kappa",
)
RECIPES.update({
    "retinamnist-resnet18": dict(
        RETINAMNIST, model="resnet18_medmnist",
        description="ResNet-18 with the 28x28 stem on RetinaMNIST, grades as ordinal targets",
        expected="not measured here; reference: the MedMNIST case study's ResNet-18 reached test accuracy "
                 "0.483 / AUC 0.712 treating the grades as multi-label binary",
    ),
    "retinamnist-resnet18-ce": dict(
        RETINAMNIST, model="resnet18_medmnist", loss="ce",
        description="the same with plain cross-entropy: the grades as unordered classes, to compare",
        expected="not measured here; compare its quadratic kappa with retinamnist-resnet18's",
    ),
    "retinamnist-resnet50": dict(
        RETINAMNIST, model="resnet50_medmnist",
        description="ResNet-50 with the 28x28 stem on RetinaMNIST, ordinal targets",
        expected="not measured here; reference: the case study's ResNet-50 reached 0.478 / AUC 0.680 "
                 "(multi-label binary), no better than ResNet-18 on 1,080 training images",
    ),
    "retinamnist-resnet18-g32": dict(
        RETINAMNIST, model="resnet18_medmnist_g32",
        description="ResNet-18 (28x28 stem) whose 3x3 convolutions have 32 groups: 1/32 of their weights",
        expected="not measured here; reference: the case study grouped ResNet-50 this way (its text; one "
                 "table header says ResNet-18) and reached test accuracy 0.528 / AUC 0.683 (multi-label "
                 "binary), +0.050 over its plain ResNet-50's 0.478",
    ),
})

# Fields of a recipe that are not training settings.
DESCRIPTIVE_FIELDS = ("description", "expected")


def get_recipe(name: str) -> dict:
    """A copy of the recipe ``name``; a clear error lists the known recipes."""
    if name not in RECIPES:
        raise WrongValueError(f"unknown recipe {name!r}{did_you_mean(name, RECIPES)}; known recipes: "
                         f"{', '.join(sorted(RECIPES))} (`recipes` describes them)")
    return dict(RECIPES[name])


def recipe_settings(name: str) -> dict:
    """The training settings of recipe ``name`` (its description left out), every key and value checked."""
    values = {key: value for key, value in get_recipe(name).items() if key not in DESCRIPTIVE_FIELDS}
    check_keys(values, f"recipe {name!r}")
    parse_settings(values, f"recipe {name!r}")
    return values


def recipe_table() -> str:
    """One line per recipe: name, model, data and what it teaches."""
    width = max(len(name) for name in RECIPES)
    lines = []
    for name, recipe in sorted(RECIPES.items()):
        lines.append(f"{name:<{width}}  {recipe['model']:<18} {recipe['data']:<14} {recipe['description']}")
        lines.append(f"{'':<{width}}  expected: {recipe['expected']}")
    return "\n".join(lines)
