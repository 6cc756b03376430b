"""Forms of the matching app: the intake and the list's filters, and intro requests."""
