"""The events service's processes: web, consumer, relay, index job, demo data."""
