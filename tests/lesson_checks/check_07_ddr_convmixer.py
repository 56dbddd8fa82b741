"""Lesson 7: with DDR's real grade proportions, balanced sampling raises the recall of the rare grades
1 and 3, which plain cross-entropy (almost) never predicts; class weights do so only sometimes at the
epoch chosen by validation kappa; in this short run both remedies pay with accuracy and quadratic
kappa (the lesson says so), and counts why: the rare grades can lift plain's kappa by only about 0.02,
while each remedy loses many more common-grade eyes than it finds rare ones.  Deciding plain's
probabilities by the expected grade finds rare-grade eyes and keeps the kappa; ideal graders show that
class balancing raises the kappa only where grades overlap heavily.

The measurements behind its margins (seeds, machines, dates): lessons/MEASUREMENTS.md,
section "07_ddr_convmixer".
"""
PLAIN, WEIGHTED, BALANCED = "plain cross-entropy", "class weights", "balanced sampling"
IDEAL_PLAIN, IDEAL_BALANCED, IDEAL_EXPECTED = ("plain: most probable grade",
                                               "balanced: most probable if grades were equally common",
                                               "expected grade, rounded")


def check(results):
    rare, kappa, accuracy = results["rare_recall"], results["kappa"], results["accuracy"]
    assert rare[PLAIN] <= 0.15, f"plain cross-entropy should (almost) never find grades 1 and 3: {rare}"
    assert rare[BALANCED] >= rare[PLAIN] + 0.15, f"balanced sampling should raise the rare grades' recall: {rare}"
    assert rare[WEIGHTED] >= rare[PLAIN], f"class weights should not lower the rare grades' recall: {rare}"
    ceiling_gain = results["plain_kappa_ceiling"] - kappa[PLAIN]
    assert 0 < ceiling_gain < 0.04, f"the lesson says the rare grades can give back only about 0.02 kappa: {ceiling_gain}"
    found, lost = results["rare_eyes_found"], results["common_eyes_lost"]
    for remedy in (WEIGHTED, BALANCED):
        assert kappa[remedy] < kappa[PLAIN] and accuracy[remedy] < accuracy[PLAIN], \
            f"the lesson says {remedy} costs accuracy and kappa here: {accuracy}, {kappa}"
        assert lost[remedy] >= 3 * found[remedy] and lost[remedy] >= found[remedy] + 30, \
            f"the lesson says {remedy} loses many more common-grade eyes than it finds rare ones: {found}, {lost}"
    check_expected_grades(results)
    check_ideal_graders(results)


def check_expected_grades(results):
    """Remedy 3: plain cross-entropy decided by its expected grade."""
    kappa, accuracy, rare = results["kappa"], results["accuracy"], results["rare_recall"]
    kappa_after, accuracy_after = results["expected_grade_kappa"], results["expected_grade_accuracy"]
    rare_after = results["expected_grade_rare_recall"]
    assert rare_after[PLAIN] >= rare[PLAIN] + 0.15, f"the expected grade should find rare-grade eyes: {rare_after}"
    assert kappa_after[PLAIN] >= kappa[PLAIN] - 0.01, f"the expected grade should keep plain's kappa: {kappa_after}"
    assert kappa_after[PLAIN] > max(kappa[WEIGHTED], kappa[BALANCED]), \
        f"the lesson says the expected grade trades better than either training remedy: {kappa_after}, {kappa}"
    assert accuracy_after[PLAIN] < accuracy[PLAIN], f"the lesson says accuracy falls: {accuracy_after}"
    for remedy in (WEIGHTED, BALANCED):
        assert kappa_after[remedy] < kappa[remedy], f"the lesson says the expected grade overshoots after {remedy}"


def check_ideal_graders(results):
    """The simulation of ideal graders on the painted severity, by grade overlap."""
    by_overlap = {rule: dict(zip(results["ideal_overlaps"], values)) for rule, values in results["ideal_kappa"].items()}
    rare = {rule: dict(zip(results["ideal_overlaps"], values)) for rule, values in results["ideal_rare_recall"].items()}
    plain, balanced, expected = by_overlap[IDEAL_PLAIN], by_overlap[IDEAL_BALANCED], by_overlap[IDEAL_EXPECTED]
    assert plain[0.4] - balanced[0.4] >= 0.01, f"at the lesson's overlap balancing should cost kappa: {by_overlap}"
    assert rare[IDEAL_BALANCED][0.4] >= rare[IDEAL_PLAIN][0.4] + 0.3, f"but find the rare grades: {rare}"
    assert abs(plain[0.4] - 0.98) < 0.01 and abs(balanced[0.4] - 0.95) < 0.01, f"the lesson quotes 0.98 -> 0.95: {by_overlap}"
    assert abs(rare[IDEAL_BALANCED][0.4] - 0.8) < 0.03 and abs(rare[IDEAL_PLAIN][0.4] - 0.33) < 0.03, rare
    for overlap in (0.2, 0.3, 0.4, 0.5, 0.6):
        assert balanced[overlap] < plain[overlap], f"the lesson says balancing wins only from 0.8 on: {by_overlap}"
    for overlap in (0.8, 1.0, 1.2):
        assert 0.01 <= balanced[overlap] - plain[overlap] <= 0.04, f"balancing should win by about 0.02-0.04: {by_overlap}"
    for overlap in (0.5, 0.6, 0.8, 1.0, 1.2):
        assert rare[IDEAL_PLAIN][overlap] < 0.01, f"the plain grader never finds grades 1 and 3 from 0.5 on: {rare}"
    for overlap in (0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0):
        assert expected[overlap] >= max(plain[overlap], balanced[overlap]) - 0.005, f"expected grade as good: {by_overlap}"
    for overlap in (0.5, 0.6, 0.8):
        assert expected[overlap] > max(plain[overlap], balanced[overlap]), f"better than both from 0.5 to 0.8: {by_overlap}"
    assert balanced[1.2] > expected[1.2], f"the lesson says the balanced grader wins at 1.2: {by_overlap}"
