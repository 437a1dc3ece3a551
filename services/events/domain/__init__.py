"""The events service's rules, plain Python."""
