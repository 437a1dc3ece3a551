"""The register of social enterprises: applications, decisions, certificates, the public register."""
