from . import report_jobs  # noqa: F401
