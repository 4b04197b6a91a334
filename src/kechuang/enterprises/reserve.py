"""后备库 (reserve pool): enterprises cultivated towards 高新技术企业 or 科技型中小企业 in a target year.

Candidates come from the rules (`reserve_propose`, over the stored self-assessments) or from an officer
(`reserve_add`). Officers then move each entry through a small table of statuses (`RESERVE_TRANSITIONS`);
every move is recorded with who, when, from, to and why. There is one entry per enterprise, kind and
target year (a database constraint), so a rules run never duplicates an entry and never brings back one an
officer removed.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.enums import Role
from kechuang.core.audit import acting, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.models import AuditLog
from kechuang.core.permissions import Allowed, Denied, require
from kechuang.core.scoping import scope_by_region
from kechuang.organizations.enums import OrganizationKind, VerificationStatus
from kechuang.organizations.models import Organization, Qualification

from .enums import AssessmentKind, ReserveSource, ReserveStatus
from .models import AssessmentResult, ReserveEntry
from .permissions import can_curate_reserve

S = ReserveStatus

# Which status an officer may move an entry to from each status. 已认定 is final: only a new target year
# starts a new entry. Removal needs a reason (see reserve_transition).
RESERVE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.PROPOSED: (S.CULTIVATING, S.REMOVED),
    S.CULTIVATING: (S.APPLIED, S.REMOVED),
    S.APPLIED: (S.RECOGNIZED, S.CULTIVATING, S.REMOVED),
    S.REMOVED: (S.CULTIVATING,),
    S.RECOGNIZED: (),
}
OPEN_STATUSES = (S.PROPOSED, S.CULTIVATING, S.APPLIED)

# The pass mark of each qualification's score (rules.md): 高企 创新能力评价 "70分以上（不含70分）", 科小 综合评价
# "不低于60分". A score at most `margin` points below it counts as near the threshold.
PASS_MARK = {AssessmentKind.HNTE: Decimal("70"), AssessmentKind.TSME: Decimal("60")}
PASS_INCLUSIVE = {AssessmentKind.HNTE: False, AssessmentKind.TSME: True}
DEFAULT_MARGIN = {AssessmentKind.HNTE: Decimal("10"), AssessmentKind.TSME: Decimal("10")}

# Who does cultivation work: the bureau's staff and the town officers (leaders only read).
_CURATORS = {Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.OFFICER}


def reserve_margin(kind: str) -> Decimal:
    """Points below the pass mark that still count as near it; KECHUANG_RESERVE_MARGIN={"hnte": 10} overrides."""
    configured = getattr(settings, "KECHUANG_RESERVE_MARGIN", {}) or {}
    value = configured.get(str(kind))
    return Decimal(str(value)) if value is not None else DEFAULT_MARGIN[kind]


def near_band(kind: str) -> tuple[Decimal, Decimal, bool]:
    """(lowest score, pass mark, whether the pass mark itself passes) of the near-threshold band."""
    mark = PASS_MARK[kind]
    return mark - reserve_margin(kind), mark, PASS_INCLUSIVE[kind]


def can_view_reserve(user) -> "Allowed | Denied":
    """The pool is internal: the bureau (leaders read) and the town officers, each in their region."""
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if user.is_superuser or user.is_region_scoped:
        return Allowed()
    return Denied(_("后备库仅供科技局人员和属地科技干部查看。"))


def can_propose_reserve(user) -> "Allowed | Denied":
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if user.is_superuser or user.role in _CURATORS:
        return Allowed()
    return Denied(_("只有属地科技局人员或镇街科技干部可以维护后备库。"))


# ---------------------------------------------------------------------------------------------------------
# Reads


def reserve_entries_visible_to(*, user) -> QuerySet[ReserveEntry]:
    """Reserve entries of the enterprises in the user's region; nothing for users outside the bureau."""
    qs = ReserveEntry.objects.select_related("organization", "organization__region")
    if not can_view_reserve(user):
        return qs.none()
    return scope_by_region(qs, user, field="organization__region")


