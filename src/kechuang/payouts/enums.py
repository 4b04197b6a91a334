from django.db import models
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    """What in the records makes an organization eligible for a payout item (one claim per qualifying record)."""

    QUALIFICATION = "qualification", _("获得资质认定")  # e.g. a new 高新技术企业 recognition in the year
    PATENT_GRANT = "patent_grant", _("专利授权")  # e.g. an invention patent granted in the period
    CARRIER = "carrier", _("创新载体认定")  # e.g. a new provincial maker space
    CONTRACT = "contract", _("技术合同登记")  # registered technology contracts (the buyer's or seller's)


class ItemState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("受理中")
    CLOSED = "closed", _("已结束")


class ClaimState(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已核准")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    PAID = "paid", _("已兑现")


HOLDING_STATES = frozenset({ClaimState.SUBMITTED, ClaimState.APPROVED, ClaimState.PAID})
