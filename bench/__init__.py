"""Benchmarks: each measured against a baseline in the same run (bench/RESULTS.md)."""
