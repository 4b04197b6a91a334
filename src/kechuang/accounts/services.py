"""Writes on accounts: registration, membership decisions, sessions and API tokens."""

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import acting, record, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.jobs import enqueue
from kechuang.core.models import AuditLog
from kechuang.core.notifications import notify
from kechuang.core.permissions import require
from kechuang.organizations.enums import OrganizationKind
from kechuang.organizations.models import Organization
from kechuang.organizations.services import organization_register
from kechuang.organizations.validators import normalize_credit_code

from .enums import MembershipStatus, Role
from .models import ApiToken, User, hash_token
from .permissions import can_decide_membership

ROLE_FOR_KIND = {
    OrganizationKind.ENTERPRISE: Role.ENTERPRISE,
    OrganizationKind.INSTITUTION: Role.INSTITUTION,
    OrganizationKind.PROVIDER: Role.PROVIDER,
}


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from exc


@transaction.atomic
def user_register(
    *,
    username: str,
    password: str,
    full_name: str,
    email: str,
    phone: str,
    credit_code: str,
    organization_data: dict,
) -> User:
    """Register an organization user by credit code.

    Unknown code: the organization is created pending bureau verification and this user becomes its
    admin. Known code: this user waits until the organization's admin approves the membership.
    """
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("用户名 %(name)s 已被使用。") % {"name": username}, field="username")
    code = normalize_credit_code(credit_code)
    organization = Organization.objects.filter(credit_code=code).first()
    user = User(username=username, email=email, phone=phone, last_name=full_name)
    if organization is None:
        kind = organization_data.get("kind")
        if kind not in ROLE_FOR_KIND:
            raise DomainError(_("请选择单位类型。"), field="kind")
        if not (organization_data.get("name") or "").strip():
            raise DomainError(_("该信用代码尚未登记，请填写单位名称。"), field="organization_name")
        if not organization_data.get("region"):
            raise DomainError(_("该信用代码尚未登记，请选择属地。"), field="region")
        user.role = ROLE_FOR_KIND[kind]
        _check_password(password, user)
        organization = organization_register(data={**organization_data, "credit_code": code})
        user.organization = organization
        user.region = organization.region
        user.is_org_admin = True
        user.membership_status = MembershipStatus.ACTIVE
    else:
        if organization.kind not in ROLE_FOR_KIND:
            raise DomainError(_("该单位类型不支持自行注册，请联系科技局。"), field="credit_code")
        user.role = ROLE_FOR_KIND[organization.kind]
        _check_password(password, user)
        user.organization = organization
        user.region = organization.region
        user.membership_status = MembershipStatus.PENDING
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise DomainError(_("用户名 %(name)s 已被使用。") % {"name": username}, field="username") from exc
    if user.membership_status == MembershipStatus.PENDING:
        enqueue("accounts.notify_membership_requested", user_id=user.pk)
    return user


@acting
@transaction.atomic
def membership_decide(*, member: User, by: User, approve: bool, reason: str = "") -> User:
    """The organization's admin approves or rejects a user who asked to join it."""
    locked = User.objects.select_for_update().get(pk=member.pk)
    require(can_decide_membership(by, locked))
    before = locked.membership_status
    locked.membership_status = MembershipStatus.ACTIVE if approve else MembershipStatus.REJECTED
    locked.save(update_fields=["membership_status"])
    record_transition(
        instance=locked, by=by, from_state=before, to_state=locked.membership_status, reason=reason
    )
    notify(
        recipients=[locked],
        subject=_("单位成员申请已通过") if approve else _("单位成员申请未通过"),
        body=reason,
        dedupe_key=f"membership-{locked.pk}-{locked.membership_status}",
    )
    return locked


@transaction.atomic
def sessions_end_everywhere(*, user: User) -> None:
    """Log the user out on every device: rotate the salt in the session hash and revoke API tokens."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.session_salt = secrets.token_hex(16)
    locked.save(update_fields=["session_salt"])
    ApiToken.objects.filter(user=locked, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record(action=AuditLog.Action.SECURITY, instance=locked, by=user, reason=_("在所有设备上退出登录"))
    user.session_salt = locked.session_salt


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; returns the record and the raw token (shown once)."""
    name = name.strip()
    if not name:
        raise DomainError(_("请填写令牌名称。"), field="name")
    raw = "kc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:60], prefix=raw[3:11], key_hash=hash_token(raw))
    record(
        action=AuditLog.Action.SECURITY,
        instance=user,
        by=user,
        reason=_("创建 API 令牌：%(n)s") % {"n": name},
    )
    return token, raw


@acting
@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> None:
    if token.user_id != by.pk:
        raise DomainError(_("不能吊销他人的令牌。"))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        action=AuditLog.Action.SECURITY,
        instance=by,
        by=by,
        reason=_("吊销 API 令牌：%(n)s") % {"n": token.name},
    )


def api_token_authenticate(raw: str) -> User | None:
    """The active user a raw token belongs to, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
