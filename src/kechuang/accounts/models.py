import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .enums import BUREAU_ROLES, ORGANIZATION_ROLES, REGION_ROLES, Department, MembershipStatus, Role


def _new_session_salt() -> str:
    return secrets.token_hex(16)


class User(AbstractUser):
    """A person who logs in: bureau staff, officer, enterprise clerk, expert …, with one role.

    Region-scoped roles act within `region`; organization roles act for `organization`, once their
    membership is active (the organization's first user is its admin and approves the others).
    """

    audited = True
    audit_exclude = ("password", "last_login", "session_salt")

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    department = models.CharField(_("处室"), max_length=20, choices=Department.choices, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    is_org_admin = models.BooleanField(_("单位管理员"), default=False)
    membership_status = models.CharField(
        _("单位成员状态"), max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # Rotating this salt changes the session hash and so logs the user out on every device.
    session_salt = models.CharField(max_length=32, default=_new_session_salt, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese order: family name first, no space.
        return f"{self.last_name}{self.first_name}".strip()

    def get_session_auth_hash(self) -> str:
        return salted_hmac(
            "kechuang.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_salt}",
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_bureau(self) -> bool:
        return self.role in BUREAU_ROLES

    @property
    def is_region_scoped(self) -> bool:
        return self.role in REGION_ROLES

    @property
    def acts_for_organization(self) -> bool:
        return self.role in ORGANIZATION_ROLES

    @property
    def active_organization_id(self) -> int | None:
        """The organization this user may act for, or None while the membership is not approved."""
        if self.organization_id and self.membership_status == MembershipStatus.ACTIVE:
            return self.organization_id
        return None


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token; only its hash is stored, the token is shown once when created."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=60)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
