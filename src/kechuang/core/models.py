from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .errors import ConflictError


class AuditedModel(models.Model):
    """Base for domain records: every create, change and delete is written to the audit log.

    `version` increases on every save through a service, so a form or API client that read an older
    version is refused instead of overwriting someone else's change.
    """

    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    # Fields left out of the audit diff (bookkeeping, secrets).
    audit_exclude: tuple[str, ...] = ("updated_at", "version")

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._audit_snapshot = instance.audit_values()
        return instance

    def audit_values(self) -> dict:
        values = {}
        for field in self._meta.concrete_fields:
            if field.name in self.audit_exclude:
                continue
            values[field.name] = field.value_to_string(self) if field.attname in self.__dict__ else None
        return values

    def check_version(self, expected: int | None) -> None:
        """Refuse the write when the caller edited an older version of this record."""
        if expected is not None and int(expected) != self.version:
            raise ConflictError(str(_("该记录已被他人修改，请刷新后重新编辑。")))

    def bump_version(self) -> None:
        """Called by services on a row they hold with select_for_update, so no race is possible."""
        self.version += 1


class AuditLogQuerySet(models.QuerySet):
    """Bulk writes would bypass AuditLog.save/delete, so they are refused here too."""

    def update(self, **kwargs):
        raise PermissionError("audit log entries are immutable")

    def delete(self):
        raise PermissionError("audit log entries are immutable")

    _raw_delete = delete


class AuditLog(models.Model):
    """One immutable line of the audit trail: who did what to which record, when, from where.

    Nothing rewrites a line: deleting the actor or a content type leaves the ids in place (actor_name
    keeps the name), bulk update/delete raise, and on PostgreSQL a trigger refuses UPDATE and DELETE.
    """

    class Action(models.TextChoices):
        CREATE = "create", pgettext_lazy("audit action", "新建")
        UPDATE = "update", pgettext_lazy("audit action", "修改")
        DELETE = "delete", pgettext_lazy("audit action", "删除")
        TRANSITION = "transition", pgettext_lazy("audit action", "流转")
        LOGIN = "login", pgettext_lazy("audit action", "登录")
        SECURITY = "security", pgettext_lazy("audit action", "安全操作")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices, db_index=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("记录类型"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
    )
    object_id = models.CharField(_("记录编号"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("记录"), max_length=255, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    from_state = models.CharField(_("原状态"), max_length=32, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    # Region of the record, so that a county's admin browses only the county's trail.
    region_code = models.CharField(_("区划"), max_length=12, blank=True, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit log entries are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit log entries are immutable")


class Notification(models.Model):
    """A message in a user's inbox on the workbench (also sent by e-mail when the user has one)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_once",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class UsedFormToken(models.Model):
    """A one-time form token already spent, so a form posted twice is refused the second time."""

    token = models.CharField(_("令牌"), max_length=64, unique=True)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("已用表单令牌")
        verbose_name_plural = _("已用表单令牌")

    def __str__(self) -> str:
        return self.token
