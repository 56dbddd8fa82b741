"""Lesson 9: a Grad-CAM map needs a control: at layer4 (3x3) the disc circle ties with the image centre; layer3 (6x6) finds the disc.
A grey occluding square raises the PM logit (occlusion disagrees with Grad-CAM); Grad-CAM passes the sanity check.

The measurements behind its margins (seeds, machines, dates): lessons/MEASUREMENTS.md,
section "09_gradcam".
"""


def check(results):
    """Margins below the smallest value measured in 13 runs, seeds 0-9 (given in brackets)."""
    r = results
    lead3 = r["layer3_disc"] - r["layer3_mirrored"]
    lead4 = r["layer4_disc"] - r["layer4_mirrored"]
    # layer4: "1.4 to 2 times the rest of the fundus" [1.38] -- but the image centre is at least as hot
    # [centre - disc 0.010], and the mirrored circle, where there is no disc, beats the rest too [0.043]
    assert r["layer4_disc"] > 1.2 * r["layer4_rest"], (r["layer4_disc"], r["layer4_rest"])
    assert r["layer4_centre"] > r["layer4_disc"] - 0.1, (r["layer4_centre"], r["layer4_disc"])
    assert r["layer4_mirrored"] > r["layer4_rest"], (r["layer4_mirrored"], r["layer4_rest"])  # no disc there
    assert lead3 > 1.5 * lead4, (lead3, lead4)  # the disc's lead over its mirror: much smaller at layer4 [1.80]
    # layer3: 1.6 to 5 times its mirror [1.59], in most PM images [0.825], and above the centre circle [0.097]
    assert r["layer3_disc"] > 1.3 * r["layer3_mirrored"], (r["layer3_disc"], r["layer3_mirrored"])
    assert r["layer3_disc_beats_mirrored"] >= 0.7, r["layer3_disc_beats_mirrored"]
    assert r["layer3_disc"] > r["layer3_centre"] + 0.05, (r["layer3_disc"], r["layer3_centre"])
    # non-PM eyes: the map leans to the disc there too [0.066], in 3 of 13 runs as much as on PM eyes or
    # more, so the lesson does not say "less": it finds the disc region, not yet the atrophy
    nonpm_lead = r["nonpm_layer3_disc"] - r["nonpm_layer3_mirrored"]
    assert nonpm_lead > 0.03, (nonpm_lead, lead3)
    assert r["disc_region_share"] < 0.35  # the region is a small part of the fundus
    assert r["ddr_kappa"] > 0.3, r["ddr_kappa"]  # the explained DR model has learned the grades [0.871]
    # occlusion (8 PM images, the drop of the PM logit): most have p(PM) = 1.000 [0.75 of them]; a grey square
    # raises the PM logit far more than any square lowers it [largest rise 6.76, rise / drop 7.5]; occlusion
    # does not agree with Grad-CAM [rank correlation with layer3 at most 0.26, with layer4 0.15]
    assert r["occlusion_saturated"] >= 0.5, r["occlusion_saturated"]
    rise, drop = r["occlusion_largest_rise"], r["occlusion_largest_drop"]
    assert rise > 3 and rise > 3 * max(drop, 0.5), (rise, drop)
    assert r["occlusion_vs_layer3"] < 0.5 and r["occlusion_vs_layer4"] < 0.5, (r["occlusion_vs_layer3"], r["occlusion_vs_layer4"])
    # the sanity check (Adebayo et al., 2018; 12 PM images): with all weights random the map agrees with the
    # trained one far less than with itself (1) [at most 0.52 at layer3, 0.58 at layer4].  Against another
    # trained seed it is lower in 9 of 10 seeds, not at seed 6 (the lesson's model had not learned): not asserted
    assert r["sanity_layer3_all_random"] < 0.8, r["sanity_layer3_all_random"]
    assert r["sanity_layer4_all_random"] < 0.8, r["sanity_layer4_all_random"]
