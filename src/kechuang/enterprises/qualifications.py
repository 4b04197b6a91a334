"""资质: registering, correcting and cancelling an enterprise's qualifications, and what they say about its tier.

Every write locks the enterprise's row first, so that two staff members registering the same certificate at
once cannot both pass the duplicate check, and every write refreshes the enterprise's tier.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kechuang.core.audit import acting, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.jobs import enqueue
from kechuang.core.permissions import require
from kechuang.organizations.enums import (
    DEFAULT_LEVEL,
    OrganizationKind,
    QualificationKind,
    QualificationLevel,
    Tier,
)
from kechuang.organizations.models import Organization, Qualification

from .permissions import can_manage_qualifications
from .services import organization_refresh_tier
from .tiers import TIER_ORDER, tier_of

# What a page, a form or the API may set on a qualification; the organization never changes.
EDITABLE_FIELDS = ("kind", "level", "certificate_no", "valid_from", "valid_until")

# A re-recognised enterprise's new certificate is often dated a few weeks before the old one runs out
# (高企 certificates of one batch carry one date); an overlap shorter than this is such a renewal, not a duplicate.
RENEWAL_OVERLAP_DAYS = 90

# Reminders before expiry and the "expiring" mark on pages use the same horizon.
EXPIRY_WARNING_DAYS = 90


class QualificationState(models.TextChoices):
    """Where a qualification stands on a given day (derived, never stored)."""

    IN_FORCE = "in_force", gettext_lazy("有效")
    NOT_YET = "not_yet", gettext_lazy("未生效")
    EXPIRED = "expired", gettext_lazy("已过期")
    REVOKED = "revoked", gettext_lazy("已取消")


def _today() -> date:
    return timezone.localdate()


def qualification_state(qualification: Qualification, day: date) -> QualificationState:
    if qualification.revoked_on is not None and qualification.revoked_on <= day:
        return QualificationState.REVOKED
    if day < qualification.valid_from:
        return QualificationState.NOT_YET
    if day > qualification.valid_until:
        return QualificationState.EXPIRED
    return QualificationState.IN_FORCE


def hnte_valid_until(valid_from: date) -> date:
    """The last day of a 高企 certificate dated `valid_from`: valid three years from the certificate date
    (国科发火〔2016〕32号 第九条), i.e. up to the day before the third anniversary."""
    try:
        anniversary = valid_from.replace(year=valid_from.year + 3)
    except ValueError:  # dated 29 February: the anniversary in a common year is 1 March
        anniversary = date(valid_from.year + 3, 3, 1)
    return anniversary - timedelta(days=1)


def suggested_valid_until(kind: str | None, valid_from: date | None) -> date | None:
    """The 有效期至 a form pre-fills: known only for 高企, whose validity the rules fix."""
    if kind == QualificationKind.HNTE and valid_from is not None:
        return hnte_valid_until(valid_from)
    return None


def qualification_warnings(*, kind: str, valid_from: date | None, valid_until: date | None) -> list[str]:
    """Doubts worth showing that do not stop a save (the certificate in hand may say otherwise)."""
    expected = suggested_valid_until(kind, valid_from)
    if expected is not None and valid_until is not None and valid_until != expected:
        return [
            _(
                "高新技术企业资格自颁发证书之日起有效期为三年（国科发火〔2016〕32号第九条），"
                "发证日期%(from)s对应的有效期至应为%(expected)s，登记的是%(until)s，请核对证书。"
            )
            % {
                "from": valid_from.isoformat(),
                "expected": expected.isoformat(),
                "until": valid_until.isoformat(),
            }
        ]
    return []


def _end_of_force(qualification: Qualification) -> date:
    """The last day the qualification was or will be in force."""
    if qualification.revoked_on is not None:
        return min(qualification.valid_until, qualification.revoked_on - timedelta(days=1))
    return qualification.valid_until


def _check_no_duplicate(target: Qualification) -> None:
    """Refuse a second qualification of the same kind and level whose period overlaps, and a certificate
    number already registered for that kind."""
    if target.certificate_no:
        same_number = (
            Qualification.objects.filter(kind=target.kind, certificate_no__iexact=target.certificate_no)
            .exclude(pk=target.pk)
            .select_related("organization")
            .first()
        )
        if same_number is not None:
            raise DomainError(
                _("证书编号%(no)s已登记（%(name)s），不能重复登记。")
                % {"no": target.certificate_no, "name": same_number.organization.name},
                field="certificate_no",
            )
    others = (
        Qualification.objects.filter(
            organization_id=target.organization_id,
            kind=target.kind,
            level=target.level,
            valid_from__lte=target.valid_until,
            valid_until__gte=target.valid_from,
        )
        .exclude(pk=target.pk)
        .order_by("valid_from", "pk")
    )
    for other in others:
        other_end = _end_of_force(other)
        start, end = max(other.valid_from, target.valid_from), min(other_end, target.valid_until)
        if end < start:
            continue  # the other was cancelled before this one begins
        earlier, later = sorted(
            [(other.valid_from, other_end), (target.valid_from, target.valid_until)], key=lambda p: p[0]
        )
        renewal = later[0] > earlier[0] and later[1] > earlier[1]
        if renewal and (end - start).days < RENEWAL_OVERLAP_DAYS:
            continue
        raise DomainError(
            _(
                "该企业已登记%(kind)s（%(level)s，%(from)s至%(until)s），与本次登记的有效期重叠，不能重复登记；"
                "如为重新认定，新证书的发证日期应在原证书到期前%(days)d天以内。"
            )
            % {
                "kind": other.get_kind_display(),
                "level": other.get_level_display(),
                "from": other.valid_from.isoformat(),
                "until": other_end.isoformat(),
                "days": RENEWAL_OVERLAP_DAYS,
            },
            field="valid_from",
        )


def _validated(values: dict) -> dict:
    """Normalise and check the editable values (already merged with the record's current ones)."""
    kind = values.get("kind") or ""
    if kind not in QualificationKind.values:
        raise DomainError(_("请选择资质类型。"), field="kind")
    level = values.get("level") or DEFAULT_LEVEL[QualificationKind(kind)]
    if level not in QualificationLevel.values:
        raise DomainError(_("资质级别不正确。"), field="level")
    valid_from = values.get("valid_from")
    if valid_from is None:
        raise DomainError(_("请填写发证日期。"), field="valid_from")
    valid_until = values.get("valid_until") or suggested_valid_until(kind, valid_from)
    if valid_until is None:
        raise DomainError(_("请填写有效期至。"), field="valid_until")
    if valid_until <= valid_from:
        raise DomainError(_("有效期至应晚于发证日期。"), field="valid_until")
    return {
        "kind": kind,
        "level": level,
        "certificate_no": (values.get("certificate_no") or "").strip(),
        "valid_from": valid_from,
        "valid_until": valid_until,
    }


def _require_enterprise(organization: Organization) -> None:
    # can_manage_qualifications means to refuse other kinds too; checked here as well so no other
    # organization can ever carry a tier.
    if organization.kind != OrganizationKind.ENTERPRISE:
        raise DomainError(_("该单位不是企业。"))


def _full_clean(qualification: Qualification) -> None:
    try:
        qualification.full_clean(exclude=["organization", "revoke_reason"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field) from exc


@acting
@transaction.atomic
def qualification_save(
    *,
    organization: Organization,
    data: dict,
    qualification: Qualification | None = None,
    expected_version: int | None = None,
    by,
) -> Qualification:
    """Register a qualification of `organization` (or correct `qualification`) and refresh its tier.

    A 高企 without 有效期至 gets the three years the rules fix; the level defaults by kind; a duplicate of the
    same kind and level overlapping in time is refused.
    """
    locked_org = Organization.objects.select_for_update().get(pk=organization.pk)
    require(can_manage_qualifications(by, locked_org))
    _require_enterprise(locked_org)
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise DomainError(_("不允许修改字段：%(field)s") % {"field": unknown[0]}, field=unknown[0])
    if qualification is None:
        target = Qualification(organization=locked_org)
    else:
        target = Qualification.objects.select_for_update().get(pk=qualification.pk)
        if target.organization_id != locked_org.pk:
            raise DomainError(_("该资质不属于此企业。"))
        target.check_version(expected_version)
        if target.revoked_on is not None:
            raise DomainError(_("已取消的资质不能修改。"))
    current = {name: getattr(target, name) for name in EDITABLE_FIELDS} if target.pk else {}
    values = _validated({**current, **data})
    for name, value in values.items():
        setattr(target, name, value)
    _full_clean(target)
    _check_no_duplicate(target)
    if target.pk:
        target.bump_version()
    target.save()
    organization_refresh_tier(organization_id=locked_org.pk, day=_today())
    enqueue("enterprises.assess_one", organization_id=locked_org.pk)  # a valid 高企 is a 科小 direct route
    return target


@acting
@transaction.atomic
def qualification_revoke(
    *, qualification: Qualification, on: date, reason: str, by, expected_version: int | None = None
) -> Qualification:
    """取消资格: the qualification stops counting from `on`; the reason is required and kept in the audit trail."""
    locked_org = Organization.objects.select_for_update().get(pk=qualification.organization_id)
    target = Qualification.objects.select_for_update().get(pk=qualification.pk)
    require(can_manage_qualifications(by, locked_org))
    target.check_version(expected_version)
    if target.revoked_on is not None:
        raise DomainError(_("该资质已于%(day)s取消。") % {"day": target.revoked_on.isoformat()})
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写取消原因。"), field="reason")
    if len(reason) > Qualification._meta.get_field("revoke_reason").max_length:
        raise DomainError(_("取消原因不能超过200字。"), field="reason")
    if on is None:
        raise DomainError(_("请填写取消日期。"), field="on")
    if on < target.valid_from:
        raise DomainError(
            _("取消日期不能早于发证日期（%(day)s）。") % {"day": target.valid_from.isoformat()}, field="on"
        )
    if on > target.valid_until:
        raise DomainError(
            _("该资质已于%(day)s到期，取消日期不能晚于有效期至。") % {"day": target.valid_until.isoformat()},
            field="on",
        )
    before = qualification_state(target, _today())
    target.revoked_on = on
    target.revoke_reason = reason
    target.bump_version()
    target.save()
    record_transition(
        instance=target, by=by, from_state=before, to_state=QualificationState.REVOKED, reason=reason
    )
    organization_refresh_tier(organization_id=target.organization_id, day=_today())
    enqueue("enterprises.notify_qualification_revoked", qualification_id=target.pk)
    enqueue("enterprises.assess_one", organization_id=target.organization_id)
    return target


# --- the tier, explained ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NextRung:
    tier: Tier
    how: str
    assessment: bool  # whether the self-assessment (自评) measures the gap


@dataclass(frozen=True)
class TierExplanation:
    tier: Tier
    basis: list[Qualification]  # the qualifications in force that place the enterprise on its rung
    next: NextRung | None


def _next_rung(tier: Tier) -> NextRung | None:
    position = TIER_ORDER.index(tier)
    if position + 1 >= len(TIER_ORDER):
        return None
    target = TIER_ORDER[position + 1]
    how = {
        Tier.TSME: (_("通过科技型中小企业评价并入库"), True),
        Tier.HNTE: (_("通过高新技术企业认定"), True),
        Tier.RD_INSTITUTION: (
            _("建成省级企业研究院、省级高新技术企业研究开发中心或省级以上企业技术中心"),
            False,
        ),
        Tier.LEADER: (_("认定为创新型领军企业或省级重点企业研究院"), False),
    }[target]
    return NextRung(tier=target, how=how[0], assessment=how[1])


def tier_explained(*, qualifications, day: date) -> TierExplanation:
    """The rung the qualifications in force on `day` put the enterprise on, which of them do, and the next rung.

    Computed from the qualifications, not read from the stored tier, so the page is right even on the day of
    an expiry before the nightly refresh.
    """
    in_force = [q for q in qualifications if q.in_force_on(day)]
    tier = tier_of((q.kind, q.level) for q in in_force)
    basis = [q for q in in_force if tier != Tier.NONE and tier_of([(q.kind, q.level)]) == tier]
    basis.sort(key=lambda q: q.valid_until, reverse=True)
    return TierExplanation(tier=tier, basis=basis, next=_next_rung(tier))
