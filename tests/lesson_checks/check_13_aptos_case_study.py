"""Lesson 13: the APTOS preprocessing makes the same network learn faster; the split file holds; ordinal
targets err by fewer grades; class weights trade accuracy for the rare grades.

Measured in fast mode (synthetic APTOS with varied cameras and framings, 500 images in APTOS's grade
proportions, a 400/100 split kept in a file; the simple_cnn baseline (4 blocks, 16-128 channels) at
64 px, 6 epochs, Adam 3e-3 cosine):

    SEED                                         0                  1                  2
    mean val kappa over epochs, plain / APTOS  0.715/0.845        0.599/0.868        0.664/0.802
    best val kappa, plain / APTOS              0.879/0.946        0.830/0.927        0.874/0.945
    best val kappa, ordinal / ce / weighted ce 0.946/0.880/0.895  0.927/0.895/0.872  0.945/0.936/0.857
    mean grades off, ordinal / ce              0.17/0.29          0.21/0.26          0.17/0.19
    accuracy ce / weighted ce                  0.78/0.71          0.80/0.75          0.83/0.57
    recall of grades 1 and 3, ce / weighted    0.10/0.20          0.10/0.20          0.00/0.45
    ensemble kappa (members' min)              0.928 (0.880)      0.907 (0.872)      0.936 (0.857)
    crop_type agreement with the generator     1.0                1.0                1.0
    wall time on the shared machine            80 s               85 s               63 s
"""


def check(results):
    assert results["crop_agreement"] >= 0.95, results["crop_agreement"]
    assert results["split_leaked"] == 0 and results["same_split"]

    # the preprocessing: much faster learning, and at least as good at the end
    assert results["mean_kappa_aptos"] > results["mean_kappa_plain"] + 0.06, results
    assert results["kappa_aptos"] >= results["kappa_plain"] - 0.01, results

    # ordinal at least as good as cross-entropy, its mistakes closer to the truth
    assert results["kappa_ordinal"] >= results["kappa_ce"] - 0.01, results
    assert results["grades_off_ordinal"] <= results["grades_off_ce"], results
    # class weights: rare grades found more, accuracy lower (kappa moves either way: not asserted)
    assert results["acc_weighted_ce"] < results["acc_ce"], results
    assert results["rare_recall_weighted_ce"] > results["rare_recall_ce"], results

    # the average lies above its weakest member
    assert results["ensemble_kappa"] >= min(results["member_kappas"]), results
