"""Lesson 13: the APTOS preprocessing makes the same network learn faster; the split file holds; class weights trade.

Measured in fast mode (synthetic APTOS with varied cameras and framings, 500 images in APTOS's grade
proportions, a 400/100 split kept in a file; a small CNN at 64 px, 6 epochs, Adam 3e-3 cosine):

    SEED                                         0            1            2
    mean val kappa over epochs, plain / APTOS  0.750/0.853  0.668/0.869 0.716/0.842
    best val kappa, plain / APTOS              0.899/0.930  0.831/0.948 0.909/0.942
    best val kappa, ordinal / ce / weighted ce 0.930/0.888/0.866  0.948/0.948/0.860 0.942/0.934/0.851
    accuracy ce / weighted ce                  0.79/0.64    0.84/0.68   0.83/0.55
    recall of grades 1 and 3, ce / weighted    0.10/0.35    0.00/0.35   0.00/0.40
    ensemble kappa (members' min)              0.886 (0.866) 0.938 (0.860) 0.945 (0.851)
    crop_type agreement with the generator     1.0          1.0          1.0
"""


def check(results):
    assert results["crop_agreement"] >= 0.95, results["crop_agreement"]
    assert results["split_leaked"] == 0 and results["same_split"]

    # the preprocessing: much faster learning, and at least as good at the end
    assert results["mean_kappa_aptos"] > results["mean_kappa_plain"] + 0.06, results
    assert results["kappa_aptos"] >= results["kappa_plain"] - 0.01, results

    # ordinal and cross-entropy close; class weights: rare grades found more, accuracy and kappa lower
    assert abs(results["kappa_ordinal"] - results["kappa_ce"]) < 0.08, results
    assert results["kappa_weighted_ce"] < results["kappa_ce"], results
    assert results["acc_weighted_ce"] < results["acc_ce"], results
    assert results["rare_recall_weighted_ce"] > results["rare_recall_ce"], results

    # the average lies above its weakest member
    assert results["ensemble_kappa"] >= min(results["member_kappas"]), results
