"""Writes of the alliance app, one module per concern."""
