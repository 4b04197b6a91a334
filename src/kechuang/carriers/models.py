"""创新载体: the carriers a bureau recognizes (incubators, maker spaces, complexes, institutes, labs, centres,
workstations), the companies incubated in them, their annual reports, and the bureau's performance evaluation.

An evaluation scheme belongs to one carrier kind and year. It weighs indicators of the annual report against a
target value each, sums to a score out of 100, grades by thresholds and ranks; publishing it records each
carrier's consequence (rules in `evaluation.py`).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import AuditedModel
from kechuang.core.validators import validate_upload
from kechuang.organizations.enums import QualificationLevel

from .enums import (
    CarrierKind,
    CarrierState,
    Consequence,
    Grade,
    IncubateeState,
    IndicatorType,
    ReportState,
    SchemeState,
)

MONEY = {"max_digits": 16, "decimal_places": 2}
VALUE = {"max_digits": 18, "decimal_places": 4}


class Carrier(AuditedModel):
    kind = models.CharField(_("载体类型"), max_length=24, choices=CarrierKind.choices)
    level = models.CharField(_("级别"), max_length=12, choices=QualificationLevel.choices)
    name = models.CharField(_("载体名称"), max_length=120)
    operator = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("运营单位"),
        on_delete=models.PROTECT,
        related_name="carriers",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="carriers"
    )
    recognized_on = models.DateField(_("认定日期"))
    recognized_by = models.CharField(_("认定部门"), max_length=60, blank=True)
    certificate_no = models.CharField(_("证书（文件）编号"), max_length=60, blank=True)
    certificate_file = models.FileField(
        _("认定文件"), upload_to="carriers/certificates/%Y/", blank=True, validators=[validate_upload]
    )
    field = models.CharField(_("专业领域"), max_length=100, blank=True)
    area_m2 = models.DecimalField(
        _("场地面积（平方米）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    description = models.TextField(_("简介"), blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=CarrierState.choices, default=CarrierState.ACTIVE
    )
    removed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    removal_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("创新载体")
        verbose_name_plural = _("创新载体")
        ordering = ["kind", "-recognized_on", "id"]
        indexes = [
            models.Index(fields=["kind", "level", "region"], name="carrier_kind_level_region"),
            models.Index(fields=["region", "recognized_on"], name="carrier_region_recognized"),
            models.Index(fields=["operator"], name="carrier_operator"),
        ]

    def __str__(self) -> str:
        return self.name


class Incubatee(AuditedModel):
    """A company housed by an incubator, maker space or 星创天地 (在孵企业)."""

    carrier = models.ForeignKey(
        Carrier, verbose_name=_("载体"), on_delete=models.CASCADE, related_name="incubatees"
    )
    # The registry's record when the company is in it; name and code are kept for those that are not (yet).
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("登记单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incubations",
    )
    name = models.CharField(_("企业名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    field = models.CharField(_("技术领域"), max_length=60, blank=True)
    registered_capital = models.DecimalField(
        _("注册资本（元）"), validators=[MinValueValidator(0)], null=True, blank=True, **MONEY
    )
    entered_on = models.DateField(_("入孵日期"))
    state = models.CharField(
        _("状态"), max_length=12, choices=IncubateeState.choices, default=IncubateeState.INCUBATING
    )
    exited_on = models.DateField(_("毕业/退出日期"), null=True, blank=True)
    exit_reason = models.CharField(_("毕业/退出说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("在孵企业")
        verbose_name_plural = _("在孵企业")
        ordering = ["carrier_id", "-entered_on", "id"]
        indexes = [models.Index(fields=["carrier", "state"], name="incubatee_carrier_state")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(exited_on__isnull=True) | models.Q(exited_on__gte=models.F("entered_on")),
                name="incubatee_exit_after_entry",
            )
        ]

    def __str__(self) -> str:
        return self.name


class IncubateeRevenue(models.Model):
    """An incubated company's revenue for one year, as its carrier reports it."""

    incubatee = models.ForeignKey(
        Incubatee, verbose_name=_("在孵企业"), on_delete=models.CASCADE, related_name="revenues"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    revenue = models.DecimalField(_("营业收入（元）"), validators=[MinValueValidator(0)], **MONEY)

    class Meta:
        verbose_name = _("在孵企业年度收入")
        verbose_name_plural = _("在孵企业年度收入")
        constraints = [
            models.UniqueConstraint(fields=["incubatee", "year"], name="incubatee_revenue_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.incubatee_id} {self.year}"


class ReportIndicator(AuditedModel):
    """One line of a kind's annual report (年报指标), set by the bureau: configuration, not code."""

    kind = models.CharField(_("载体类型"), max_length=24, choices=CarrierKind.choices)
    code = models.SlugField(_("指标代码"), max_length=40)
    name = models.CharField(_("指标名称"), max_length=80)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    value_type = models.CharField(
        _("数值类型"), max_length=10, choices=IndicatorType.choices, default=IndicatorType.INTEGER
    )
    required = models.BooleanField(_("必填"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    help_text = models.CharField(_("填报说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("年报指标")
        verbose_name_plural = _("年报指标")
        ordering = ["kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="report_indicator_code_per_kind")
        ]

    def __str__(self) -> str:
        return self.name


class AnnualReport(AuditedModel):
    """A carrier's report for one year. `values` maps indicator codes to decimal strings."""

    carrier = models.ForeignKey(
        Carrier, verbose_name=_("载体"), on_delete=models.CASCADE, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    state = models.CharField(_("状态"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT)
    values = models.JSONField(_("指标数值"), default=dict, blank=True)
    summary = models.TextField(_("年度工作总结"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("载体年报")
        verbose_name_plural = _("载体年报")
        ordering = ["-year", "carrier_id"]
        constraints = [models.UniqueConstraint(fields=["carrier", "year"], name="annual_report_once_a_year")]
        indexes = [models.Index(fields=["year", "state"], name="annual_report_year_state")]

    def __str__(self) -> str:
        return f"{self.carrier} {self.year}"


class EvaluationScheme(AuditedModel):
    """The bureau's performance evaluation of one carrier kind for one year (绩效评价)."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("组织地区"),
        on_delete=models.PROTECT,
        related_name="carrier_evaluation_schemes",
    )
    kind = models.CharField(_("载体类型"), max_length=24, choices=CarrierKind.choices)
    year = models.PositiveSmallIntegerField(_("评价年度"))
    name = models.CharField(_("名称"), max_length=100)
    state = models.CharField(_("状态"), max_length=10, choices=SchemeState.choices, default=SchemeState.DRAFT)
    # Grade thresholds on the 0–100 score: at or above `excellent_min` is 优秀, and so on; below `pass_min` 不合格.
    excellent_min = models.DecimalField(
        _("优秀分数线"), max_digits=5, decimal_places=2, default=Decimal("90")
    )
    good_min = models.DecimalField(_("良好分数线"), max_digits=5, decimal_places=2, default=Decimal("75"))
    pass_min = models.DecimalField(_("合格分数线"), max_digits=5, decimal_places=2, default=Decimal("60"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("绩效评价方案")
        verbose_name_plural = _("绩效评价方案")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "year"], name="evaluation_scheme_once_a_year"),
            models.CheckConstraint(
                condition=models.Q(excellent_min__gte=models.F("good_min"))
                & models.Q(good_min__gte=models.F("pass_min"))
                & models.Q(pass_min__gte=0),
                name="evaluation_scheme_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SchemeIndicator(models.Model):
    """An indicator's weight in a scheme; a value at or above `target` earns the whole weight."""

    scheme = models.ForeignKey(
        EvaluationScheme, verbose_name=_("评价方案"), on_delete=models.CASCADE, related_name="indicators"
    )
    indicator = models.ForeignKey(
        ReportIndicator, verbose_name=_("年报指标"), on_delete=models.PROTECT, related_name="+"
    )
    weight = models.DecimalField(
        _("权重（分）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    target = models.DecimalField(_("满分值"), validators=[MinValueValidator(0)], **VALUE)

    class Meta:
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        ordering = ["scheme_id", "indicator__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "indicator"], name="scheme_indicator_once"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.weight}"


class Evaluation(AuditedModel):
    """One carrier's result in a scheme: score, grade, rank and the consequence the bureau records."""

    scheme = models.ForeignKey(
        EvaluationScheme, verbose_name=_("评价方案"), on_delete=models.CASCADE, related_name="evaluations"
    )
    carrier = models.ForeignKey(
        Carrier, verbose_name=_("载体"), on_delete=models.CASCADE, related_name="evaluations"
    )
    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("年报"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evaluations",
    )
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    breakdown = models.JSONField(_("得分明细"), default=dict, blank=True)  # indicator code -> score string
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices)
    rank = models.PositiveIntegerField(_("排名"))
    consequence = models.CharField(
        _("处理结果"), max_length=10, choices=Consequence.choices, default=Consequence.NONE
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("评价结果")
        verbose_name_plural = _("评价结果")
        ordering = ["scheme_id", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "carrier"], name="evaluation_once_per_scheme")
        ]
        indexes = [models.Index(fields=["carrier", "grade"], name="evaluation_carrier_grade")]

    def __str__(self) -> str:
        return f"{self.carrier} {self.scheme.year} {self.get_grade_display()}"
