"""Modernisation support for social enterprises: calls, applications, evaluation, awards, implementation."""
