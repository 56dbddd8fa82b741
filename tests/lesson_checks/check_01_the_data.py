"""Lesson 1: the labels come from the file names, the chance level is the bigger class's share, and
random crops are windows of the image while validation sees the centre window.

The lesson records the class counts its reader found, the number of training files whose name starts
with "P", and the chance level it prints.  Deterministic (no training), so the same for every seed.
"""


def check(results):
    train, valid = results["train_counts"], results["valid_counts"]
    assert len(train) == len(valid) == 2 and min(train) > 0 and min(valid) > 0, results
    assert train[1] == results["training_files_starting_with_P"], "PM label = file name starts with P"
    chance = results["chance_level"]
    assert abs(chance - max(valid) / sum(valid)) < 1e-9 and 0.5 <= chance < 0.6, "iChallenge-PM is nearly balanced"
    # random crops: every training window lies inside the image, they differ, validation's is the centre
    side, window = results["image_side"], results["window_side"]
    corners = [tuple(corner) for corner in results["training_corners"]]
    assert all(0 <= top <= side - window and 0 <= left <= side - window for top, left in corners), corners
    assert len(set(corners)) > 1, f"random windows should not all be the same: {corners}"
    assert tuple(results["centre_corner"]) == ((side - window) // 2,) * 2, results["centre_corner"]
