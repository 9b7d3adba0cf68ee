"""Synthetic data sets (no real people) for the demo, the tests and the benchmarks: the generator and
the files it writes."""
