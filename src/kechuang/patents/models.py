"""Patents of the region's organizations, the bureau's patent subsidies, IP pledge financing and enforcement
cases. 专利示范企业 is an organizations.Qualification (kind patent_demo), not a model here.

A patent is never subsidised twice: a claim item holds its patent while its claim is submitted, approved or paid
(`holds`), and a partial unique index allows one holding item per patent whatever the code does.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import AuditedModel
from kechuang.core.validators import validate_spreadsheet

from .enums import (
    CaseKind,
    CaseOutcome,
    CaseState,
    ClaimState,
    PatentKind,
    PatentStatus,
    PledgeState,
    PolicyState,
)

MONEY = {"max_digits": 16, "decimal_places": 2}


class Patent(AuditedModel):
    application_no = models.CharField(
        _("申请号"), max_length=16, unique=True, help_text=_("规范形式：12位数字、小数点、校验位。")
    )
    kind = models.CharField(_("专利类型"), max_length=16, choices=PatentKind.choices)
    title = models.CharField(_("专利名称"), max_length=200)
    # The first applicant in the registry; the full applicant list as the patent office prints it.
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("专利权人（申请人）"),
        on_delete=models.PROTECT,
        related_name="patents",
    )
    applicants = models.CharField(_("全部申请人"), max_length=300, blank=True)
    inventors = models.CharField(_("发明人"), max_length=300, blank=True)
    filed_on = models.DateField(_("申请日"))
    granted_on = models.DateField(_("授权公告日"), null=True, blank=True)
    lapsed_on = models.DateField(_("失效日"), null=True, blank=True)
    status = models.CharField(
        _("法律状态"), max_length=10, choices=PatentStatus.choices, default=PatentStatus.APPLIED
    )
    ipc = models.CharField(_("主分类号（IPC）"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("专利")
        verbose_name_plural = _("专利")
        ordering = ["-filed_on", "id"]
        indexes = [
            models.Index(fields=["organization", "kind"], name="patent_org_kind"),
            models.Index(fields=["filed_on"], name="patent_filed"),
            models.Index(fields=["granted_on"], name="patent_granted"),
            models.Index(fields=["status", "kind"], name="patent_status_kind"),
            # The list's number search is a prefix (LIKE '2019100%'): PostgreSQL needs the pattern opclass.
            models.Index(
                fields=["application_no"], name="patent_number_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_no} {self.title}"

    @property
    def region_id(self) -> str:
        """The organization's region: audit lines carry it, so a county's bureau sees its patents' changes."""
        return self.organization.region_id


class PatentImport(AuditedModel):
    """One Excel list imported (as the patent office exports it), with what became of each row."""

    file = models.FileField(_("导入文件"), upload_to="patents/imports/%Y/", validators=[validate_spreadsheet])
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # The organization whose own list it is (an enterprise's clerk), or empty for a bureau's import of many.
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所属单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    rejected = models.PositiveIntegerField(_("未导入"), default=0)
    problems = models.JSONField(_("问题行"), default=list, blank=True)  # [{"row": 7, "message": "…"}]

    class Meta:
        verbose_name = _("专利导入")
        verbose_name_plural = _("专利导入")
        ordering = ["-created_at"]


