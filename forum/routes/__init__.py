"""The forum's routes, one module per noun."""