def reserve_entries_listed(*, user) -> QuerySet[ReserveEntry]:
    """The list page's rows: each with its assessment's score and unmet conditions, and the last remark."""
    assessment = AssessmentResult.objects.filter(organization=OuterRef("organization"), kind=OuterRef("kind"))
    remarks = AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(ReserveEntry),
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        action=AuditLog.Action.TRANSITION,
    ).order_by("-at", "-id")
    return (
        reserve_entries_visible_to(user=user)
        .annotate(
            score=Subquery(assessment.values("score")[:1]),
            failed=Subquery(assessment.values("failed")[:1]),
            last_remark=Subquery(remarks.values("reason")[:1]),
        )
        .order_by("-target_year", "organization__name", "kind", "pk")
    )


def reserve_transitions_allowed(entry: ReserveEntry) -> tuple[str, ...]:
    """The statuses `entry` may move to next (for buttons; reserve_transition checks again)."""
    return RESERVE_TRANSITIONS.get(entry.status, ())


# ---------------------------------------------------------------------------------------------------------
# The rules


def _holding(kind: str, *, target_year: int, day: date) -> QuerySet:
    """Organizations whose qualification of `kind` is in force on `day` and lasts the whole target year.

    One that expires before the end of the target year must be recognised again (高企 after three years,
    科小 every year), so it is still a candidate.
    """
    return (
        Qualification.objects.filter(kind=kind)
        .in_force(day)
        .filter(valid_until__gte=date(target_year, 12, 31))
        .values("organization_id")
    )


def _checks(result) -> list[dict]:
    """The list of checks in a stored assessment result, whatever wrapper it came in."""
    if isinstance(result, list):
        return [c for c in result if isinstance(c, dict)]
    if not isinstance(result, dict):
        return []
    for key in ("checks", "conditions", "items"):
        value = result.get(key)
        if isinstance(value, list):
            return [c for c in value if isinstance(c, dict)]
    return []


def _failed_checks(result) -> list[dict]:
    # `passed` is True, False, or None for a condition the data cannot decide yet; a check that is not
    # `required` is shown for information only (assessment.Check) and does not count.
    return [c for c in _checks(result) if c.get("passed") is False and c.get("required", True) is not False]


def _gap(result, check: dict) -> str:
    """The "还差…" line of a failing check: its own `gap`, or its line in the result's `missing` list, which
    holds one gap per required check that did not pass, in check order (evaluate.serialize)."""
    if check.get("gap"):
        return _plain(check["gap"])
    missing = result.get("missing") if isinstance(result, dict) else None
    if not isinstance(missing, list):
        return ""
    not_passed = [
        c for c in _checks(result) if c.get("passed") is not True and c.get("required", True) is not False
    ]
    if len(not_passed) != len(missing):
        return ""
    for index, candidate in enumerate(not_passed):
        if candidate is check:
            return _plain(missing[index])
    return ""


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float | Decimal):
        return f"{Decimal(str(value)).normalize():f}"
    return str(value).strip()


def _fmt_score(score: Decimal) -> str:
    return f"{Decimal(score).quantize(Decimal('0.1')).normalize():f}"


def proposal_reason(assessment: AssessmentResult) -> str:
    """A plain-Chinese sentence saying why the rules put this enterprise in the pool."""
    kind_label = AssessmentKind(assessment.kind).label
    if assessment.failed == 1:
        failed = _failed_checks(assessment.result)
        if not failed:
            return _("仅差一项%(kind)s认定条件未满足。") % {"kind": kind_label}
        check = failed[0]
        name = _plain(check.get("label") or check.get("rule") or check.get("code")) or _("一项条件")
        # The check's gap ("科技人员还差3人") says best what is missing; then its message, then the figures.
        detail = _gap(assessment.result, check) or _plain(check.get("message"))
        if not detail:
            figure, threshold = _plain(check.get("figure")), _plain(check.get("threshold"))
            if figure and threshold:
                detail = _("现为%(figure)s，要求%(threshold)s") % {"figure": figure, "threshold": threshold}
        if detail:
            return _("仅差一项条件：%(name)s（%(detail)s）。") % {"name": name, "detail": detail.rstrip("。")}
        return _("仅差一项条件：%(name)s。") % {"name": name}
    if assessment.eligible and assessment.failed == 0:
        return _("自评已满足%(kind)s全部认定条件，尚未认定，可组织申报。") % {"kind": kind_label}
    low, mark, _inclusive = near_band(assessment.kind)
    return _("自评得分估计%(score)s分，接近%(mark)s分的认定线，其他条件均未发现不满足。") % {
        "score": _fmt_score(assessment.score),
        "mark": _fmt_score(mark),
    }


