"""MongoDB adapters of the registry."""
