"""Reads of the work summaries (工作总结) and their templates, confined to the user's region."""

from django.db.models import QuerySet

from kechuang.core.scoping import scope_by_region
from kechuang.regions.models import Region

from .models import AnnualReport, ReportTemplate


def reports_visible_to(*, user) -> QuerySet[AnnualReport]:
    """The reports of the user's region and the regions under it (none for organizations' users)."""
    if not user.is_authenticated or not (user.is_superuser or user.is_region_scoped):
        return AnnualReport.objects.none()
    return scope_by_region(
        AnnualReport.objects.select_related("region", "generated_by").defer("figures"), user
    )


def report_get_visible(*, user, pk: int) -> AnnualReport | None:
    qs = reports_visible_to(user=user).select_related("template").defer(None)
    return qs.filter(pk=pk).first()


def template_active_for(region: Region) -> ReportTemplate | None:
    """The active template of the region, or of the nearest region above it (a county uses its city's until
    it writes its own)."""
    codes = [code for code in region.path.split("/") if code]
    templates = {
        t.region_id: t
        for t in ReportTemplate.objects.filter(region_id__in=codes, active=True).order_by("-id")
    }
    for code in reversed(codes):
        if code in templates:
            return templates[code]
    return None


def template_own(region: Region) -> ReportTemplate | None:
    """The region's own active template (what its editor saves), if it has one."""
    return ReportTemplate.objects.filter(region=region, active=True).order_by("id").first()
