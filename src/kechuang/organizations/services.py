"""Writes on organizations: each is atomic, checks permission, and leaves an audit record."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import acting, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.jobs import enqueue
from kechuang.core.permissions import require

from .enums import VerificationStatus
from .models import Organization
from .permissions import (
    can_change_organization,
    can_create_organization,
    can_override_credit_code,
    can_verify_organization,
)
from .validators import credit_code_only_check_character_wrong, credit_code_problem, normalize_credit_code

# Everything bureau staff may edit, in the order forms show it.
BUREAU_EDITABLE_FIELDS = (
    "kind",
    "name",
    "credit_code",
    "credit_code_override_reason",
    "institution_type",
    "region",
    "address",
    "industry",
    "tech_field",
    "founded_on",
    "size",
    "legal_representative",
    "shareholders",
    "contact_phone",
    "license_file",
)
# An organization's own admin may not change its identity (kind, credit code) or its region.
SELF_EDITABLE_FIELDS = tuple(
    f
    for f in BUREAU_EDITABLE_FIELDS
    if f not in ("kind", "credit_code", "credit_code_override_reason", "region")
)


def check_credit_code(*, code: str, by=None, override_reason: str = "", exclude_pk=None) -> str:
    """Normalise and check a credit code; raise DomainError with the reason it is refused."""
    code = normalize_credit_code(code)
    problem = credit_code_problem(code)
    if problem:
        # rules.md §4.3: real pre-2015 pilot codes fail the check; bureau staff may register them.
        overridable = credit_code_only_check_character_wrong(code)
        if not (overridable and override_reason.strip() and by is not None and can_override_credit_code(by)):
            raise DomainError(problem, field="credit_code")
    existing = Organization.objects.filter(credit_code=code).exclude(pk=exclude_pk).first()
    if existing is not None:
        raise DomainError(
            _("统一社会信用代码 %(code)s 已登记（%(name)s），不能重复登记。")
            % {"code": code, "name": existing.name},
            field="credit_code",
        )
    return code


def _apply(organization: Organization, data: dict, fields: tuple[str, ...]) -> None:
    for name, value in data.items():
        if name not in fields:
            raise DomainError(_("不允许修改字段：%(field)s") % {"field": name}, field=name)
        setattr(organization, name, value)


def _validate_and_save(organization: Organization) -> None:
    try:
        organization.full_clean(exclude=["credit_code"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field) from exc
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError as exc:
        # Two registrations of one code racing each other: the unique constraint decides.
        raise DomainError(_("该统一社会信用代码已登记，不能重复登记。"), field="credit_code") from exc


@acting
@transaction.atomic
def organization_create(*, by, data: dict) -> Organization:
    """Bureau staff register an organization directly; it is verified at once."""
    region = data.get("region")
    require(can_create_organization(by, getattr(region, "code", region)))
    data = dict(data)
    data["credit_code"] = check_credit_code(
        code=data.get("credit_code", ""), by=by, override_reason=data.get("credit_code_override_reason", "")
    )
    organization = Organization()
    _apply(organization, data, BUREAU_EDITABLE_FIELDS)
    organization.status = VerificationStatus.VERIFIED
    organization.verified_by = by
    organization.verified_at = timezone.now()
    _validate_and_save(organization)
    return organization


@transaction.atomic
def organization_register(*, data: dict, by=None) -> Organization:
    """An organization's own user registers it; it waits for verification by the bureau of its region."""
    data = dict(data)
    data["credit_code"] = check_credit_code(code=data.get("credit_code", ""))
    organization = Organization(status=VerificationStatus.PENDING)
    _apply(organization, data, SELF_EDITABLE_FIELDS + ("kind", "credit_code", "region"))
    _validate_and_save(organization)
    enqueue("organizations.notify_registered", organization_id=organization.pk)
    return organization


@acting
@transaction.atomic
def organization_update(
    *, organization: Organization, by, data: dict, expected_version: int | None
) -> Organization:
    """Change an organization's profile; refused if someone else saved it since `expected_version`."""
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    require(can_change_organization(by, locked))
    locked.check_version(expected_version)
    fields = BUREAU_EDITABLE_FIELDS if (by.is_superuser or by.is_bureau) else SELF_EDITABLE_FIELDS
    data = dict(data)
    if "credit_code" in data and normalize_credit_code(data["credit_code"]) != locked.credit_code:
        data["credit_code"] = check_credit_code(
            code=data["credit_code"],
            by=by,
            override_reason=data.get("credit_code_override_reason", ""),
            exclude_pk=locked.pk,
        )
    elif "credit_code" in data:
        data["credit_code"] = locked.credit_code
    _apply(locked, data, fields)
    locked.bump_version()
    _validate_and_save(locked)
    return locked


@acting
@transaction.atomic
def organization_verify(*, organization: Organization, by, approve: bool, reason: str = "") -> Organization:
    """Bureau staff confirm (or reject) a self-registered organization."""
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    require(can_verify_organization(by, locked))
    if not approve and not reason.strip():
        raise DomainError(_("退回时请填写理由。"), field="reason")
    before = locked.status
    locked.status = VerificationStatus.VERIFIED if approve else VerificationStatus.REJECTED
    locked.verified_by = by
    locked.verified_at = timezone.now()
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=before, to_state=locked.status, reason=reason)
    enqueue("organizations.notify_verified", organization_id=locked.pk)
    return locked
