"""The marketplace service (not built yet)."""
