"""Background jobs of the patents app. A worker loads only `<app>.jobs` (core.jobs), so the areas' own job
modules are imported here."""

from . import registry_jobs  # noqa: F401  (patents.import_list: long patent lists)
