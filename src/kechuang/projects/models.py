from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.enums import Department
from kechuang.core.models import AuditedModel
from kechuang.core.validators import validate_upload

from .enums import ApplicationState, ChangeKind, Holder, IntegrityKind, PerformanceGrade, ProjectState

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Program(AuditedModel):
    """A 科技计划类别: a standing funding line of a bureau under which calls are opened each year."""

    name = models.CharField(_("计划类别"), max_length=100)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    department = models.CharField(_("主管处室"), max_length=20, choices=Department.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("主管区划"), on_delete=models.PROTECT, related_name="programs"
    )
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("计划类别")
        verbose_name_plural = _("计划类别")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def default_eligibility() -> dict:
    return {
        "organization_kinds": ["enterprise", "institution"],
        "region_codes": [],  # empty: everywhere under the program's region
        "qualifications": [],  # e.g. ["tsme"]; any one of them suffices
        "require_clean_integrity": True,
        "max_applications_per_organization": 1,
    }


def default_review_scheme() -> dict:
    return {
        "criteria": [
            {"key": "innovation", "name": "创新性", "weight": 30, "description": ""},
            {"key": "feasibility", "name": "可行性", "weight": 30, "description": ""},
            {"key": "benefit", "name": "预期效益", "weight": 25, "description": ""},
            {"key": "team", "name": "团队与基础", "weight": 15, "description": ""},
        ],
        "experts_per_application": 5,
        "aggregation": "trimmed_mean",  # drop highest and lowest with ≥5 reviews, else mean
        "blind": False,
        "avoid_applicant_region": False,
    }


def default_stage_days() -> dict:
    # Working time each stage may take before it shows as overdue (days).
    return {
        "submitted": 7,
        "recommended": 10,
        "returned": 5,
        "checked": 10,
        "in_review": 15,
        "reviewed": 10,
        "proposed": 10,
    }


