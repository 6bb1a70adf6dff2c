"""Bench-only Django app and settings: the bare "insert one row" endpoint used as the baseline
for the submission benchmark. Never installed in production: it is enabled only by serving with
``DJANGO_SETTINGS_MODULE=benchsite.settings`` and ``PYTHONPATH=bench`` (see docs/benchmarks.md)."""
