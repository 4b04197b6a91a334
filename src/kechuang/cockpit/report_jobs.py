"""Background generation of a large region's work summary (工作总结)."""

import logging

from django.db import transaction

from kechuang.core.jobs import job

logger = logging.getLogger(__name__)


@job("cockpit.report_build")
def report_build(*, report_id: int) -> int | None:
    """Compute the figures and write the files of a report created by `report_generate`; safe to run twice
    (a report already written is left alone)."""
    from .models import AnnualReport
    from .report_services import report_fill

    with transaction.atomic():
        report = (
            AnnualReport.objects.select_for_update(of=("self",))
            .select_related("region", "template")
            .filter(pk=report_id)
            .first()
        )
        if report is None or report.generated_at is not None:
            return None
        report_fill(report=report)
        return report.pk
