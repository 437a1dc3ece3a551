"""The events service's use cases."""
