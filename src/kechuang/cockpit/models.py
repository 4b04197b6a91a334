"""科技大脑 and 工作总结: the bureau's editable report template and the annual reports generated from the records.

A generated report keeps the figures it stated (`figures`: label, value, unit, and the query each came from), so
a number in the .docx can be traced to its records, and the files themselves."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import AuditedModel


class ReportTemplate(AuditedModel):
    """The text of the work summary with placeholders (Django template syntax), edited by the bureau."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="report_templates"
    )
    name = models.CharField(_("模板名称"), max_length=100)
    body = models.TextField(_("模板正文"))
    active = models.BooleanField(_("使用中"), default=True)

    class Meta:
        verbose_name = _("工作总结模板")
        verbose_name_plural = _("工作总结模板")
        ordering = ["region_id", "-active", "id"]

    def __str__(self) -> str:
        return self.name


class AnnualReport(AuditedModel):
    """工作总结 of a region for a year, generated from the records (.docx) with its statistics tables (.xlsx)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    template = models.ForeignKey(
        ReportTemplate, verbose_name=_("模板"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    figures = models.JSONField(_("引用的数据"), default=list)
    problems = models.TextField(_("存在问题"), blank=True)  # 二、存在问题: written by the officer
    document = models.FileField(_("工作总结（Word）"), upload_to="cockpit/reports/%Y/", blank=True)
    tables = models.FileField(_("统计表（Excel）"), upload_to="cockpit/reports/%Y/", blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度工作总结")
        verbose_name_plural = _("年度工作总结")
        ordering = ["-year", "-generated_at", "-id"]
        indexes = [models.Index(fields=["region", "year"], name="annual_report_region_year")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"
