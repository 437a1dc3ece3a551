"""Bulgarian reference data and national identifiers, used by every service alike."""
