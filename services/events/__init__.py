"""Events of the regional centres: fairs, bazaars, exhibitions, forums, information campaigns, conferences."""
