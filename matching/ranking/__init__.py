"""The ranked list: every candidate of a state held as columns in each process.

- columns.py: the candidates' facts and the columns built from them (StateIndex), and how
  a few therapists' fresh rows are patched in.
- kernels.py: one responder's scores over a whole state, and the top of the list.
- load.py: candidates straight from the database (a whole state, or a few therapists).
- feed.py: the states one process holds, kept current through the change feed.
- reference.py: columns from scoring Candidate objects, for tests.
"""