def reserve_candidates(*, target_year: int, kind: str, day: date | None = None, user=None) -> QuerySet:
    """Self-assessments that put an enterprise forward for `kind` in `target_year` (none in the pool yet).

    The rules: all conditions met but not recognised; all but one condition met (failed == 1); or no
    condition failed and the score estimate within the margin below the pass mark (a score that the data
    cannot yet decide). Enterprises already holding the qualification for the whole target year, those the
    bureau rejected at verification, and those with an entry for that kind and year in any status
    (including one an officer removed) are left out.
    """
    day = day or timezone.localdate()
    low, mark, inclusive = near_band(kind)
    near = Q(failed=0, score__gte=low) & (Q(score__lt=mark) if inclusive else Q(score__lte=mark))
    qs = (
        AssessmentResult.objects.filter(kind=kind, organization__kind=OrganizationKind.ENTERPRISE)
        .exclude(organization__status=VerificationStatus.REJECTED)
        .filter(Q(failed=1) | Q(failed=0, eligible=True) | near)
        .exclude(organization_id__in=_holding(kind, target_year=target_year, day=day))
        .exclude(
            organization_id__in=ReserveEntry.objects.filter(kind=kind, target_year=target_year).values(
                "organization_id"
            )
        )
        .select_related("organization")
        .order_by("organization_id")
    )
    if user is not None:
        qs = scope_by_region(qs, user, field="organization__region")
    return qs


@dataclass(frozen=True)
class ProposalRun:
    """What one rules run did: the entries it created and how many candidates it found already there."""

    created: list[ReserveEntry]
    target_year: int
    kind: str

    @property
    def count(self) -> int:
        return len(self.created)


@acting
def reserve_propose(*, target_year: int, kind: str, by=None, day: date | None = None) -> ProposalRun:
    """Put the enterprises the rules select (`reserve_candidates`) in the pool as 系统推荐; safe to run twice.

    With `by`, only enterprises in that user's region are considered and the entries are recorded as theirs;
    without it (the nightly job) every enterprise is.
    """
    if kind not in AssessmentKind.values:
        raise DomainError(_("培育方向不正确。"), field="kind")
    _check_year(target_year)
    if by is not None:
        require(can_propose_reserve(by))
    created = []
    for assessment in reserve_candidates(target_year=target_year, kind=kind, day=day, user=by).iterator(
        chunk_size=500
    ):
        entry = ReserveEntry(
            organization=assessment.organization,
            kind=kind,
            target_year=target_year,
            status=S.PROPOSED,
            source=ReserveSource.RULES,
            reason=proposal_reason(assessment)[:300],
        )
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            continue  # another run (or an officer) added it meanwhile: the constraint keeps one entry
        created.append(entry)
    return ProposalRun(created=created, target_year=target_year, kind=kind)


def _check_year(target_year) -> None:
    this_year = timezone.localdate().year
    if not isinstance(target_year, int) or not (this_year - 1 <= target_year <= this_year + 5):
        raise DomainError(
            _("目标年度应在%(low)s年至%(high)s年之间。") % {"low": this_year - 1, "high": this_year + 5},
            field="target_year",
        )


# ---------------------------------------------------------------------------------------------------------
# Officers' writes


