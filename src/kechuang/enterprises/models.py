from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.fields import StoredJSONField
from kechuang.core.models import AuditedModel

from .enums import (
    AnnualDataStatus,
    AssessmentKind,
    NeedKind,
    NeedStatus,
    ReserveSource,
    ReserveStatus,
)


def _money(label, **kwargs):
    """Yuan, two decimals: up to 99 trillion, more than any enterprise's revenue."""
    return models.DecimalField(label, max_digits=16, decimal_places=2, **kwargs)


def _staff(label, **kwargs):
    """A 全年月平均数 (rules.md §1.2 统计方法) can be fractional."""
    return models.DecimalField(label, max_digits=9, decimal_places=2, **kwargs)


# Field names of the yearly figures, in form and template order; the assessment's YearData uses the same names.
MONEY_FIELDS = (
    "total_income",
    "non_taxable_income",
    "investment_income",
    "main_revenue",
    "other_revenue",
    "hitech_revenue",
    "cost_total",
    "hnte_rd_personnel",
    "hnte_rd_direct",
    "hnte_rd_depreciation",
    "hnte_rd_amortization",
    "hnte_rd_design",
    "hnte_rd_trial",
    "hnte_rd_commissioned_domestic",
    "hnte_rd_commissioned_foreign",
    "hnte_rd_other",
    "sd_rd_personnel",
    "sd_rd_direct",
    "sd_rd_depreciation",
    "sd_rd_amortization",
    "sd_rd_design",
    "sd_rd_other",
    "sd_rd_commissioned_domestic",
    "sd_rd_commissioned_foreign",
    "sd_capitalized_amortization",
    "net_assets",
    "total_assets",
)
STAFF_FIELDS = ("staff_total", "st_staff", "tsme_staff_total", "tsme_st_staff")
COUNT_FIELDS = (
    "ip_invention",
    "ip_other_class1",
    "ip_utility_model",
    "ip_design",
    "ip_software",
    "ip_class2_used_before",
    "achievements_transformed",
    "rd_institutions",
)
FLAG_FIELDS = ("has_major_incident", "enhanced_rate", "national_award_top3", "led_standard")
HNTE_RD_FIELDS = MONEY_FIELDS[7:16]
SD_RD_FIELDS = MONEY_FIELDS[16:24]


