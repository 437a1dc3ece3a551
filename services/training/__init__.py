"""The training service (not built yet)."""
