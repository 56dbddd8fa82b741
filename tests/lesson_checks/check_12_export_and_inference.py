"""Lesson 12: the exported program, the training model and the screening app give the same answers;
the app screens every example with a Grad-CAM map, refuses every bad upload and serves its page.

The measurements behind its margins (seeds, machines, dates): lessons/MEASUREMENTS.md,
section "12_export_and_inference".
"""


def check(results):
    assert results["app_vs_dygraph"] < 1e-4, results
    assert results["exported_vs_dygraph"] < 1e-4, results
    assert results["examples_screened"] >= 2
    assert results["gradcam_maps"] == results["examples_screened"]
    assert results["bad_uploads_refused"] == results["bad_uploads_tried"] == 5
    assert results["page_status"] == 200
