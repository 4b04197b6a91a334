"""Background jobs of the enterprise module (run through kechuang.core.jobs).

`enterprises.daily` is scheduled once a day (CELERY_BEAT_SCHEDULE in production, the `enterprises_daily`
management command from cron in the embedded default). Every reminder has a dedupe key per record and
occasion and is sent inside a window rather than on one exact day, so running twice sends once and a skipped
day loses nothing.
"""

import calendar
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kechuang.accounts.enums import MembershipStatus
from kechuang.accounts.models import User
from kechuang.core.jobs import job
from kechuang.core.models import Notification
from kechuang.core.notifications import notify
from kechuang.organizations.enums import OrganizationKind, QualificationKind, VerificationStatus
from kechuang.organizations.models import Organization, Qualification

from .enums import AnnualDataStatus
from .models import AnnualData, LiaisonAssignment
from .services import tiers_refresh_all

# Days before 有效期至 on which the enterprise is reminded; each is sent once, the nearest one due.
EXPIRY_OFFSETS = (90, 30)
# 高企 年度发展情况报表 are due by the end of May (国科发火〔2016〕32号 第十三条); remind this many days before,
# and once after the due date has passed; a reminder missed on its day is still sent within this window.
ANNUAL_DATA_NOTICE_DAYS = 30
_CHUNK = 900  # SQLite's limit on query parameters


def _day(today) -> date:
    if today is None:
        return timezone.localdate()
    if isinstance(today, date):
        return today
    return date.fromisoformat(today)


