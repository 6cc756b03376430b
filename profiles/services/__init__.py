"""Writes of the profiles app, one module per concern."""
