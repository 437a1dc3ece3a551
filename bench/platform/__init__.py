"""The whole-platform benchmark (``python -m bench.platform``, ``make bench-platform``): see bench/README.md."""
