"""Text handling shared by every search: Bulgarian transliteration and search terms."""
