"""目标责任制考核: an indicator catalogue, targets per year and region, actuals (computed from the records or
reported by the region), and an assessment with weights, scores and a ranking of the regions.

Every row of the example catalogue (indicators.md) fits: a count, an amount, a ratio, a share of another
indicator (`base`: inventions ≥ 10 % of patent applications), "of which" (`parent`), a "≥" target and an "at
least, strive for" pair (`value` and `stretch_value`).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import AuditedModel

from .enums import AssessmentState, Comparator, Measure, Source

VALUE = {"max_digits": 20, "decimal_places": 4}


class Indicator(AuditedModel):
    code = models.SlugField(_("指标代码"), max_length=40, unique=True)
    name = models.CharField(_("指标名称"), max_length=120)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    measure = models.CharField(_("指标类型"), max_length=8, choices=Measure.choices, default=Measure.COUNT)
    source = models.CharField(_("数据来源"), max_length=10, choices=Source.choices, default=Source.REPORTED)
    # For a computed indicator: the key of its function in `computations.py` (e.g. "new_hnte").
    computation = models.CharField(_("计算方法"), max_length=40, blank=True)
    base = models.ForeignKey(
        "self",
        verbose_name=_("占比的基数指标"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shares",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属指标（其中）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    higher_is_better = models.BooleanField(_("越高越好"), default=True)
    description = models.TextField(_("口径说明"), blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Target(AuditedModel):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="targets"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    comparator = models.CharField(
        _("要求"), max_length=6, choices=Comparator.choices, default=Comparator.AT_LEAST
    )
    value = models.DecimalField(_("目标值"), **VALUE)
    stretch_value = models.DecimalField(_("力争值"), null=True, blank=True, **VALUE)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["year", "indicator__position", "region_id"]
        constraints = [models.UniqueConstraint(fields=["indicator", "region", "year"], name="target_once")]
        indexes = [models.Index(fields=["region", "year"], name="target_region_year")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.region_id} {self.year}"


class ReportedActual(AuditedModel):
    """The actual of a reported indicator, as the region reports it (with its source)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="actuals"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="reported_actuals"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("完成值"), **VALUE)
    source_note = models.CharField(_("数据来源说明"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("填报完成值")
        verbose_name_plural = _("填报完成值")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "region", "year"], name="reported_actual_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.region_id} {self.year}: {self.value}"


class Assessment(AuditedModel):
    """The year's assessment of the regions under `region` (e.g. a city's counties)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("组织地区"), on_delete=models.PROTECT, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField(_("考核年度"))
    name = models.CharField(_("名称"), max_length=120)
    state = models.CharField(
        _("状态"), max_length=10, choices=AssessmentState.choices, default=AssessmentState.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考核")
        verbose_name_plural = _("考核")
        ordering = ["-year", "id"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="assessment_once_a_year")]

    def __str__(self) -> str:
        return self.name


class AssessmentWeight(models.Model):
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("考核"), on_delete=models.CASCADE, related_name="weights"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+"
    )
    weight = models.DecimalField(
        _("权重（分）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("考核权重")
        verbose_name_plural = _("考核权重")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="assessment_weight_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.weight}"


class AssessmentResult(models.Model):
    """One region's result: its score, rank and the per-indicator detail (actual, target, score) as computed."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("考核"), on_delete=models.CASCADE, related_name="results"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("被考核地区"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("排名"))
    detail = models.JSONField(
        _("得分明细"), default=list
    )  # [{"indicator": code, "actual", "target", "score"}]
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["assessment_id", "rank", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "region"], name="assessment_result_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.score}"
