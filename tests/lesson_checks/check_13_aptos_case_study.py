"""Lesson 13: the APTOS preprocessing makes the same network learn faster; the split file holds; class weights trade.

Measured in fast mode (synthetic APTOS with varied cameras and framings, 500 images in APTOS's grade
proportions, a 400/100 split kept in a file; the simple_cnn baseline (4 blocks, 16-128 channels) at
64 px, 10 epochs, Adam 3e-3 cosine):

    SEED                                         0                  1                  2
    mean val kappa over epochs, plain / APTOS  0.781/0.861        0.708/0.899        0.753/0.846
    best val kappa, plain / APTOS              0.920/0.948        0.902/0.944        0.936/0.942
    best val kappa, ordinal / ce / weighted ce 0.948/0.948/0.919  0.944/0.949/0.877  0.942/0.932/0.915
    mean grades off, ordinal / ce              0.17/0.17          0.18/0.16          0.18/0.19
    accuracy ce / weighted ce                  0.84/0.75          0.85/0.70          0.83/0.74
    recall of grades 1 and 3, ce / weighted    0.00/0.25          0.10/0.20          0.10/0.20
    ensemble kappa (members' min)              0.950 (0.919)      0.949 (0.877)      0.942 (0.915)
    crop_type agreement with the generator     1.0                1.0                1.0
    wall time on the shared machine            101 s              129 s              116 s

(With 6 epochs the ordinal run was ahead of cross-entropy for all three seeds, by 0.01-0.07, and the
weighted run's kappa moved either way.)
"""


def check(results):
    assert results["crop_agreement"] >= 0.95, results["crop_agreement"]
    assert results["split_leaked"] == 0 and results["same_split"]

    # the preprocessing: much faster learning, and at least as good at the end
    assert results["mean_kappa_aptos"] > results["mean_kappa_plain"] + 0.06, results
    assert results["kappa_aptos"] >= results["kappa_plain"] - 0.01, results

    # ordinal and cross-entropy close; class weights: rare grades found more, accuracy and kappa lower
    assert abs(results["kappa_ordinal"] - results["kappa_ce"]) < 0.04, results
    assert results["kappa_weighted_ce"] < results["kappa_ce"], results
    assert results["acc_weighted_ce"] < results["acc_ce"], results
    assert results["rare_recall_weighted_ce"] > results["rare_recall_ce"], results

    # the average lies above its weakest member
    assert results["ensemble_kappa"] >= min(results["member_kappas"]), results
