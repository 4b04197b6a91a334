"""The public portal's content: policies (政策) with their conditions and documents, notices and news, and the
service guide (科技服务手册). Everything is published by a region's bureau and readable without logging in."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import AuditedModel
from kechuang.core.validators import validate_upload

from .enums import NoticeKind, PolicyCategory, PublishState


class Policy(AuditedModel):
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("发布地区"), on_delete=models.PROTECT, related_name="policies"
    )
    title = models.CharField(_("政策名称"), max_length=200)
    document_no = models.CharField(_("文号"), max_length=80, blank=True)
    issuer = models.CharField(_("发文单位"), max_length=120, blank=True)
    category = models.CharField(
        _("类别"), max_length=12, choices=PolicyCategory.choices, default=PolicyCategory.OTHER
    )
    summary = models.TextField(_("政策要点"))
    conditions = models.TextField(_("申报条件"), blank=True)
    how_to_apply = models.TextField(_("办理方式"), blank=True)
    effective_from = models.DateField(_("施行日期"), null=True, blank=True)
    effective_until = models.DateField(_("有效期至"), null=True, blank=True)
    related_calls = models.ManyToManyField(
        "projects.Call", verbose_name=_("相关申报指南"), blank=True, related_name="policies"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=PublishState.choices, default=PublishState.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("政策")
        verbose_name_plural = _("政策")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["state", "region", "category"], name="policy_state_region")]

    def __str__(self) -> str:
        return self.title


class PolicyDocument(models.Model):
    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("文件名称"), max_length=120)
    file = models.FileField(_("文件"), upload_to="portal/policies/%Y/", validators=[validate_upload])

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")

    def __str__(self) -> str:
        return self.title


class Notice(AuditedModel):
    """A notice (通知公告) or a news item (工作动态)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("发布地区"), on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=NoticeKind.choices, default=NoticeKind.NOTICE)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    attachment = models.FileField(
        _("附件"), upload_to="portal/notices/%Y/", blank=True, validators=[validate_upload]
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=PublishState.choices, default=PublishState.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["state", "kind", "published_at"], name="notice_state_kind")]

    def __str__(self) -> str:
        return self.title


class ServiceGuide(AuditedModel):
    """One service of the 科技服务手册: who can apply, what to prepare, how long it takes."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="service_guides"
    )
    name = models.CharField(_("服务事项"), max_length=120)
    department = models.CharField(_("承办处室"), max_length=20, blank=True)  # accounts.enums.Department
    who_can_apply = models.TextField(_("服务对象与条件"))
    materials = models.TextField(_("申请材料"))
    procedure = models.TextField(_("办理流程"), blank=True)
    time_limit_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), null=True, blank=True)
    fee = models.CharField(_("收费标准"), max_length=60, blank=True)
    basis = models.TextField(_("设定依据"), blank=True)
    contact = models.CharField(_("咨询电话"), max_length=60, blank=True)
    online_link = models.CharField(_("网上办理入口"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    state = models.CharField(
        _("状态"), max_length=10, choices=PublishState.choices, default=PublishState.DRAFT
    )

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("科技服务手册")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
