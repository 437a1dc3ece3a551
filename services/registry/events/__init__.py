"""The events the registry publishes: payload schemas and golden examples (the contract)."""
