from celery import shared_task

from .jobs import run_job_now


@shared_task(name="kechuang.core.tasks.run_job", acks_late=True)
def run_job(name: str, kwargs: dict):
    """The single Celery task behind core.jobs: runs the registered job `name`."""
    return run_job_now(name, kwargs)
