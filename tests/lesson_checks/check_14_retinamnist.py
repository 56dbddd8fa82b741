"""Lesson 14: the encodings score alike, the multi-label model often names no grade; ResNet-18 memorises;
the 32-group ResNet needs precise BN, then memorises too and scores at least about as high on the test split.

Measured in fast mode (synthetic RetinaMNIST: 1,080 / 120 / 400 images at 28x28, grade 0 the largest,
severity scattered 0.6 grades around the label; simple_cnn on all training images, 5 epochs, Adam 3e-3
cosine; the gap runs on a stratified 60-image subset without augmentation, 8 epochs, batch 10, Adam 1e-3,
precise_bn=60; the "lagging" run is the 32-group ResNet without precise BN, its lowest-training-loss
epoch), on CPU A (the earlier sessions' machine):

    SEED                                      0                   1                   2
    test kappa ordinal / multi-label / ce     0.853/0.860/0.862   0.838/0.836/0.860   0.863/0.853/0.855
    test accuracy ordinal / multi-label / ce  0.630/0.672/0.652   0.655/0.648/0.670   0.662/0.668/0.665
    multi-label: eyes with exactly one grade  0.683               0.623               0.688
    ordinal: answers name one grade           1.000               1.000               1.000
    lagging g32: max val kappa                0.000               0.000               0.000
    lagging g32: train acc, eval mode         0.450 (= grade 0)   0.450               0.450
      ... with statistics recomputed          1.000               1.000               1.000
    gap runs, train / test acc, simple_cnn    0.850/0.578         0.833/0.583         0.850/0.593
    gap runs, train / test acc, ResNet-18     0.867/0.513         1.000/0.478         0.967/0.465
    gap runs, train / test acc, g32           0.983/0.548         0.967/0.525         0.950/0.545
    train-test gap simple_cnn / ResNet-18     0.272/0.354         0.251/0.523         0.258/0.502
    train-test gap g32                        0.436               0.442               0.405
    best val kappa g32 (precise BN)           0.680               0.628               0.812
    test kappa simple_cnn / ResNet-18 / g32   0.754/0.667/0.728   0.766/0.599/0.660   0.779/0.606/0.699

Parameter counts (5 classes, trainable): simple_cnn 390,181; resnet18_medmnist 11,171,397 (3x3 block
convolutions 10,985,472); resnet18_medmnist_g32 529,221 (343,296 = 1/32). They do not depend on the seed.
The lesson took 204, 191 and 189 s for seeds 0, 1 and 2 (two CPU cores, one lesson at a time).

On CPU B (an Intel Xeon with AVX-512, 2026-12-02) the same seeds take another course wherever a ResNet
trains (other vector instructions, other floating-point sums); the lesson took 94-104 s there:

    SEED (CPU B)                              0                   1                   2
    test kappa ordinal / multi-label / ce     0.852/0.861/0.863   0.853/0.825/0.860   0.866/0.856/0.863
    test accuracy ordinal / multi-label / ce  0.623/0.675/0.660   0.670/0.637/0.675   0.675/0.672/0.670
    multi-label: eyes with exactly one grade  0.682               0.695               0.675
    lagging g32: max val kappa                0.000               0.000               0.000
    lagging g32: train acc, eval mode         0.450               0.450               0.450
      ... with statistics recomputed          1.000               1.000               1.000
    gap runs, train / test acc, simple_cnn    0.850/0.578         0.833/0.578         0.850/0.590
    gap runs, train / test acc, ResNet-18     1.000/0.540         1.000/0.512         0.800/0.393
    gap runs, train / test acc, g32           0.983/0.555         0.967/0.515         1.000/0.535
    best val kappa g32 (precise BN)           0.680               0.634               0.770
    test kappa simple_cnn / ResNet-18 / g32   0.754/0.696/0.722   0.765/0.684/0.674   0.776/0.402/0.713

Hence the margins for the gap runs: ResNet-18's training accuracy at least 0.75 (B seed 2: 0.800), and
the grouped network's test accuracy at least the plain one's minus 0.02 (B: +0.015, +0.003, +0.142;
A: +0.035, +0.047, +0.080).
"""


def check(results):
    # the counts: grouping divides the blocks' 3x3 weights by exactly 32; the whole net keeps under 6 %
    assert results["block_weights_plain"] == 32 * results["block_weights_g32"], results
    assert results["parameters_g32"] < 0.06 * results["parameters_plain"], results
    assert results["parameters_simple_cnn"] < 0.05 * results["parameters_plain"], results

    # the encodings: within seed noise of each other by test kappa and accuracy
    kappas = [results[f"kappa_{name}"] for name in ("ordinal", "multilabel", "ce")]
    accuracies = [results[f"acc_{name}"] for name in ("ordinal", "multilabel", "ce")]
    assert max(kappas) - min(kappas) < 0.04 and min(kappas) > 0.75, results
    assert max(accuracies) - min(accuracies) < 0.08, results
    # ... but read as trained, the multi-label model names one grade for at most ~3/4 of the eyes
    assert results["multilabel_one_grade"] < 0.8, results
    assert results["ordinal_one_grade"] > 0.95, results

    # the grouped ResNet with batch norm's running statistics: validation never leaves kappa 0, and in
    # evaluation mode it scores no better on its own training images than "all grade 0"; the same
    # weights with the statistics recomputed (precise BN) fit them
    assert results["lagging_max_val_kappa"] < 0.05, results
    assert results["lagging_train_acc_before"] < results["lagging_grade0_share"] + 0.05, results
    assert results["lagging_train_acc_after"] > 0.9, results
    assert results["best_val_kappa_g32"] > 0.4, results

    # on 60 images (precise BN for all) the ResNet-18 memorises: a gap well above the baseline's
    assert results["train_acc_resnet18_medmnist"] >= 0.75, results
    assert results["gap_resnet18_medmnist"] > results["gap_simple_cnn"] + 0.05, results
    assert results["test_acc_simple_cnn"] > results["test_acc_resnet18_medmnist"], results
    # the 32-group ResNet fits them as well, and scores at least about as high on the test split (8 eyes of 400)
    assert results["train_acc_resnet18_medmnist_g32"] > 0.9, results
    assert results["test_acc_resnet18_medmnist_g32"] >= results["test_acc_resnet18_medmnist"] - 0.02, results
