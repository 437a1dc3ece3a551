"""Events the marketplace consumes, with its own schemas of them."""
