"""Benchmark scripts, run as ``python -m paddle_models.benchmarks.<name>`` (e.g. ``loader``)."""
