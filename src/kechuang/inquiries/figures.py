"""Figures of the 科技信箱 for the figures page, the dashboard and the annual report.

Definitions (a region means the region and everything under it; a year is Asia/Shanghai):

* 收到来信 (`received`): letters received in the year.
* 已答复 (`answered`): those of them answered (at any time so far: `answered_at` set).
* 按时答复 (`in_time`): answered ones with `answered_in_time` (every answer on or before the deadline then in
  force). 按时答复率 = in_time / answered, a percentage with one decimal (None without answers).
* 平均答复用时: the mean, over answered letters, of the working days from the counting day (the day received,
  or the next working day after 17:00 or on a holiday) to the first answer (calendar.py); one decimal.
* 平均满意度: the mean rating (1–5) of the rated letters, two decimals. 满意率: the share of rated letters rated
  4 or 5, a percentage with one decimal.
* Per department: the letter's current department (blank: 未分办).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kechuang.accounts.enums import Department
from kechuang.core.figures import Figure
from kechuang.regions.models import Region
from kechuang.regions.selectors import regions_under

from .calendar import WorkCalendar
from .enums import InquiryKind
from .models import Inquiry

SHANGHAI = ZoneInfo("Asia/Shanghai")
SATISFIED = 4  # a rating of 4 or 5 counts as satisfied


def _code(region: Region | str) -> str:
    return region.code if isinstance(region, Region) else region


def letters(region: Region | str, year: int) -> QuerySet[Inquiry]:
    start, end = datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    return Inquiry.objects.filter(
        region_id__in=regions_under(_code(region)), received_at__gte=start, received_at__lt=end
    )


def _ratio(part: int, whole: int, places: str = "0.1") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(places), ROUND_HALF_UP)


def _mean(values: list[int], places: str) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal(places), ROUND_HALF_UP)


class _Tally:
    def __init__(self):
        self.received = self.answered = self.in_time = 0
        self.days: list[int] = []
        self.ratings: list[int] = []

    def add(self, row, calendar: WorkCalendar) -> None:
        received_at, answered_at, in_time, satisfaction = row
        self.received += 1
        if answered_at is not None:
            self.answered += 1
            self.in_time += bool(in_time)
            self.days.append(calendar.days_to_answer(received_at, answered_at))
        if satisfaction is not None:
            self.ratings.append(satisfaction)

    def row(self) -> dict:
        return {
            "received": self.received,
            "answered": self.answered,
            "in_time": self.in_time,
            "in_time_rate": _ratio(self.in_time, self.answered),
            "average_days": _mean(self.days, "0.1"),
            "rated": len(self.ratings),
            "satisfied": sum(1 for r in self.ratings if r >= SATISFIED),
            "satisfied_rate": _ratio(sum(1 for r in self.ratings if r >= SATISFIED), len(self.ratings)),
            "average_satisfaction": _mean(self.ratings, "0.01"),
        }


def department_figures(region_code: Region | str, year: int) -> list[dict]:
    """One row per department with letters (in Department order, 未分办 last), then 合计; one query."""
    calendar = WorkCalendar()
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    total = _Tally()
    rows = letters(region_code, year).values_list(
        "department", "received_at", "answered_at", "answered_in_time", "satisfaction"
    )
    for department, *row in rows:
        tallies[department].add(row, calendar)
        total.add(row, calendar)
    order = [d.value for d in Department] + sorted(set(tallies) - set(Department.values))
    result = []
    for department in order:
        if department in tallies:
            label = Department(department).label if department in Department.values else _("未分办")
            result.append({"department": department, "label": str(label), **tallies[department].row()})
    result.append({"department": "", "label": _("合计"), "total": True, **total.row()})
    return result


def report_figures(region: Region | str, year: int) -> list[Figure]:
    """收到来信, 按时答复率, 满意率 and 平均答复用时 of the region and year, each with its records."""
    qs = letters(region, year)
    total = department_figures(region, year)[-1]
    answered = qs.filter(answered_at__isnull=False)
    in_time = answered.filter(answered_in_time=True)
    rated = qs.filter(satisfaction__isnull=False)
    satisfied = rated.filter(satisfaction__gte=SATISFIED)
    piece, percent = _("件"), "%"
    kinds = tuple(
        Figure(str(label), qs.filter(kind=value).count(), qs.filter(kind=value), piece)
        for value, label in InquiryKind.choices
    )
    return [
        Figure(_("收到来信"), total["received"], qs, piece, kinds),
        Figure(
            _("按时答复率"),
            total["in_time_rate"],
            answered,
            percent,
            (
                Figure(_("已答复"), total["answered"], answered, piece),
                Figure(_("按时答复"), total["in_time"], in_time, piece),
            ),
        ),
        Figure(
            _("满意率"),
            total["satisfied_rate"],
            rated,
            percent,
            (
                Figure(_("参与评价"), total["rated"], rated, piece),
                Figure(_("满意（4分及以上）"), total["satisfied"], satisfied, piece),
                Figure(_("平均满意度"), total["average_satisfaction"], rated, _("分")),
            ),
        ),
        Figure(_("平均答复用时"), total["average_days"], answered, _("个工作日")),
    ]
