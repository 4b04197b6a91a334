"""政策兑现: rewards and subsidies an organization claims under a published policy. Each payout item says which
records make an organization eligible (a trigger and its parameters) and how much it pays; the enterprise picks
a qualifying record it already has and fills in nothing the system knows.

A record pays once: a claim holds its basis (`basis_key`, e.g. "qualification:123") while it is submitted,
approved or paid, and a partial unique index allows one holding claim per item and basis.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import AuditedModel

from .enums import ClaimState, ItemState, Trigger

MONEY = {"max_digits": 16, "decimal_places": 2}


class PayoutItem(AuditedModel):
    policy = models.ForeignKey(
        "portal.Policy", verbose_name=_("政策"), on_delete=models.PROTECT, related_name="payout_items"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("兑现地区"), on_delete=models.PROTECT, related_name="payout_items"
    )
    name = models.CharField(_("兑现事项"), max_length=120)
    year = models.PositiveSmallIntegerField(_("年度"))
    trigger = models.CharField(_("兑现依据"), max_length=16, choices=Trigger.choices)
    # The trigger's terms, e.g. {"qualification_kind": "hnte", "level": "national"} or {"patent_kind": "invention"};
    # records dated within [basis_from, basis_until] count.
    parameters = models.JSONField(_("条件参数"), default=dict, blank=True)
    basis_from = models.DateField(_("依据日期起"))
    basis_until = models.DateField(_("依据日期止"))
    amount = models.DecimalField(_("每项兑现金额（元）"), validators=[MinValueValidator(0)], **MONEY)
    cap_per_organization = models.DecimalField(
        _("每家单位上限（元）"), validators=[MinValueValidator(0)], null=True, blank=True, **MONEY
    )
    applies_from = models.DateField(_("受理开始"))
    applies_until = models.DateField(_("受理截止"))
    state = models.CharField(_("状态"), max_length=10, choices=ItemState.choices, default=ItemState.DRAFT)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("兑现事项")
        verbose_name_plural = _("兑现事项")
        ordering = ["-year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(basis_until__gte=models.F("basis_from")), name="payout_basis_period_order"
            ),
            models.CheckConstraint(
                condition=models.Q(applies_until__gte=models.F("applies_from")),
                name="payout_apply_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PayoutClaim(AuditedModel):
    item = models.ForeignKey(
        PayoutItem, verbose_name=_("兑现事项"), on_delete=models.PROTECT, related_name="claims"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("申请单位"),
        on_delete=models.PROTECT,
        related_name="payout_claims",
    )
    basis_key = models.CharField(_("兑现依据记录"), max_length=60)  # "qualification:123", "patent:45", …
    basis_label = models.CharField(_("依据说明"), max_length=200)  # as shown when the claim was made
    state = models.CharField(
        _("状态"), max_length=10, choices=ClaimState.choices, default=ClaimState.SUBMITTED
    )
    holds = models.BooleanField(_("占用依据"), default=True)  # False once rejected or withdrawn
    amount_claimed = models.DecimalField(_("申请金额（元）"), **MONEY)
    amount_approved = models.DecimalField(_("核准金额（元）"), null=True, blank=True, **MONEY)
    bank_account = models.CharField(_("收款账户"), max_length=60, blank=True)
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
    paid_on = models.DateField(_("兑现日期"), null=True, blank=True)
    payment_reference = models.CharField(_("拨付凭证号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("兑现申请")
        verbose_name_plural = _("兑现申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["item", "state"], name="payout_claim_item_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "basis_key"], condition=models.Q(holds=True), name="payout_basis_paid_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.item}"
