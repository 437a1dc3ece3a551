"""How the registry is reached: HTTP API, relay, scheduler and command-line tools."""