@acting
@transaction.atomic
def reserve_add(
    *, organization: Organization, kind: str, target_year: int, reason: str, by, note: str = ""
) -> ReserveEntry:
    """An officer puts an enterprise in the pool by hand (人工添加), with the reason; it starts 培育中."""
    require(can_curate_reserve(by, organization))
    if kind not in AssessmentKind.values:
        raise DomainError(_("培育方向不正确。"), field="kind")
    _check_year(target_year)
    if not reason.strip():
        raise DomainError(_("请填写入库理由。"), field="reason")
    day = timezone.localdate()
    if _holding(kind, target_year=target_year, day=day).filter(organization_id=organization.pk).exists():
        raise DomainError(
            _("该企业已持有有效的%(kind)s资质，无需入库培育。") % {"kind": AssessmentKind(kind).label}
        )
    existing = ReserveEntry.objects.filter(
        organization=organization, kind=kind, target_year=target_year
    ).first()
    if existing is not None:
        raise DomainError(
            _("该企业已在%(year)s年%(kind)s后备库中（状态：%(status)s）。")
            % {
                "year": target_year,
                "kind": existing.get_kind_display(),
                "status": existing.get_status_display(),
            }
        )
    entry = ReserveEntry(
        organization=organization,
        kind=kind,
        target_year=target_year,
        status=S.CULTIVATING,
        source=ReserveSource.OFFICER,
        reason=reason.strip()[:300],
        note=note.strip(),
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise DomainError(_("该企业已在后备库中。")) from exc
    return entry


@acting
@transaction.atomic
def reserve_transition(
    *, entry: ReserveEntry, to: str, reason: str = "", by, expected_version: int | None = None, note=None
) -> ReserveEntry:
    """Move an entry to status `to` along RESERVE_TRANSITIONS; removal needs a reason. `note`, when given,
    replaces the entry's 培育说明."""
    locked = ReserveEntry.objects.select_for_update().select_related("organization").get(pk=entry.pk)
    require(can_curate_reserve(by, locked.organization))
    locked.check_version(expected_version)
    source = locked.status
    if to not in RESERVE_TRANSITIONS.get(source, ()):
        raise DomainError(
            _("后备库状态不能从“%(from)s”改为“%(to)s”。")
            % {"from": S(source).label, "to": S(to).label if to in S.values else to},
            field="to",
        )
    reason = (reason or "").strip()
    if to == S.REMOVED and not reason:
        raise DomainError(_("移出后备库时请填写理由。"), field="reason")
    locked.status = to
    locked.status_since = timezone.now()
    if note is not None:
        locked.note = note.strip()
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=source, to_state=to, reason=reason)
    return locked


@acting
@transaction.atomic
def reserve_mark_recognized(*, organization_id: int, kind: str, by=None, day: date | None = None) -> int:
    """The enterprise now holds the qualification: its open entries for `kind` become 已认定. Returns how many.

    Entries whose target year is not after the year of recognition are closed. Called when a qualification
    is registered, and by the nightly job for those registered otherwise (imports). It is a fact, not an officer's choice, so it may skip steps of the table (e.g. 培育中 → 已认定).
    """
    day = day or timezone.localdate()
    held = Qualification.objects.filter(organization_id=organization_id, kind=kind).in_force(day)
    recognized_in = max((q.valid_from.year for q in held), default=None)
    if recognized_in is None:
        return 0
    changed = 0
    # Entries aiming at a later year stay open: a 科小 is evaluated again every year, a 高企 after three.
    for entry in ReserveEntry.objects.select_for_update().filter(
        organization_id=organization_id, kind=kind, status__in=OPEN_STATUSES, target_year__lte=recognized_in
    ):
        source = entry.status
        entry.status = S.RECOGNIZED
        entry.status_since = timezone.now()
        entry.bump_version()
        entry.save()
        record_transition(
            instance=entry, by=by, from_state=source, to_state=S.RECOGNIZED, reason=_("已取得资质。")
        )
        changed += 1
    return changed


def reserve_sync_recognized(*, day: date | None = None) -> int:
    """Mark every open entry whose enterprise now holds the qualification (the nightly sweep)."""
    day = day or timezone.localdate()
    changed = 0
    for kind in AssessmentKind.values:
        holders = Qualification.objects.filter(kind=kind).in_force(day).values("organization_id")
        organization_ids = (
            ReserveEntry.objects.filter(kind=kind, status__in=OPEN_STATUSES, organization_id__in=holders)
            .values_list("organization_id", flat=True)
            .distinct()
        )
        for organization_id in list(organization_ids):
            changed += reserve_mark_recognized(organization_id=organization_id, kind=kind, day=day)
    return changed
