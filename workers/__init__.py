"""dramatiq broker set-up and actors: thin adapters over pipeline.run's stage functions.

Empty until the worker-queue issue: the embedded mode (``pipeline.batch``) is the default.
"""
