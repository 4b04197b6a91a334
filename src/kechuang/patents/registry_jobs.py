"""Background import of a long patent list (more rows than a page request should wait for).

Registered when this module is imported: the patent import page imports it, and `patents/jobs.py` must import
it too (`from . import registry_jobs  # noqa: F401`) so that a Celery worker knows the job.
"""

from django.core.files import File
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _

from kechuang.core.errors import DomainError
from kechuang.core.jobs import job
from kechuang.core.notifications import notify

from .patent_import import BACKGROUND_MAX_ROWS, patent_import


@job("patents.import_list")
def import_list(*, path: str, user_id: int, filename: str = "") -> dict:
    """Import the stored list as `user_id`, tell the user, and remove the stored copy. Safe to run twice: the
    second run finds no file and does nothing."""
    from kechuang.accounts.models import User

    if not default_storage.exists(path):
        return {"skipped": path}
    user = User.objects.get(pk=user_id)
    try:
        with default_storage.open(path, "rb") as stored:
            result = patent_import(
                file=File(stored, name=filename or "patents.xlsx"),
                by=user,
                filename=filename,
                limit=BACKGROUND_MAX_ROWS,
            )
    except DomainError as exc:
        notify(
            recipients=[user],
            subject=_("专利清单导入失败"),
            body=exc.message,
            link=reverse("patents:patent_import"),
            dedupe_key=f"patent-import:{path}",
        )
        default_storage.delete(path)
        return {"error": exc.message}
    notify(
        recipients=[user],
        subject=_("专利清单导入完成"),
        body=_("新增 %(created)s 件，更新 %(updated)s 件，未导入 %(rejected)s 行。")
        % {"created": result.created, "updated": result.updated, "rejected": result.rejected},
        link=reverse("patents:patent_import_result", args=[result.pk]),
        dedupe_key=f"patent-import:{path}",
    )
    default_storage.delete(path)
    return {"import": result.pk, "created": result.created, "updated": result.updated}
