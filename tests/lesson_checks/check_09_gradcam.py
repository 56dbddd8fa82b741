"""Lesson 9: a Grad-CAM map needs a control: at layer4 (3x3) the disc circle ties with the image centre; layer3 (6x6) finds the disc.

The control is the disc region mirrored through the image centre: same size, same distance from the
centre, so a map that only leans to the middle of the image (as an upsampled 3x3 map does) ties with it.

Measured in fast mode (synthetic iChallenge-PM, ResNet-18 at 96 px, 2 epochs; DDR: a small CNN, 8 epochs),
the PM map's mean on the PM validation images (non-PM: the same map on the non-PM images), Paddle 3.3:

    SEED                                      0        1        2
    layer4 (3x3)  disc region              0.651    0.739    0.728
                  mirrored circle          0.473    0.558    0.505
                  image centre circle      0.672    0.800    0.789
                  rest of the fundus       0.338    0.376    0.375
                  images: disc > mirrored  0.50     0.85     1.00
    layer3 (6x6)  disc region              0.663    0.714    0.759
                  mirrored circle          0.137    0.263    0.241
                  image centre circle      0.393    0.504    0.504
                  rest of the fundus       0.172    0.272    0.299
                  images: disc > mirrored  1.00     1.00     1.00
    non-PM images, layer3: disc region     0.278    0.621    0.515
                           mirrored        0.072    0.298    0.278
    disc lead (disc - mirrored): layer4    0.178    0.181    0.223
                                 layer3    0.526    0.451    0.518
                                 non-PM    0.207    0.323    0.237
    disc region / field of view            0.09     0.09     0.09
    DDR validation kappa                   0.907    0.898    0.902

On Paddle 2.6.2 the same seeds train differently; the PM assertions held there too (the lesson's
training and measurement run as a script), the tightest being layer3's disc / mirrored 2.2 (seed 1),
the PM lead over the non-PM lead 0.05 (seed 1) and layer3's lead / layer4's 1.7 (seed 2).
"""


def check(results):
    r = results
    lead3 = r["layer3_disc"] - r["layer3_mirrored"]
    lead4 = r["layer4_disc"] - r["layer4_mirrored"]
    # layer4: "about twice the rest of the fundus" -- but the image centre is about as hot (or hotter)
    assert r["layer4_disc"] > 1.5 * r["layer4_rest"], (r["layer4_disc"], r["layer4_rest"])
    assert r["layer4_centre"] > r["layer4_disc"] - 0.1, (r["layer4_centre"], r["layer4_disc"])
    assert r["layer4_mirrored"] > r["layer4_rest"] + 0.05, (r["layer4_mirrored"], r["layer4_rest"])  # no disc there
    assert lead3 > 1.5 * lead4, (lead3, lead4)  # the disc's lead over its mirror: much smaller at layer4
    # layer3: more than twice its mirror, in nearly every PM image, and clearly above the centre circle
    assert r["layer3_disc"] > 2 * r["layer3_mirrored"], (r["layer3_disc"], r["layer3_mirrored"])
    assert r["layer3_disc_beats_mirrored"] >= 0.9, r["layer3_disc_beats_mirrored"]
    assert r["layer3_disc"] > r["layer3_centre"] + 0.1, (r["layer3_disc"], r["layer3_centre"])
    # non-PM eyes: the map leans to the disc there too -- in some seeds as much as on PM eyes (0.392
    # against 0.386 at a seed outside 0-2), so the lesson no longer says "less": it finds the disc region,
    # not yet the atrophy
    nonpm_lead = r["nonpm_layer3_disc"] - r["nonpm_layer3_mirrored"]
    assert nonpm_lead > 0.1, (nonpm_lead, lead3)
    assert r["disc_region_share"] < 0.35  # the region is a small part of the fundus
    assert r["ddr_kappa"] > 0.3, r["ddr_kappa"]  # the explained DR model has learned the grades
