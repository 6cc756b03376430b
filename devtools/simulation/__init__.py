"""A simulated world with a hidden truth: does Rapport's measured alliance find what was planted?

Development only (the product never imports it). Fictional therapists get a hidden true
alliance; fictional responders answer the intake, pick from their real ranked list, send
intro requests, and answer check-ins through the product's own services, over simulated
months on a moved clock. `manage.py simulate` (or `make simulate`) prints, month by month,
how well the product's figures agree with the truth, beside two baselines.

- parameters.py: the world's settings and where each default comes from.
- truth.py: the hidden truth and the draws of ratings and wellbeing (pure Python).
- stats.py: Spearman's rank correlation and bootstrap intervals (pure Python).
- world.py: the world run through the product's services (Django).
- figures.py: the month-by-month figures and the summary over seeds.
"""
