"""Benchmarks: each module has main(), printing figures against a baseline run in the same process."""
