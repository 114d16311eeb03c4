"""Benchmarks, run by `make bench`. Each reports ratios measured in one run, not absolute targets."""
