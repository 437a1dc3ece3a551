"""The grants service."""