def _chunks(items: list, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def annual_data_due(year: int) -> date:
    """The day by which the previous year's annual data must be submitted in `year` (KECHUANG_ANNUAL_DATA_DUE)."""
    setting = settings.KECHUANG_ANNUAL_DATA_DUE
    try:
        month, day = (int(part) for part in str(setting).split("-"))
        date(2000, month, day)  # a leap year: accepts every day some year has
    except ValueError as exc:
        raise ImproperlyConfigured(f"KECHUANG_ANNUAL_DATA_DUE must be MM-DD, not {setting!r}") from exc
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def _recipients(organization_ids: list[int], day: date) -> dict[int, list[User]]:
    """Per enterprise: its active users and the staff whose liaison assignment is current on `day`."""
    found: dict[int, dict[int, User]] = defaultdict(dict)
    for ids in _chunks(organization_ids):
        for user in User.objects.filter(
            organization_id__in=ids, is_active=True, membership_status=MembershipStatus.ACTIVE
        ).order_by("pk"):
            found[user.organization_id][user.pk] = user
        liaisons = (
            LiaisonAssignment.objects.filter(organization_id__in=ids, since__lte=day, staff__is_active=True)
            .filter(Q(until__isnull=True) | Q(until__gte=day))
            .select_related("staff")
            .order_by("pk")
        )
        for assignment in liaisons:
            found[assignment.organization_id][assignment.staff_id] = assignment.staff
    return {org_id: list(users.values()) for org_id, users in found.items()}


def _already_sent(keys: list[str]) -> set[tuple[str, int]]:
    sent: set[tuple[str, int]] = set()
    for chunk in _chunks(keys):
        sent.update(
            Notification.objects.filter(dedupe_key__in=chunk).values_list("dedupe_key", "recipient_id")
        )
    return sent


def expiry_offset(days_left: int) -> int | None:
    """Which reminder is due with `days_left` days to go: the nearest offset not yet passed, else none."""
    due = [offset for offset in EXPIRY_OFFSETS if 0 <= days_left <= offset]
    return min(due) if due else None


@job("enterprises.qualification_reminders")
def qualification_reminders(*, today=None) -> int:
    """Remind each enterprise (and its liaison staff) 90 and 30 days before a qualification expires.

    A qualification already followed by a later certificate of the same kind (re-recognised) is not reminded.
    Returns how many messages were created.
    """
    day = _day(today)
    renewed = Qualification.objects.filter(
        organization_id=OuterRef("organization_id"),
        kind=OuterRef("kind"),
        valid_until__gt=OuterRef("valid_until"),
        revoked_on__isnull=True,
    )
    expiring = list(
        Qualification.objects.in_force(day)
        .filter(
            valid_until__lte=day + timedelta(days=max(EXPIRY_OFFSETS)),
            organization__kind=OrganizationKind.ENTERPRISE,
        )
        .exclude(Exists(renewed))
        .select_related("organization")
        .order_by("valid_until", "pk")
    )
    due = []
    for qualification in expiring:
        days_left = (qualification.valid_until - day).days
        offset = expiry_offset(days_left)
        if offset is not None:
            due.append((qualification, days_left, f"qualification-expiry-{qualification.pk}-{offset}"))
    recipients = _recipients(sorted({q.organization_id for q, _d, _k in due}), day)
    sent_before = _already_sent([key for _q, _d, key in due])
    sent = 0
    for qualification, days_left, key in due:
        missing = [
            u for u in recipients.get(qualification.organization_id, []) if (key, u.pk) not in sent_before
        ]
        if not missing:
            continue
        organization = qualification.organization
        kind = qualification.get_kind_display()
        body = ngettext(
            "%(name)s的%(kind)s（证书编号：%(no)s）将于%(until)s到期，还有%(days)d天。",
            "%(name)s的%(kind)s（证书编号：%(no)s）将于%(until)s到期，还有%(days)d天。",
            days_left,
        ) % {
            "name": organization.name,
            "kind": kind,
            "no": qualification.certificate_no or "—",
            "until": qualification.valid_until.isoformat(),
            "days": days_left,
        }
        if qualification.kind == QualificationKind.HNTE:
            body += _("高新技术企业资格期满前，请及时按认定程序申请重新认定。")
        else:
            body += _("如需继续保持该资质，请及时办理复核或重新认定。")
        sent += notify(
            recipients=missing,
            subject=_("资质即将到期：%(kind)s（%(until)s）")
            % {"kind": kind, "until": qualification.valid_until.isoformat()},
            body=body,
            link=reverse("enterprises:detail", args=[organization.pk]) + "#qualifications",
            dedupe_key=key,
        )
    return sent


def annual_data_phase(day: date) -> tuple[str, int, date] | None:
    """("due", year, due date) in the days before the annual data falls due, ("overdue", …) in the days after,
    else None. `year` is the fiscal year whose data is due."""
    due = annual_data_due(day.year)
    if due - timedelta(days=ANNUAL_DATA_NOTICE_DAYS) <= day <= due:
        return "due", day.year - 1, due
    if due < day <= due + timedelta(days=ANNUAL_DATA_NOTICE_DAYS):
        return "overdue", day.year - 1, due
    return None


@job("enterprises.annual_data_reminders")
def annual_data_reminders(*, today=None) -> int:
    """Remind verified enterprises without submitted annual data for the previous year, 30 days before the due
    date (KECHUANG_ANNUAL_DATA_DUE, default 05-31) and once it has passed. Returns how many messages were created."""
    day = _day(today)
    phase = annual_data_phase(day)
    if phase is None:
        return 0
    occasion, year, due = phase
    submitted = AnnualData.objects.filter(
        organization_id=OuterRef("pk"), year=year, status=AnnualDataStatus.SUBMITTED
    )
    organizations = list(
        Organization.objects.filter(kind=OrganizationKind.ENTERPRISE, status=VerificationStatus.VERIFIED)
        .exclude(Exists(submitted))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    recipients = _recipients(organizations, day)
    prefix = f"annual-data-{year}-{occasion}-"
    sent_before = set(
        Notification.objects.filter(dedupe_key__startswith=prefix).values_list("dedupe_key", "recipient_id")
    )
    # 高企 holders (now, or at the end of the year reported on) are told what not reporting costs them.
    hnte = {
        org_id
        for on in (day, date(year, 12, 31))
        for org_id in Qualification.objects.in_force(on)
        .filter(kind=QualificationKind.HNTE)
        .values_list("organization_id", flat=True)
    }
    values = {"year": year, "due": due.isoformat()}
    if occasion == "due":
        subject = _("请于%(due)s前填报%(year)d年度企业数据") % values
        body = _("贵企业尚未提交%(year)d年度数据，截止日期为%(due)s。") % values
    else:
        subject = _("%(year)d年度企业数据已逾期未报") % values
        body = _("贵企业%(year)d年度数据应于%(due)s前提交，至今尚未提交，请尽快填报。") % values
    hnte_note = _(
        "高新技术企业须于每年5月底前填报上一年度发展情况报表（国科发火〔2016〕32号第十三条），"
        "累计两年未填报的将被取消高新技术企业资格（第十九条）。"
    )
    sent = 0
    for pk in organizations:
        key = f"{prefix}{pk}"
        missing = [u for u in recipients.get(pk, []) if (key, u.pk) not in sent_before]
        if not missing:
            continue
        sent += notify(
            recipients=missing,
            subject=subject,
            body=body + (hnte_note if pk in hnte else ""),
            link=reverse("enterprises:detail", args=[pk]) + "#annual",
            dedupe_key=key,
        )
    return sent


@job("enterprises.tiers_refresh")
def tiers_refresh(*, today=None) -> int:
    """Recompute every enterprise's tier for `today` (qualifications expire overnight)."""
    return tiers_refresh_all(day=_day(today))


@job("enterprises.daily")
def daily(*, today=None) -> dict:
    """The enterprise module's daily run, in the order each step needs the one before: tiers (so reminders and
    lists agree), the self-assessment of every enterprise, the reserve pool proposals that read it, then the
    reminders."""
    from .assessment_jobs import assess_all_job
    from .liaison_jobs import follow_up_reminders
    from .reserve_jobs import reserve_nightly

    day = _day(today).isoformat()
    return {
        "tiers_changed": tiers_refresh(today=day),
        "assessed": assess_all_job(day=day),
        "reserve": reserve_nightly(day=day),
        "qualification_reminders": qualification_reminders(today=day),
        "annual_data_reminders": annual_data_reminders(today=day),
        "follow_up_reminders": follow_up_reminders(day=day),
    }


@job("enterprises.notify_qualification_revoked")
def notify_qualification_revoked(*, qualification_id: int) -> int:
    """Tell the enterprise's users that a qualification was cancelled, and why."""
    qualification = Qualification.objects.select_related("organization").filter(pk=qualification_id).first()
    if qualification is None or qualification.revoked_on is None:
        return 0
    organization = qualification.organization
    return notify(
        recipients=User.objects.filter(
            organization=organization, is_active=True, membership_status=MembershipStatus.ACTIVE
        ),
        subject=_("资质已取消：%(kind)s") % {"kind": qualification.get_kind_display()},
        body=_("%(name)s的%(kind)s（证书编号：%(no)s）自%(day)s起取消。原因：%(reason)s")
        % {
            "name": organization.name,
            "kind": qualification.get_kind_display(),
            "no": qualification.certificate_no or "—",
            "day": qualification.revoked_on.isoformat(),
            "reason": qualification.revoke_reason,
        },
        link=reverse("enterprises:detail", args=[organization.pk]) + "#qualifications",
        dedupe_key=f"qualification-revoked-{qualification.pk}",
    )


# core.jobs imports only this module of the app; the areas keep their jobs beside them.
from . import assessment_jobs, liaison_jobs, reserve_jobs  # noqa: E402, F401
