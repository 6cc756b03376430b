"""Reads of the matching app, one module per page family."""