class AnnualData(AuditedModel):
    """One enterprise's figures for one fiscal year (企业年度数据), entered once a year or imported.

    R&D is kept per 口径 (rules.md §3.7): the 高企 ratio uses the hnte_rd_* figures, the 科小 score and
    the super deduction the sd_rd_* figures. Amounts are yuan.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="annual_data",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=AnnualDataStatus.choices,
        default=AnnualDataStatus.DRAFT,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    total_income = _money(_("收入总额"), null=True, blank=True)
    non_taxable_income = _money(_("不征税收入"), default=0)
    investment_income = _money(
        _("投资收益"), default=0, help_text=_("股息红利等权益性投资收益与股权转让所得")
    )
    main_revenue = _money(_("主营业务收入"), null=True, blank=True)
    other_revenue = _money(_("其他业务收入"), default=0)
    hitech_revenue = _money(
        _("高新技术产品（服务）收入"),
        null=True,
        blank=True,
        help_text=_("含技术转让、技术服务、接受委托研发等技术性收入"),
    )
    cost_total = _money(
        _("成本费用支出总额"),
        null=True,
        blank=True,
        help_text=_("主营业务成本、其他业务成本、销售费用、管理费用、财务费用之和"),
    )

    hnte_rd_personnel = _money(_("人员人工费用"), default=0)
    hnte_rd_direct = _money(_("直接投入费用"), default=0)
    hnte_rd_depreciation = _money(_("折旧费用与长期待摊费用"), default=0)
    hnte_rd_amortization = _money(_("无形资产摊销费用"), default=0)
    hnte_rd_design = _money(_("设计费用"), default=0)
    hnte_rd_trial = _money(_("装备调试费用与试验费用"), default=0)
    hnte_rd_commissioned_domestic = _money(_("委托境内研发费用（实际发生额）"), default=0)
    hnte_rd_commissioned_foreign = _money(_("委托境外研发费用（实际发生额）"), default=0)
    hnte_rd_other = _money(_("其他费用"), default=0)

    sd_rd_personnel = _money(_("人员人工费用"), default=0)
    sd_rd_direct = _money(_("直接投入费用"), default=0)
    sd_rd_depreciation = _money(_("折旧费用"), default=0, help_text=_("仅仪器、设备"))
    sd_rd_amortization = _money(_("无形资产摊销"), default=0, help_text=_("软件、专利权、非专利技术"))
    sd_rd_design = _money(_("新产品设计费等"), default=0)
    sd_rd_other = _money(_("其他相关费用"), default=0)
    sd_rd_commissioned_domestic = _money(_("委托境内研发费用（实际发生额）"), default=0)
    sd_rd_commissioned_foreign = _money(_("委托境外机构研发费用（实际发生额）"), default=0)
    sd_capitalized_amortization = _money(_("资本化研发无形资产本年摊销额"), default=0)

    staff_total = _staff(_("职工总数"), null=True, blank=True, help_text=_("全年月平均数"))
    st_staff = _staff(
        _("科技人员数"), null=True, blank=True, help_text=_("全年月平均数；累计实际工作183天以上")
    )
    tsme_staff_total = _staff(
        _("职工总数（科小口径）"),
        null=True,
        blank=True,
        help_text=_("兼职、临时聘用全年累计工作6个月以上；与上栏相同可不填"),
    )
    tsme_st_staff = _staff(
        _("科技人员数（科小口径）"), null=True, blank=True, help_text=_("与上栏相同可不填")
    )
    net_assets = _money(_("净资产"), null=True, blank=True, help_text=_("年末资产总额减负债总额"))
    total_assets = _money(_("资产总额"), null=True, blank=True)

    ip_invention = models.PositiveIntegerField(_("发明专利"), default=0)
    ip_other_class1 = models.PositiveIntegerField(
        _("其他Ⅰ类知识产权"), default=0, help_text=_("植物新品种、国家新药、集成电路布图设计专有权等")
    )
    ip_utility_model = models.PositiveIntegerField(_("实用新型专利"), default=0)
    ip_design = models.PositiveIntegerField(_("外观设计专利"), default=0)
    ip_software = models.PositiveIntegerField(_("软件著作权"), default=0)
    ip_class2_used_before = models.PositiveIntegerField(
        _("已用于以往高企认定的Ⅱ类知识产权"), default=0, help_text=_("Ⅱ类知识产权只能用于一次高企认定")
    )
    achievements_transformed = models.PositiveIntegerField(_("科技成果转化数"), default=0)
    rd_institutions = models.PositiveIntegerField(_("研发机构数"), default=0)
    rd_institution_names = models.CharField(_("研发机构名称"), max_length=300, blank=True)

    has_major_incident = models.BooleanField(_("发生重大安全、质量事故或严重环境违法"), default=False)
    enhanced_rate = models.BooleanField(_("集成电路或工业母机企业"), default=False)
    national_award_top3 = models.BooleanField(_("近五年获国家级科技奖励（前三名）"), default=False)
    led_standard = models.BooleanField(_("近五年主导制定国际、国家或行业标准"), default=False)

    class Meta:
        verbose_name = _("企业年度数据")
        verbose_name_plural = _("企业年度数据")
        ordering = ["organization", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="annual_data_once_per_year")
        ]
        indexes = [models.Index(fields=["year", "status"], name="annual_data_year_status")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.year}"

    @property
    def region_id(self):
        return self.organization.region_id

    @property
    def sales_revenue(self):
        """销售收入 = 主营业务收入 + 其他业务收入 (rules.md §1.2)."""
        if self.main_revenue is None:
            return None
        return self.main_revenue + self.other_revenue

    @property
    def hnte_rd_total(self):
        """The R&D actually incurred, 高企口径, before the 80% and 20% rules (shown in lists)."""
        return sum((getattr(self, f) for f in HNTE_RD_FIELDS), start=0)


class AssessmentResult(models.Model):
    """The latest self-assessment of one enterprise for one qualification (kept for lists and the reserve pool).

    Rewritten in bulk by the batch job; the full result (every check) is kept as JSON so the page can show it
    without recomputing.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="assessments",
        db_index=False,  # the unique (organization, kind) serves lookups by organization; one index less to write
    )
    kind = models.CharField(_("评价类型"), max_length=8, choices=AssessmentKind.choices)
    assessed_on = models.DateField(_("评价日期"))
    data_year = models.PositiveSmallIntegerField(_("数据年度"))
    ruleset = models.CharField(_("规则版本"), max_length=32)
    eligible = models.BooleanField(_("符合条件"), null=True)
    score = models.DecimalField(_("得分（估计）"), max_digits=6, decimal_places=2, null=True)
    failed = models.PositiveSmallIntegerField(_("未满足条件数"), default=0)
    undetermined = models.PositiveSmallIntegerField(_("待判断条件数"), default=0)
    # `json`, not `jsonb`, on PostgreSQL: written whole every night, read whole, never queried inside.
    result = StoredJSONField(_("评价明细"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("自评结果")
        verbose_name_plural = _("自评结果")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], name="assessment_latest_per_kind")
        ]
        indexes = [models.Index(fields=["kind", "failed", "score"], name="assessment_near_threshold")]

    def __str__(self) -> str:
        return f"{self.organization_id} · {self.get_kind_display()}"