class SubsidyPolicy(AuditedModel):
    """A region's patent subsidy policy (专利资助): amounts per kind for patents granted within its period."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("地区"),
        on_delete=models.PROTECT,
        related_name="patent_subsidy_policies",
    )
    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    granted_from = models.DateField(_("授权日起"))
    granted_until = models.DateField(_("授权日止"))
    invention_amount = models.DecimalField(
        _("发明专利每件（元）"), validators=[MinValueValidator(0)], **MONEY
    )
    utility_model_amount = models.DecimalField(
        _("实用新型每件（元）"), validators=[MinValueValidator(0)], **MONEY
    )
    design_amount = models.DecimalField(_("外观设计每件（元）"), validators=[MinValueValidator(0)], **MONEY)
    cap_per_organization = models.DecimalField(
        _("每家单位年度上限（元）"), validators=[MinValueValidator(0)], **MONEY
    )
    state = models.CharField(_("状态"), max_length=10, choices=PolicyState.choices, default=PolicyState.DRAFT)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("专利资助政策")
        verbose_name_plural = _("专利资助政策")
        ordering = ["-year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(granted_until__gte=models.F("granted_from")),
                name="subsidy_policy_period_order",
            )
        ]

    def __str__(self) -> str:
        return self.name


class SubsidyClaim(AuditedModel):
    policy = models.ForeignKey(
        SubsidyPolicy, verbose_name=_("资助政策"), on_delete=models.PROTECT, related_name="claims"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("申请单位"),
        on_delete=models.PROTECT,
        related_name="patent_subsidy_claims",
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=ClaimState.choices, default=ClaimState.SUBMITTED
    )
    amount_claimed = models.DecimalField(_("申请金额（元）"), **MONEY)
    amount_approved = models.DecimalField(_("核准金额（元）"), null=True, blank=True, **MONEY)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    payment_reference = models.CharField(_("拨付凭证号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("专利资助申请")
        verbose_name_plural = _("专利资助申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["policy", "state"], name="subsidy_claim_policy_state")]

    def __str__(self) -> str:
        return f"{self.organization} {self.policy}"


class SubsidyItem(models.Model):
    """One patent in a claim, at the policy's amount for its kind (capped in `amount`)."""

    claim = models.ForeignKey(
        SubsidyClaim, verbose_name=_("资助申请"), on_delete=models.CASCADE, related_name="items"
    )
    patent = models.ForeignKey(
        Patent, verbose_name=_("专利"), on_delete=models.PROTECT, related_name="subsidy_items"
    )
    amount = models.DecimalField(_("资助金额（元）"), **MONEY)
    # True while the claim is submitted, approved or paid; set False when it is rejected or withdrawn.
    holds = models.BooleanField(_("占用"), default=True)

    class Meta:
        verbose_name = _("资助专利")
        verbose_name_plural = _("资助专利")
        constraints = [
            models.UniqueConstraint(
                fields=["patent"], condition=models.Q(holds=True), name="patent_subsidised_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.patent_id} {self.amount}"


class PledgeFinancing(AuditedModel):
    """知识产权质押融资: a loan secured by patents."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("出质单位"),
        on_delete=models.PROTECT,
        related_name="pledges",
    )
    bank = models.CharField(_("质权人（银行）"), max_length=100)
    contract_no = models.CharField(_("合同编号"), max_length=60, blank=True)
    registration_no = models.CharField(_("质押登记号"), max_length=60, blank=True)
    amount = models.DecimalField(_("融资金额（元）"), validators=[MinValueValidator(0)], **MONEY)
    starts_on = models.DateField(_("起始日"))
    ends_on = models.DateField(_("到期日"))
    patents = models.ManyToManyField(Patent, verbose_name=_("质押专利"), related_name="pledges")
    state = models.CharField(
        _("状态"), max_length=10, choices=PledgeState.choices, default=PledgeState.ACTIVE
    )

    class Meta:
        verbose_name = _("知识产权质押融资")
        verbose_name_plural = _("知识产权质押融资")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="pledge_term_order"
            )
        ]


class EnforcementCase(AuditedModel):
    """A patent enforcement or dispute case handled by the bureau (专利行政执法)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("受理地区"), on_delete=models.PROTECT, related_name="patent_cases"
    )
    case_no = models.CharField(_("案号"), max_length=60)
    kind = models.CharField(_("案件类型"), max_length=16, choices=CaseKind.choices)
    patent = models.ForeignKey(
        Patent,
        verbose_name=_("涉案专利"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    patent_number = models.CharField(_("涉案专利号"), max_length=20, blank=True)
    complainant = models.CharField(_("请求人"), max_length=120)
    complainant_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("请求人单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    respondent = models.CharField(_("被请求人"), max_length=120)
    respondent_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("被请求人单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    received_on = models.DateField(_("受理日期"))
    summary = models.TextField(_("案情摘要"), blank=True)
    state = models.CharField(_("状态"), max_length=14, choices=CaseState.choices, default=CaseState.RECEIVED)
    outcome = models.CharField(
        _("结果"), max_length=10, choices=CaseOutcome.choices, default=CaseOutcome.NONE, blank=True
    )
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("专利执法案件")
        verbose_name_plural = _("专利执法案件")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "case_no"], name="patent_case_no_per_region")
        ]

    def __str__(self) -> str:
        return self.case_no


class CaseStep(models.Model):
    """A handling step of a case (立案、调查取证、口头审理、调解…), appended, never edited."""

    case = models.ForeignKey(
        EnforcementCase, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="steps"
    )
    happened_on = models.DateField(_("日期"))
    action = models.CharField(_("处理环节"), max_length=60)
    note = models.TextField(_("情况说明"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["happened_on", "id"]

    def __str__(self) -> str:
        return self.action
