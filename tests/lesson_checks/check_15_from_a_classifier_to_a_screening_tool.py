"""Lesson 15: the gate refuses every drawn non-fundus image (which the model answers with a class), and
no synthetic fundus photograph; temperature scaling of an over-confident model never changes a predicted
class, moves predictions out of the two end bins and lowers the test negative log-likelihood, while the
test ECE may rise a little (the fit minimises the validation NLL, not the test ECE); the operating point
reaches its target on validation and the test sensitivity comes with an interval; the interval's width
halves when the positives quadruple; drawings are decided "ungradable".

Fast mode (ResNet-18 at 64 px, 4 epochs, pm_signal 0.6), seeds 0-16 on a shared two-core AMD EPYC,
2026-12-06 (per seed: lessons/MEASUREMENTS.md, section "Lesson 15"):
    non-fundus refused 24 of 24 at every seed (the model's mean confidence on them 0.68-1.00);
    fundus refused 0 of 80 and 0 of 160 at every seed; the disc of noise passes at every seed
    logits x3, test split: NLL before 0.50-13.8, after 0.35-0.82, after/before 0.06-0.74 (drops at every seed);
    ECE before 0.14-0.50, after 0.09-0.33; after - before from -0.25 to +0.014: it rose at 4 of 17 seeds
    (3, 7, 13, 16: +0.011, +0.014, +0.002, +0.005), so the check allows a rise of up to 0.05, asserts no fall
    share of test predictions in the end bins (P(PM) <= 0.1 or > 0.9): 0.56-1.00 before, 0.00-0.50 after
    fitted T 2.1-50 (the search's upper end at seed 8, where training recorded 50 too); predicted class
    unchanged at every seed
    validation sensitivity 0.90 at every seed; test sensitivity 0.74-0.98 (short of 0.90 at 7 of 17 seeds)
    Wilson widths for 0.9: 0.386, 0.191, 0.094, 0.047, 0.023 (10 ... 2560 positives; no seed involved)
"""

ECE_RISE_ALLOWED = 0.05  # over 3x the largest rise measured (+0.014); the ECE of 160 eyes in 10 bins is noisy


def check(results):
    assert results["non_fundus_refused"] >= 0.95 * results["non_fundus_images"] >= 19, results
    for refused, total in zip(results["fundus_refused"], results["fundus_images"]):
        assert refused <= 0.01 * total, results
    assert results["noise_disc_gradable"] is True  # what the gate misses, as the lesson says
    assert results["same_class"] is True  # dividing the logits by T > 0 keeps their order
    assert results["end_bins_after"] < results["end_bins_before"], results
    assert results["nll_after"] < results["nll_before"], results
    assert results["ece_after"] < results["ece_before"] + ECE_RISE_ALLOWED, results
    assert results["valid_sensitivity"] >= 0.9
    assert results["test_sensitivity_low"] <= results["test_sensitivity"] <= results["test_sensitivity_high"]
    widths = results["interval_widths"]
    assert all(0.45 < later / earlier < 0.55 for earlier, later in zip(widths, widths[1:])), widths
    assert results["drawing_decisions"] == ["ungradable", "ungradable"]
    assert set(results["photo_decisions"]) <= {"PM likely", "PM unlikely", "uncertain"}
