from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import AuditedModel

from .enums import AssignmentState, ConflictKind, DeclineReason, DrawMethod


class Expert(AuditedModel):
    """A member of the expert pool (专家库): fields, keywords, employer, region, load cap."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.PROTECT,
        related_name="expert_profile",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("工作单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experts",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="experts"
    )
    title = models.CharField(_("职称"), max_length=40, blank=True)
    field_codes = models.JSONField(_("专业领域"), default=list, blank=True)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    profile = models.TextField(_("研究方向与代表成果"), blank=True)
    load_cap = models.PositiveSmallIntegerField(_("单次评审上限（份）"), default=5)
    is_active = models.BooleanField(_("在库"), default=True)

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.user)


class ExpertConflict(AuditedModel):
    """An organization an expert must not review: declared (by the expert or for them), or a collaboration.

    A collaboration counts for the draw while it ended at most three years ago (`ended_on`, to the
    day); one without an end date is ongoing. A declared conflict counts for good.
    """

    expert = models.ForeignKey(
        Expert, verbose_name=_("专家"), on_delete=models.CASCADE, related_name="conflicts"
    )
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("回避单位"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=ConflictKind.choices)
    ended_on = models.DateField(_("合作截止日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        ordering = ["expert", "id"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "organization", "kind"], name="one_conflict_kind")
        ]

    def __str__(self) -> str:
        return f"{self.expert} × {self.organization}"

    @property
    def region_id(self):
        return self.expert.region_id


class ReviewDraw(models.Model):
    """One draw of expert panels: the seed and candidate pool recorded so it can be replayed and audited."""

    call = models.ForeignKey(
        "projects.Call", verbose_name=_("申报指南"), on_delete=models.PROTECT, related_name="draws"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(_("抽取方式"), max_length=12, choices=DrawMethod.choices)
    seed = models.BigIntegerField(_("随机种子"))
    k = models.PositiveSmallIntegerField(_("每份专家人数"))
    q = models.DecimalField(_("单个专家最大抽中概率"), max_digits=4, decimal_places=3)
    application_ids = models.JSONField(default=list)
    expert_ids = models.JSONField(default=list)
    candidate_pool = models.JSONField(default=dict)
    panels = models.JSONField(default=dict)
    shortfalls = models.JSONField(default=dict)
    expected_fit = models.FloatField(default=0)
    realized_fit = models.FloatField(default=0)

    class Meta:
        verbose_name = _("专家抽取记录")
        verbose_name_plural = _("专家抽取记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.call} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def region_id(self):
        return self.call.program.region_id


class ReviewAssignment(AuditedModel):
    """An expert invited to review one application."""

    draw = models.ForeignKey(ReviewDraw, on_delete=models.PROTECT, related_name="assignments")
    application = models.ForeignKey(
        "projects.Application", on_delete=models.PROTECT, related_name="assignments"
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    state = models.CharField(
        _("状态"), max_length=12, choices=AssignmentState.choices, default=AssignmentState.INVITED
    )
    decline_reason = models.CharField(_("谢绝原因"), max_length=16, choices=DeclineReason.choices, blank=True)
    decline_note = models.CharField(_("说明"), max_length=300, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    scores = models.JSONField(_("评分"), default=dict, blank=True)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")
        ordering = ["application", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="one_assignment_per_expert")
        ]

    def __str__(self) -> str:
        return f"{self.expert} → {self.application}"

    @property
    def region_id(self):
        return self.application.region_id
