"""Lesson 1: the labels come from the file names, and the chance level is the bigger class's share.

The lesson records the class counts its reader found, the number of training files whose name starts
with "P", and the chance level it prints.  Deterministic (no training), so the same for every seed.
"""


def check(results):
    train, valid = results["train_counts"], results["valid_counts"]
    assert len(train) == len(valid) == 2 and min(train) > 0 and min(valid) > 0, results
    assert train[1] == results["training_files_starting_with_P"], "PM label = file name starts with P"
    chance = results["chance_level"]
    assert abs(chance - max(valid) / sum(valid)) < 1e-9 and 0.5 <= chance < 0.6, "iChallenge-PM is nearly balanced"
