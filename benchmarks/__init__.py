"""Performance and quality benchmarks (not part of the unit tests)."""
