"""The HTTP side every service shares: app factory, error format, auth, health and metrics."""
