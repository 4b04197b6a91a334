"""科技信箱: questions, suggestions and complaints from anyone, routed to a department and answered within a
deadline counted in working days (the work calendar below adjusts for holidays and 调休 weekends)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import AuditedModel

from .enums import InquiryKind, InquiryState, MessageAuthor, Topic


class Inquiry(AuditedModel):
    audit_exclude = (*AuditedModel.audit_exclude, "access_code")  # a secret (stored hashed all the same)

    tracking_no = models.CharField(_("查询编号"), max_length=20, unique=True)
    # A secret the asker gets with the tracking number, so an anonymous letter can be followed without an account.
    access_code = models.CharField(_("查询码"), max_length=12)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("受理地区"), on_delete=models.PROTECT, related_name="inquiries"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=InquiryKind.choices)
    topic = models.CharField(_("事项"), max_length=12, choices=Topic.choices, default=Topic.OTHER)
    subject = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"))
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("来信用户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("来信单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries",
    )
    is_public = models.BooleanField(_("同意公开"), default=False)
    department = models.CharField(_("承办处室"), max_length=20, blank=True)  # accounts.enums.Department
    state = models.CharField(
        _("状态"), max_length=10, choices=InquiryState.choices, default=InquiryState.RECEIVED
    )
    received_at = models.DateTimeField(_("收到时间"))
    due_on = models.DateField(_("答复期限"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_in_time = models.BooleanField(_("按时答复"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("满意度"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_note = models.CharField(_("评价意见"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(_("催办时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("来信")
        verbose_name_plural = _("科技信箱")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["region", "state", "due_on"], name="inquiry_region_state_due"),
            models.Index(fields=["department", "received_at"], name="inquiry_department_received"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_no} {self.subject}"


class InquiryMessage(models.Model):
    """A reply or a follow-up in the letter's thread; appended, never edited."""

    inquiry = models.ForeignKey(
        Inquiry, verbose_name=_("来信"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.CharField(_("发言方"), max_length=8, choices=MessageAuthor.choices)
    body = models.TextField(_("内容"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("往来记录")
        verbose_name_plural = _("往来记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.inquiry_id} {self.at:%Y-%m-%d}"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a public holiday on a weekday, or a weekend made a working day."""

    day = models.DateField(_("日期"), unique=True)
    workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'workday' if self.workday else 'holiday'}"
