"""The notifications service (not built yet)."""