class ReserveEntry(AuditedModel):
    """An enterprise in the bureau's 后备库 for a qualification and a target year."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="reserve_entries",
    )
    kind = models.CharField(
        _("培育方向"), max_length=8, choices=AssessmentKind.choices, default=AssessmentKind.HNTE
    )
    target_year = models.PositiveSmallIntegerField(_("目标年度"))
    status = models.CharField(
        _("状态"), max_length=12, choices=ReserveStatus.choices, default=ReserveStatus.PROPOSED, db_index=True
    )
    source = models.CharField(
        _("来源"), max_length=8, choices=ReserveSource.choices, default=ReserveSource.RULES
    )
    reason = models.CharField(_("入库理由"), max_length=300, blank=True)
    note = models.TextField(_("培育说明"), blank=True)
    status_since = models.DateTimeField(_("状态时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("后备库企业")
        verbose_name_plural = _("后备库企业")
        ordering = ["-target_year", "status", "organization"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "target_year"], name="reserve_once_per_year"
            )
        ]
        indexes = [models.Index(fields=["target_year", "kind", "status"], name="reserve_year_kind_status")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.target_year} · {self.get_kind_display()}"

    @property
    def region_id(self):
        return self.organization.region_id


class LiaisonAssignment(AuditedModel):
    """挂联: a staff member or officer assigned to help an enterprise, for a period."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="liaisons",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("挂联干部"),
        on_delete=models.PROTECT,
        related_name="liaisons",
    )
    since = models.DateField(_("挂联起"))
    until = models.DateField(_("挂联止"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("挂联")
        verbose_name_plural = _("挂联")
        ordering = ["organization", "-since"]
        indexes = [models.Index(fields=["staff", "until"], name="liaison_staff_until")]

    def __str__(self) -> str:
        return f"{self.staff} → {self.organization}"

    @property
    def region_id(self):
        return self.organization.region_id


class Visit(AuditedModel):
    """A liaison visit to an enterprise (走访): who went, whom they met, what the enterprise needs."""

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField(_("走访日期"), db_index=True)
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("走访人员"), related_name="visits"
    )
    met = models.CharField(_("企业接待人员"), max_length=200, blank=True)
    summary = models.TextField(_("走访情况"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.organization} · {self.visited_on}"

    @property
    def region_id(self):
        return self.organization.region_id


class Need(AuditedModel):
    """A need the enterprise raised on a visit; a technical one can later become a market demand."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("走访记录"), on_delete=models.CASCADE, related_name="needs"
    )
    kind = models.CharField(_("需求类型"), max_length=12, choices=NeedKind.choices)
    description = models.TextField(_("需求描述"))
    status = models.CharField(_("状态"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    # The market module (issue 5) points back here when a need becomes a tech demand.
    demand_ref = models.CharField(_("技术需求编号"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("企业需求")
        verbose_name_plural = _("企业需求")
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.description[:20]}"

    @property
    def region_id(self):
        return self.visit.organization.region_id


class FollowUp(AuditedModel):
    """A follow-up action on a visit or need, with an owner and a due date."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("走访记录"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    need = models.ForeignKey(
        Need,
        verbose_name=_("对应需求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    action = models.CharField(_("跟进事项"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    due_on = models.DateField(_("完成期限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    result = models.CharField(_("办理结果"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("跟进事项")
        verbose_name_plural = _("跟进事项")
        ordering = ["done_on", "due_on", "id"]
        indexes = [models.Index(fields=["owner", "done_on", "due_on"], name="follow_up_owner_open")]

    def __str__(self) -> str:
        return self.action

    @property
    def region_id(self):
        return self.visit.organization.region_id
