"""Lesson 9: the PM map weighs the optic disc region (where the atrophy is) more than the rest of the fundus.

Measured in fast mode (synthetic iChallenge-PM, ResNet-18 at 96 px, 2 epochs; DDR: a small CNN, 8 epochs):

    SEED                                    0        1        2
    PM map on the disc region            0.715    0.720    0.742
    PM map on the rest of the fundus     0.379    0.379    0.376
    PM images with a hotter disc region  1.00     1.00     1.00
    disc region / field of view          0.09     0.09     0.09
    DDR validation kappa                 0.907    0.900    0.902
"""


def check(results):
    on_disc, elsewhere = results["pm_map_on_disc"], results["pm_map_elsewhere"]
    assert on_disc > 1.3 * elsewhere, (on_disc, elsewhere)
    assert results["pm_images_disc_hotter"] >= 0.75, results["pm_images_disc_hotter"]
    assert results["disc_region_share"] < 0.35  # the region is a small part of the fundus
    assert results["ddr_kappa"] > 0.3, results["ddr_kappa"]  # the explained DR model has learned the grades
