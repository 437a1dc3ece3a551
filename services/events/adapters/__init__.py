"""MongoDB adapters of the events service."""
