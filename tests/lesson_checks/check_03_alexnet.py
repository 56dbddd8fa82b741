"""Lesson 3: on a small training set the plain AlexNet overfits; dropout and augmentation shrink the gap.

Fast mode (synthetic iChallenge-PM with pm_signal 0.6, 32 training and 80 validation images at
64x64, 15 epochs, batch 4, Adam 3e-4, fully connected layers of 512), accuracy in evaluation mode at
each run's best-fitted epoch (lowest training loss), training / validation / gap, seeds 0 / 1 / 2:

* plain: 0.969 / 0.750 / +0.219, 0.969 / 0.725 / +0.244, 0.906 / 0.700 / +0.206;
* dropout: 0.719 / 0.550 / +0.169, 0.938 / 0.638 / +0.300, 1.000 / 0.863 / +0.138 (not asserted:
  the lesson says dropout alone is not reliable here);
* dropout + augmentation: 0.500 / 0.500 / 0.000, 0.844 / 0.763 / +0.081, 0.500 / 0.500 / 0.000.

The plain run's validation loss ends above its lowest value: 1.17 against 0.39, 0.91 against 0.53,
2.06 against 0.45.

Margins: the plain run's last validation loss at least 0.2 above its lowest; the plain run fits its training images to at least 0.85 with a gap of at least 0.15; the
dropout + augmentation gap is at least 0.1 smaller.
"""


def check(results):
    assert results["plain_train_acc"] >= 0.85, results["plain_train_acc"]
    assert results["plain_gap"] >= 0.15, f"the plain AlexNet did not overfit: gap {results['plain_gap']:+.3f}"
    val_loss = results["plain_val_loss"]
    assert val_loss[-1] >= min(val_loss) + 0.2, f"the plain run's validation loss did not turn upwards: {val_loss}"
    regularised = results["dropout_augmentation_gap"]
    assert regularised <= results["plain_gap"] - 0.1, (regularised, results["plain_gap"])
