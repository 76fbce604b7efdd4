"""Benchmarks: extraction quality (bench.quality) and speed (bench.extract_speed) on real pages."""
