"""Writes of the matching app, one module per concern."""
