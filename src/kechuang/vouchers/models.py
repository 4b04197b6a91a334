"""创新券: voucher programs, providers and their offerings (the 创新地图), quotas, bookings, settlement, and
the ledger every amount is reconciled with. Money in Decimal yuan.

The money moves in one direction (rules in `ledger.py`):

    budget ──issue──▶ quota (available) ──commit──▶ committed ──redeem──▶ redeemed ──settle──▶ settled ──pay──▶ paid
       ▲                  │   ▲                         │
       └──── expire ──────┘   └──────── release ────────┘

A program keeps running totals of each movement (updated under its row lock, in the same transaction as the
movement's LedgerEntry), so its figures are read without summing; `ledger.reconcile` checks them against the
entries.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import AuditedModel
from kechuang.core.validators import validate_upload

from .enums import (
    BatchState,
    BookingState,
    CopayMode,
    EntryKind,
    FlagKind,
    FlagState,
    OfferingKind,
    ProgramState,
    ProviderState,
    QuotaState,
    ServiceCategory,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class VoucherProgram(AuditedModel):
    """One voucher program of an issuing region for a period. Every number is configuration (rules.md §6)."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("发放地区"),
        on_delete=models.PROTECT,
        related_name="voucher_programs",
    )
    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("截止日期"), help_text=_("未使用的额度在此日之后到期收回。"))
    state = models.CharField(
        _("状态"), max_length=10, choices=ProgramState.choices, default=ProgramState.DRAFT
    )
    description = models.TextField(_("说明"), blank=True)
    budget = models.DecimalField(_("预算（元）"), validators=[MinValueValidator(0)], **MONEY)
    # Who may apply
    eligible_kinds = models.JSONField(_("可申领单位类型"), default=list)  # OrganizationKind values
    eligible_sizes = models.JSONField(_("企业规模"), default=list, blank=True)  # empty: any size
    required_qualifications = models.JSONField(_("须具备的资质（任一）"), default=list, blank=True)
    categories = models.JSONField(_("可使用的服务类别"), default=list)  # ServiceCategory values
    # Amounts
    quota_per_application = models.DecimalField(_("单次申领额度上限（元）"), **MONEY)
    annual_cap = models.DecimalField(_("每家企业年度累计上限（元）"), **MONEY)
    copay_mode = models.CharField(
        _("分档计算方式"), max_length=10, choices=CopayMode.choices, default=CopayMode.WHOLE_FEE
    )
    # [["0", "1"], ["10000", "0.5"]]: from each amount (yuan) on, the share of the fee the voucher pays
    copay_tiers = models.JSONField(_("创新券支付比例分档"), default=list)
    auto_approve = models.BooleanField(
        _("符合条件自动发放"), default=True, help_text=_("否：每笔申领由科技局审核。")
    )
    partner_regions = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("通用通兑地区"),
        blank=True,
        related_name="+",
        help_text=_("这些地区的服务机构也可接受本券；跨地区使用由发放地区结算。"),
    )
    # Running totals of the ledger (yuan), changed only with a LedgerEntry under this row's lock. Left out of
    # the audit diff: the ledger entries are their record.
    audit_exclude = ("updated_at", "version", "issued", "expired", "committed", "redeemed", "settled", "paid")
    issued = models.DecimalField(_("已发放"), default=ZERO, editable=False, **MONEY)
    expired = models.DecimalField(_("已到期收回"), default=ZERO, editable=False, **MONEY)
    committed = models.DecimalField(_("预约占用"), default=ZERO, editable=False, **MONEY)
    redeemed = models.DecimalField(_("已兑付"), default=ZERO, editable=False, **MONEY)
    settled = models.DecimalField(_("已结算"), default=ZERO, editable=False, **MONEY)
    paid = models.DecimalField(_("已拨付"), default=ZERO, editable=False, **MONEY)

    class Meta:
        verbose_name = _("创新券计划")
        verbose_name_plural = _("创新券计划")
        ordering = ["-year", "-starts_on", "id"]
        indexes = [models.Index(fields=["region", "year"], name="voucher_program_region_year")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(issued__lte=models.F("budget") + models.F("expired")),
                name="voucher_program_not_overspent",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="voucher_program_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining(self) -> Decimal:
        """Budget not yet issued as quotas (expired quotas come back to it)."""
        return self.budget - self.issued + self.expired

    @property
    def outstanding(self) -> Decimal:
        """Issued quotas not yet used or expired: what enterprises can still book with."""
        return self.issued - self.expired - self.committed - self.redeemed


class ProviderProfile(AuditedModel):
    """An organization offering services payable with vouchers (创新载体), verified by the bureau of its region."""

    organization = models.OneToOneField(
        "organizations.Organization",
        verbose_name=_("服务机构"),
        on_delete=models.CASCADE,
        related_name="voucher_provider",
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=ProviderState.choices, default=ProviderState.PENDING
    )
    categories = models.JSONField(_("服务类别"), default=list)
    description = models.TextField(_("机构简介"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    reason = models.CharField(_("意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("服务机构")
        verbose_name_plural = _("服务机构")

    def __str__(self) -> str:
        return str(self.organization)


class Offering(AuditedModel):
    """A service or an instrument of a provider, in the public catalogue (创新地图)."""

    provider = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("服务机构"),
        on_delete=models.CASCADE,
        related_name="offerings",
    )
    kind = models.CharField(
        _("类型"), max_length=10, choices=OfferingKind.choices, default=OfferingKind.SERVICE
    )
    category = models.CharField(_("服务类别"), max_length=12, choices=ServiceCategory.choices)
    name = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("内容"), blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="offerings"
    )
    address = models.CharField(_("地点"), max_length=200, blank=True)
    price = models.DecimalField(_("价格（元）"), validators=[MinValueValidator(0)], **MONEY)
    unit = models.CharField(_("计价单位"), max_length=20, default="次")
    availability = models.CharField(_("开放时间"), max_length=200, blank=True)
    booking_rules = models.TextField(_("预约须知"), blank=True)
    instrument_model = models.CharField(_("仪器型号"), max_length=100, blank=True)
    manufacturer = models.CharField(_("生产厂商"), max_length=100, blank=True)
    active = models.BooleanField(_("对外开放"), default=True)

    class Meta:
        verbose_name = _("服务项目与仪器")
        verbose_name_plural = _("服务项目与仪器")
        ordering = ["category", "price", "id"]
        indexes = [
            models.Index(fields=["active", "category", "price"], name="offering_catalogue"),
            models.Index(fields=["region", "active"], name="offering_region"),
            # the catalogue sorted by price over every category (p95 192 → 53 ms at 50,000 offerings)
            models.Index(fields=["active", "price", "id"], name="offering_price"),
        ]

    def __str__(self) -> str:
        return self.name


class Quota(AuditedModel):
    """A quota (额度) an organization applied for under a program; used by its bookings."""

    program = models.ForeignKey(
        VoucherProgram, verbose_name=_("创新券计划"), on_delete=models.PROTECT, related_name="quotas"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("申领单位"),
        on_delete=models.PROTECT,
        related_name="voucher_quotas",
    )
    state = models.CharField(_("状态"), max_length=10, choices=QuotaState.choices, default=QuotaState.APPLIED)
    requested = models.DecimalField(_("申领金额（元）"), **MONEY)
    purpose = models.CharField(_("用途"), max_length=300, blank=True)
    granted = models.DecimalField(_("发放金额（元）"), default=ZERO, **MONEY)
    committed = models.DecimalField(_("预约占用（元）"), default=ZERO, editable=False, **MONEY)
    redeemed = models.DecimalField(_("已兑付（元）"), default=ZERO, editable=False, **MONEY)
    expired = models.DecimalField(_("到期收回（元）"), default=ZERO, editable=False, **MONEY)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申领人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.CharField(_("审核意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("创新券额度")
        verbose_name_plural = _("创新券额度")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["program", "organization", "state"], name="quota_program_org")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    granted__gte=models.F("committed") + models.F("redeemed") + models.F("expired")
                ),
                name="quota_not_overspent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.organization}"

    @property
    def available(self) -> Decimal:
        return self.granted - self.committed - self.redeemed - self.expired


def _upload_to(folder):
    return f"vouchers/{folder}/%Y/%m/"


class Booking(AuditedModel):
    """One use of a quota (申请使用): a service booked with a provider, completed, confirmed, redeemed, settled."""

    quota = models.ForeignKey(
        Quota, verbose_name=_("额度"), on_delete=models.PROTECT, related_name="bookings"
    )
    offering = models.ForeignKey(
        Offering, verbose_name=_("服务项目"), on_delete=models.PROTECT, related_name="bookings"
    )
    provider = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("服务机构"),
        on_delete=models.PROTECT,
        related_name="voucher_services",
    )
    # Where the voucher was issued and where it was used (通用通兑: both regions count it, the issuer pays).
    issuing_region = models.ForeignKey(
        "regions.Region", verbose_name=_("发放地区"), on_delete=models.PROTECT, related_name="+"
    )
    service_region = models.ForeignKey(
        "regions.Region", verbose_name=_("使用地区"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=BookingState.choices, default=BookingState.REQUESTED
    )
    category = models.CharField(_("服务类别"), max_length=12, choices=ServiceCategory.choices)
    service_date = models.DateField(_("服务日期"))
    fee = models.DecimalField(_("服务费用（元）"), validators=[MinValueValidator(0)], **MONEY)
    voucher_amount = models.DecimalField(_("创新券支付（元）"), default=ZERO, **MONEY)
    enterprise_amount = models.DecimalField(_("企业自付（元）"), default=ZERO, **MONEY)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    invoice_no = models.CharField(_("发票号码"), max_length=40, blank=True)
    invoice_file = models.FileField(
        _("发票"), upload_to=_upload_to("invoices"), blank=True, validators=[validate_upload]
    )
    report_file = models.FileField(
        _("服务报告"), upload_to=_upload_to("reports"), blank=True, validators=[validate_upload]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("申请兑付时间"), null=True, blank=True)
    batch = models.ForeignKey(
        "SettlementBatch",
        verbose_name=_("结算批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
    )

    class Meta:
        verbose_name = _("创新券使用")
        verbose_name_plural = _("创新券使用")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "state"], name="booking_provider_state"),
            models.Index(fields=["issuing_region", "state"], name="booking_issuer_state"),
            models.Index(fields=["service_region", "state"], name="booking_service_region"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(voucher_amount__gte=0) & models.Q(enterprise_amount__gte=0),
                name="booking_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offering} · {self.service_date}"

    @property
    def cross_region(self) -> bool:
        """Used outside the issuing region (通用通兑); a town of the issuing city is inside it. Reads both regions:
        select_related them in lists."""
        return not self.service_region.path.startswith(self.issuing_region.path)


class SettlementBatch(AuditedModel):
    """Claimed redemptions the issuing region's bureau settles and pays together (结算批次)."""

    program = models.ForeignKey(
        VoucherProgram, verbose_name=_("创新券计划"), on_delete=models.PROTECT, related_name="batches"
    )
    state = models.CharField(_("状态"), max_length=10, choices=BatchState.choices, default=BatchState.DRAFT)
    total = models.DecimalField(_("结算金额（元）"), default=ZERO, **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编制人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    payment_reference = models.CharField(_("拨付凭证号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("结算批次")
        verbose_name_plural = _("结算批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.program} · {self.pk}"


class LedgerEntry(models.Model):
    """One movement of a program's money (append-only)."""

    program = models.ForeignKey(VoucherProgram, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("类型"), max_length=8, choices=EntryKind.choices)
    amount = models.DecimalField(_("金额（元）"), validators=[MinValueValidator(0)], **MONEY)
    quota = models.ForeignKey(Quota, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    batch = models.ForeignKey(
        SettlementBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("台账记录")
        verbose_name_plural = _("台账记录")
        ordering = ["id"]
        indexes = [models.Index(fields=["program", "kind"], name="ledger_program_kind")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class Flag(AuditedModel):
    """A pattern an officer should look at (fraud checks); never blocks anything by itself."""

    kind = models.CharField(_("类型"), max_length=10, choices=FlagKind.choices)
    state = models.CharField(_("状态"), max_length=10, choices=FlagState.choices, default=FlagState.OPEN)
    program = models.ForeignKey(
        VoucherProgram,
        verbose_name=_("创新券计划"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="flags",
    )
    provider = models.ForeignKey(
        "organizations.Organization", verbose_name=_("服务机构"), on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    booking = models.ForeignKey(
        Booking,
        verbose_name=_("使用记录"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="flags",
    )
    key = models.CharField(
        max_length=120, unique=True, editable=False
    )  # one flag per finding, however often checked
    detail = models.CharField(_("说明"), max_length=500)
    evidence = models.JSONField(_("依据"), default=dict, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    review_note = models.CharField(_("核查意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("风险提示")
        verbose_name_plural = _("风险提示")
        ordering = ["state", "-created_at", "-id"]
