"""People the bureau sends and attracts: science commissioners (科技特派员) dispatched to towns with their work logs,
leading talents and teams under the city's programs, and foreign experts (often at a 外国专家工作站, a carrier)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import AuditedModel

from .enums import CommissionerKind, DispatchState, Engagement, TalentKind, TalentState, WorkKind

MONEY = {"max_digits": 16, "decimal_places": 2}


class Commissioner(AuditedModel):
    kind = models.CharField(_("类型"), max_length=16, choices=CommissionerKind.choices)
    name = models.CharField(_("姓名/团队/单位名称"), max_length=100)
    # The unit the commissioner comes from (a university, institute or, for a legal person, itself); its users
    # keep the commissioner's work log.
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("派出单位"),
        on_delete=models.PROTECT,
        related_name="commissioners",
    )
    leader = models.CharField(_("负责人"), max_length=50, blank=True)
    members = models.TextField(_("团队成员"), blank=True)
    specialty = models.CharField(_("专业特长"), max_length=100, blank=True)
    title = models.CharField(_("职称"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("科技特派员")
        verbose_name_plural = _("科技特派员")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization"], name="commissioner_organization")]

    def __str__(self) -> str:
        return self.name


class Dispatch(AuditedModel):
    """A commissioner sent to a town for a term (派驻)."""

    commissioner = models.ForeignKey(
        Commissioner, verbose_name=_("科技特派员"), on_delete=models.PROTECT, related_name="dispatches"
    )
    town = models.ForeignKey(
        "regions.Region", verbose_name=_("派驻乡镇"), on_delete=models.PROTECT, related_name="dispatches"
    )
    served = models.CharField(_("服务对象"), max_length=200, blank=True, help_text=_("村、合作社、企业等。"))
    starts_on = models.DateField(_("派驻开始"))
    ends_on = models.DateField(_("派驻结束"))
    state = models.CharField(
        _("状态"), max_length=10, choices=DispatchState.choices, default=DispatchState.ACTIVE
    )
    tasks = models.TextField(_("服务任务"), blank=True)

    class Meta:
        verbose_name = _("派驻")
        verbose_name_plural = _("派驻")
        ordering = ["-starts_on", "id"]
        indexes = [models.Index(fields=["town", "starts_on"], name="dispatch_town_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="dispatch_term_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commissioner} → {self.town}"


class WorkLog(AuditedModel):
    dispatch = models.ForeignKey(
        Dispatch, verbose_name=_("派驻"), on_delete=models.CASCADE, related_name="work_logs"
    )
    kind = models.CharField(_("工作类型"), max_length=12, choices=WorkKind.choices)
    happened_on = models.DateField(_("日期"))
    title = models.CharField(_("内容"), max_length=120)
    description = models.TextField(_("详细说明"), blank=True)
    # How many of the kind this line stands for (3 technologies introduced in one visit), and for a training
    # its attendance.
    quantity = models.PositiveIntegerField(_("数量"), default=1, validators=[MinValueValidator(1)])
    attendance = models.PositiveIntegerField(_("参训人次"), null=True, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("工作日志")
        verbose_name_plural = _("工作日志")
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["dispatch", "happened_on"], name="worklog_dispatch_date")]

    def __str__(self) -> str:
        return self.title


class TalentProgram(AuditedModel):
    """A city's talent program (e.g. 名士之乡英才计划)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="talent_programs"
    )
    name = models.CharField(_("计划名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("人才计划")
        verbose_name_plural = _("人才计划")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Talent(AuditedModel):
    """A leading talent or team selected under a program, linked to the organization it works for."""

    program = models.ForeignKey(
        TalentProgram, verbose_name=_("人才计划"), on_delete=models.PROTECT, related_name="talents"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=TalentKind.choices)
    name = models.CharField(_("姓名/团队名称"), max_length=100)
    members = models.TextField(_("团队成员"), blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所在单位"),
        on_delete=models.PROTECT,
        related_name="talents",
    )
    year = models.PositiveSmallIntegerField(_("入选年度"))
    field = models.CharField(_("领域"), max_length=100, blank=True)
    project = models.CharField(_("项目名称"), max_length=150, blank=True)
    funding = models.DecimalField(
        _("资助经费（元）"), validators=[MinValueValidator(0)], null=True, blank=True, **MONEY
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=TalentState.choices, default=TalentState.ACTIVE
    )

    class Meta:
        verbose_name = _("人才")
        verbose_name_plural = _("人才")
        ordering = ["-year", "name", "id"]
        indexes = [models.Index(fields=["year", "kind"], name="talent_year_kind")]

    def __str__(self) -> str:
        return self.name


class ForeignExpert(AuditedModel):
    name = models.CharField(_("姓名"), max_length=100)
    country = models.CharField(_("国籍"), max_length=50)
    field = models.CharField(_("专业领域"), max_length=100, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("聘用单位"),
        on_delete=models.PROTECT,
        related_name="foreign_experts",
    )
    workstation = models.ForeignKey(
        "carriers.Carrier",
        verbose_name=_("外国专家工作站"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="foreign_experts",
    )
    engagement = models.CharField(_("引进方式"), max_length=10, choices=Engagement.choices)
    starts_on = models.DateField(_("聘期开始"))
    ends_on = models.DateField(_("聘期结束"))
    days_per_year = models.PositiveSmallIntegerField(_("每年在岗天数"), null=True, blank=True)

    class Meta:
        verbose_name = _("外国专家")
        verbose_name_plural = _("外国专家")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="foreign_expert_term_order"
            )
        ]

    def __str__(self) -> str:
        return self.name
