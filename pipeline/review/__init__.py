"""The reviewers' web app: a risk-ranked queue of what the pipeline was unsure of.

``chart2fhir review`` serves it (FastAPI, server-rendered Jinja2 pages); its tables live in
the state database beside the jobs (pipeline/state/models.py). An adapter, like cli.py:
the pipeline never imports it. Modules: ``auth`` (users, passwords, sessions, roles),
``audit`` (the hash-chained audit log), ``items`` (what goes to review, read from OUTDIR),
``images`` (scan crops), ``app`` (the routes).
"""
