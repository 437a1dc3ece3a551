"""How the marketplace is reached: the registry-events consumer (the HTTP API is to come)."""
