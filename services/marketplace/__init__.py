"""The marketplace: registered social enterprises offer goods and services; buyers find, ask, order."""