class Call(AuditedModel):
    """A 申报指南/批次: one year's call of a program, with its dates, rules, form and review scheme."""

    program = models.ForeignKey(
        Program, verbose_name=_("计划类别"), on_delete=models.PROTECT, related_name="calls"
    )
    title = models.CharField(_("申报指南"), max_length=150)
    year = models.PositiveIntegerField(_("年度"))
    guide = models.TextField(_("指南正文"), blank=True)
    opens_at = models.DateTimeField(_("开始申报时间"))
    closes_at = models.DateTimeField(_("截止申报时间"))
    is_published = models.BooleanField(_("已发布"), default=False)
    eligibility = models.JSONField(_("申报条件"), default=default_eligibility)
    form_definition = models.JSONField(_("申报书表单"), default=list)
    budget_cap = models.DecimalField(_("单项资助上限（元）"), **MONEY)
    total_budget = models.DecimalField(_("资助总额（元）"), **MONEY)
    review_scheme = models.JSONField(_("评审方案"), default=default_review_scheme)
    stage_days = models.JSONField(_("各环节时限（天）"), default=default_stage_days)

    class Meta:
        verbose_name = _("申报指南")
        verbose_name_plural = _("申报指南")
        ordering = ["-opens_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def region_id(self):
        return self.program.region_id

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.is_published and self.opens_at <= at <= self.closes_at


class RecommendationQuota(models.Model):
    """How many applications a locality may recommend to one call."""

    call = models.ForeignKey(
        Call, verbose_name=_("申报指南"), on_delete=models.CASCADE, related_name="quotas"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("属地"), on_delete=models.PROTECT, related_name="+"
    )
    quota = models.PositiveIntegerField(_("推荐名额"))

    class Meta:
        verbose_name = _("推荐名额")
        verbose_name_plural = _("推荐名额")
        constraints = [models.UniqueConstraint(fields=["call", "region"], name="one_quota_per_region")]

    def __str__(self) -> str:
        return f"{self.call} · {self.region} · {self.quota}"


class Application(AuditedModel):
    """A 申报书: one organization's application to a call, filled against a frozen copy of the call's form."""

    # Derived from the title and content (already in the trail); not worth a line of their own.
    audit_exclude = (*AuditedModel.audit_exclude, "title_fingerprint", "content_fingerprint")

    call = models.ForeignKey(
        Call, verbose_name=_("申报指南"), on_delete=models.PROTECT, related_name="applications"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("申报单位"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("属地"), on_delete=models.PROTECT, related_name="applications"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("项目名称"), max_length=200, blank=True)
    requested_amount = models.DecimalField(_("申请经费（元）"), null=True, blank=True, **MONEY)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=ApplicationState.choices,
        default=ApplicationState.DRAFT,
        db_index=True,
    )
    state_since = models.DateTimeField(_("进入当前状态"), default=timezone.now)
    holder = models.CharField(
        _("当前经办"), max_length=12, choices=Holder.choices, default=Holder.APPLICANT, blank=True
    )
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True)
    form_definition = models.JSONField(_("表单定义（填报时）"), default=list)
    data = models.JSONField(_("申报内容"), default=dict, blank=True)
    receipt_number = models.CharField(_("受理编号"), max_length=32, unique=True, null=True, blank=True)
    submit_started_at = models.DateTimeField(_("开始提交时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    correction_note = models.TextField(_("修改意见"), blank=True)
    check_results = models.JSONField(_("形式审查结果"), default=list, blank=True)
    recommendation_comment = models.TextField(_("推荐意见"), blank=True)
    review_score = models.DecimalField(_("评审得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    review_flags = models.JSONField(_("评审提示"), default=list, blank=True)
    proposed_amount = models.DecimalField(_("拟资助金额（元）"), null=True, blank=True, **MONEY)
    # SimHash fingerprints of the title and the content, set at submission (projects/similarity.py).
    title_fingerprint = models.BigIntegerField(null=True, blank=True, editable=False)
    content_fingerprint = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("申报书")
        verbose_name_plural = _("申报书")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["call", "state"]),
            models.Index(fields=["region", "state"]),
            models.Index(fields=["organization", "call"]),
            # The officers' list is newest-state-first: read in index order, it stops after one page.
            models.Index(fields=["-state_since", "-id"], name="application_list_order"),
            # 超期: only files an officer holds can be overdue, a small part of the table.
            models.Index(
                fields=["due_at", "region", "state"],
                condition=~models.Q(holder__in=["applicant", ""]),
                name="application_overdue",
            ),
            # The near-duplicate search reads every live call's fingerprints: from the index alone (PostgreSQL).
            models.Index(
                fields=["call"],
                include=["id", "state", "title_fingerprint", "content_fingerprint"],
                condition=models.Q(receipt_number__isnull=False),
                name="application_fingerprints",
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(_("（未命名申报书）"))


class ApplicationFile(models.Model):
    """A file attached to an application's file field."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    field_key = models.CharField(max_length=40)
    file = models.FileField(upload_to="applications/%Y/", validators=[validate_upload])
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("申报附件")
        verbose_name_plural = _("申报附件")
        ordering = ["field_key", "uploaded_at"]

    def __str__(self) -> str:
        return self.name


class IntegrityRecord(AuditedModel):
    """A 科研诚信/失信 record: while it lasts, the organization may not apply."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="integrity_records",
    )
    reason = models.TextField(_("事由"))
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    kind = models.CharField(
        _("类型"), max_length=20, choices=IntegrityKind.choices, default=IntegrityKind.FAILED_ACCEPTANCE
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("涉及项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="integrity_records",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("科研诚信记录")
        verbose_name_plural = _("科研诚信记录")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.organization} · {self.starts_on}–{self.ends_on}"

    @property
    def region_id(self):
        return self.organization.region_id


class DecisionMeeting(AuditedModel):
    """A 局务会 / 三审一决策 meeting that decided a call's funding list."""

    call = models.ForeignKey(
        Call, verbose_name=_("申报指南"), on_delete=models.PROTECT, related_name="meetings"
    )
    held_on = models.DateField(_("会议日期"))
    members = models.TextField(_("参会人员"))
    minutes = models.TextField(_("会议纪要"))
    votes_for = models.PositiveSmallIntegerField(_("赞成票"))
    votes_against = models.PositiveSmallIntegerField(_("反对票"), default=0)
    abstentions = models.PositiveSmallIntegerField(_("弃权票"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("决策会议")
        verbose_name_plural = _("决策会议")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.call} · {self.held_on}"

    @property
    def region_id(self):
        return self.call.program.region_id


class PublicNotice(AuditedModel):
    """A 公示: the proposed funding list, public for a period in which anyone may object."""

    call = models.ForeignKey(
        Call, verbose_name=_("申报指南"), on_delete=models.PROTECT, related_name="notices"
    )
    meeting = models.ForeignKey(DecisionMeeting, verbose_name=_("决策会议"), on_delete=models.PROTECT)
    title = models.CharField(_("标题"), max_length=200)
    starts_at = models.DateTimeField(_("公示开始"))
    ends_at = models.DateTimeField(_("公示结束"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def region_id(self):
        return self.call.program.region_id

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.starts_at <= at <= self.ends_at


class Objection(AuditedModel):
    """An objection raised during a public notice, and how the bureau resolved it."""

    notice = models.ForeignKey(
        PublicNotice, verbose_name=_("公示"), on_delete=models.PROTECT, related_name="objections"
    )
    application = models.ForeignKey(
        Application, verbose_name=_("涉及项目"), on_delete=models.PROTECT, related_name="objections"
    )
    name = models.CharField(_("异议人"), max_length=50)
    contact = models.CharField(_("联系方式"), max_length=60)
    text = models.TextField(_("异议内容"), max_length=3000)
    upheld = models.BooleanField(_("异议成立"), null=True, blank=True)
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.application} · {self.name}"

    @property
    def region_id(self):
        return self.application.region_id


class Project(AuditedModel):
    """An approved project (立项) with its agreement (任务书): goals, indicators, milestones, budget, tranches."""

    application = models.OneToOneField(
        Application, verbose_name=_("申报书"), on_delete=models.PROTECT, related_name="project"
    )
    call = models.ForeignKey(
        Call, verbose_name=_("申报指南"), on_delete=models.PROTECT, related_name="projects"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("承担单位"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("属地"), on_delete=models.PROTECT, related_name="projects"
    )
    code = models.CharField(_("项目编号"), max_length=32, unique=True)
    title = models.CharField(_("项目名称"), max_length=200)
    approved_amount = models.DecimalField(_("资助金额（元）"), **MONEY)
    state = models.CharField(
        _("状态"), max_length=20, choices=ProjectState.choices, default=ProjectState.AGREEMENT
    )
    state_since = models.DateTimeField(_("进入当前状态"), default=timezone.now)
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True, db_index=True)
    start_on = models.DateField(_("开始日期"), null=True, blank=True)
    end_on = models.DateField(_("结束日期"), null=True, blank=True)
    goals = models.TextField(_("项目目标"), blank=True)
    indicators = models.JSONField(_("考核指标"), default=list, blank=True)
    milestones = models.JSONField(_("进度安排"), default=list, blank=True)
    budget_lines = models.JSONField(_("经费预算"), default=list, blank=True)
    tranches = models.JSONField(_("拨款计划"), default=list, blank=True)
    signed_at = models.DateTimeField(_("签订时间"), null=True, blank=True)
    acceptance_summary = models.TextField(_("结题总结"), blank=True)
    acceptance_panel = models.JSONField(_("验收专家组"), default=dict, blank=True)
    acceptance_note = models.TextField(_("验收意见"), blank=True)
    performance_grade = models.CharField(
        _("绩效评价"), max_length=12, choices=PerformanceGrade.choices, blank=True
    )

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Disbursement(AuditedModel):
    """A payment of project funds (经费拨付); the sum never exceeds the approved amount."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="disbursements"
    )
    amount = models.DecimalField(_("拨付金额（元）"), **MONEY)
    paid_on = models.DateField(_("拨付日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("经费拨付")
        verbose_name_plural = _("经费拨付")
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.amount}"

    @property
    def region_id(self):
        return self.project.region_id


class MidtermReport(AuditedModel):
    """A 中期检查 report of a project and the bureau's assessment."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="midterm_reports"
    )
    progress = models.TextField(_("进展情况"))
    spending = models.DecimalField(_("已使用经费（元）"), **MONEY)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    satisfactory = models.BooleanField(_("检查结论：正常"), null=True, blank=True)
    assessment = models.TextField(_("检查意见"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("中期检查")
        verbose_name_plural = _("中期检查")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.created_at:%Y-%m-%d}"

    @property
    def region_id(self):
        return self.project.region_id


class ChangeRequest(AuditedModel):
    """A 变更/延期 request: extension, budget reallocation or team change; approved or refused by the bureau."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="change_requests"
    )
    kind = models.CharField(_("变更类型"), max_length=12, choices=ChangeKind.choices)
    reason = models.TextField(_("变更理由"))
    new_end_on = models.DateField(_("延期至"), null=True, blank=True)
    new_budget_lines = models.JSONField(_("调整后预算"), default=list, blank=True)
    team_change = models.TextField(_("团队变更内容"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField(_("批准"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("变更申请")
        verbose_name_plural = _("变更申请")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.get_kind_display()}"

    @property
    def region_id(self):
        return self.project.region_id


class WithdrawalRequest(AuditedModel):
    """A 撤回申请: the applicant asks to withdraw an application already in processing; the bureau decides."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("申报书"),
        on_delete=models.PROTECT,
        related_name="withdrawal_requests",
    )
    reason = models.TextField(_("撤回理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    approved = models.BooleanField(_("准予撤回"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("撤回申请")
        verbose_name_plural = _("撤回申请")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(approved__isnull=True),
                name="one_pending_withdrawal_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} · {_('撤回申请')}"

    @property
    def region_id(self):
        return self.application.region_id
