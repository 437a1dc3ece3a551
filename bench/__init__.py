"""make bench: the platform's benchmarks (see README.md)."""

import os

# The benchmarks run the services with the built-in development secrets, as `make run` does.
os.environ.setdefault("DEVELOPMENT_MODE", "true")
