"""make bench: the platform's benchmarks (see README.md)."""

import os

# The benchmarks run the services with the built-in development secrets, as `make run` does.
os.environ.setdefault("DEVELOPMENT_MODE", "true")
# Nor are they throttled: the abuse limits have tests of their own with low limits.
os.environ.setdefault("RATE_LIMIT_PUBLIC", "100000/minute")
os.environ.setdefault("RATE_LIMIT_SIGN_IN", "100000/minute")
