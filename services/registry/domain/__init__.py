"""The register's rules in plain Python: no Flask, no database."""
