"""MongoDB adapters of the marketplace."""
