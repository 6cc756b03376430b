"""Views of the matching app: finding a therapist, and intro requests."""
