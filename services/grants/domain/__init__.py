"""The grants programme's rules in plain Python: calls, eligibility, plans, applications, awards."""
