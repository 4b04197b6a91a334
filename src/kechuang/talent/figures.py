"""The talent figures of the annual report (工作总结) and the dashboard, each with its records: what the region's
science commissioners did in the year (the quantities of their work logs, as in "实施项目96个，推广新技术72项，
举办培训256期"), the commissioners serving, the talents selected and the foreign experts engaged."""

from datetime import date

from django.db.models import Sum
from django.utils.translation import gettext as _

from kechuang.core.figures import Figure
from kechuang.regions.models import Region
from kechuang.regions.selectors import regions_under

from .enums import TalentState, WorkKind
from .models import Dispatch, ForeignExpert, Talent, WorkLog


def report_figures(region: Region | str, year: int) -> list[Figure]:
    codes = regions_under(region.code if isinstance(region, Region) else region)
    first, last = date(year, 1, 1), date(year, 12, 31)
    logs = WorkLog.objects.filter(dispatch__town_id__in=codes, happened_on__range=(first, last))

    def work(kind: str, label, unit) -> Figure:
        records = logs.filter(kind=kind)
        return Figure(label, records.aggregate(n=Sum("quantity"))["n"] or 0, records, unit)

    serving = Dispatch.objects.filter(town_id__in=codes, starts_on__lte=last, ends_on__gte=first)
    talents = Talent.objects.filter(organization__region_id__in=codes, year=year).exclude(
        state=TalentState.WITHDRAWN
    )
    experts = ForeignExpert.objects.filter(organization__region_id__in=codes, starts_on__range=(first, last))
    return [
        Figure(_("派驻科技特派员"), serving.values("commissioner_id").distinct().count(), serving, _("名")),
        work(WorkKind.PROJECT, _("科技特派员实施项目"), _("个")),
        work(WorkKind.TECHNOLOGY, _("科技特派员推广新技术"), _("项")),
        work(WorkKind.TRAINING, _("科技特派员举办培训"), _("期")),
        Figure(_("新入选人才（团队）"), talents.count(), talents, _("名")),
        Figure(_("新引进外国专家"), experts.count(), experts, _("名")),
    ]
