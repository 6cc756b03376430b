"""Views of the profiles app: the therapist's editor, and staff vetting."""
