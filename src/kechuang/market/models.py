"""网上技术市场: listings (技术需求 and 科技成果), their contacts, matches, negotiation threads, matchmaking
events and technology contract registration. Money in Decimal yuan."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import AuditedModel
from kechuang.organizations.enums import TechField

from .enums import (
    ContactRequestStatus,
    ContractState,
    ContractSubType,
    ContractType,
    Cooperation,
    EventState,
    ListingKind,
    ListingState,
    MatchTargetKind,
    MeetingOutcome,
    ThreadState,
)

MONEY = {"max_digits": 16, "decimal_places": 2}


class Listing(AuditedModel):
    """One listing of the market: a 技术需求 (demand) of an enterprise or a 科技成果 (achievement) of a
    university, institute or enterprise. One table for both, so search and matching read one index.

    The contact fields are shown only to the owner, the bureau, and users the owner agreed to share them
    with (ContactRequest).
    """

    kind = models.CharField(_("类型"), max_length=12, choices=ListingKind.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("发布单位"),
        on_delete=models.PROTECT,
        related_name="listings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="listings"
    )
    title = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("内容"), help_text=_("技术需求的描述，或科技成果的简介。"))
    tech_field = models.CharField(_("技术领域"), max_length=32, choices=TechField.choices)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True, help_text=_("以逗号或空格分隔。"))
    cooperation = models.CharField(
        _("合作方式"),
        max_length=20,
        choices=Cooperation.choices,
        help_text=_("技术需求：希望的合作方式；科技成果：转化方式。"),
    )
    # Demands
    budget_min = models.DecimalField(_("预算下限（元）"), null=True, blank=True, **MONEY)
    budget_max = models.DecimalField(_("预算上限（元）"), null=True, blank=True, **MONEY)
    # Achievements
    maturity = models.PositiveSmallIntegerField(
        _("技术成熟度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1–9 级（技术就绪水平）。"),
    )
    ip_numbers = models.CharField(
        _("相关知识产权"), max_length=300, blank=True, help_text=_("专利号等，以逗号分隔。")
    )
    price = models.DecimalField(_("挂牌价格（元）"), null=True, blank=True, **MONEY)
    negotiable = models.BooleanField(_("价格面议"), default=False)
    # Both
    expires_on = models.DateField(_("有效期至"), help_text=_("技术需求为需求截止日期。"))
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    contact_email = models.EmailField(_("电子邮箱"), blank=True)
    source_need = models.ForeignKey(
        "enterprises.Need",
        verbose_name=_("来源走访需求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="listings",
    )

    state = models.CharField(
        _("状态"), max_length=12, choices=ListingState.choices, default=ListingState.DRAFT, db_index=True
    )
    state_since = models.DateTimeField(_("状态时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回理由"), max_length=500, blank=True)
    view_count = models.PositiveIntegerField(_("浏览次数"), default=0, editable=False)
    # When the text last changed: search and matching re-index what changed after they last ran.
    content_changed_at = models.DateTimeField(_("内容更新时间"), default=timezone.now, db_index=True)

    audit_exclude = ("updated_at", "version", "view_count")

    class Meta:
        verbose_name = _("供需信息")
        verbose_name_plural = _("供需信息")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "state", "-published_at"], name="market_listing_kind_state"),
            # Lists newest first (the API, the bureau's): walked in order, no sort of the whole table.
            models.Index(fields=["-published_at", "-id"], name="market_listing_newest"),
            models.Index(fields=["organization", "kind", "state"], name="market_listing_org"),
            models.Index(fields=["state", "expires_on"], name="market_listing_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True)
                | models.Q(budget_max__isnull=True)
                | models.Q(budget_min__lte=models.F("budget_max")),
                name="market_listing_budget_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_demand(self) -> bool:
        return self.kind == ListingKind.DEMAND


class ContactRequest(AuditedModel):
    """A request to see a listing's contact details; the owner grants or declines it."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("供需信息"), on_delete=models.CASCADE, related_name="contact_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("申请单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    message = models.CharField(_("留言"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ContactRequestStatus.choices, default=ContactRequestStatus.PENDING
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("联系方式申请")
        verbose_name_plural = _("联系方式申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "requester"], name="market_contact_once_per_user"),
        ]


class ListingEmbedding(models.Model):
    """The sentence embedding of a listing's text, computed in the background (float32 bytes)."""

    listing = models.OneToOneField(
        Listing, on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    model = models.CharField(_("模型"), max_length=60)
    vector = models.BinaryField(_("向量"))
    text_changed_at = models.DateTimeField(_("对应内容时间"))
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    class Meta:
        verbose_name = _("语义向量")
        verbose_name_plural = _("语义向量")

    def __str__(self) -> str:
        return f"{self.listing_id}:{self.model}"


class Match(models.Model):
    """One stored match of a listing: a listing of the other kind, an expert or an organization, ranked,
    with the reasons shown to the owner. Recomputed in the background when listings change."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("供需信息"), on_delete=models.CASCADE, related_name="matches"
    )
    target_kind = models.CharField(_("匹配对象类型"), max_length=12, choices=MatchTargetKind.choices)
    target_listing = models.ForeignKey(
        Listing, null=True, blank=True, on_delete=models.CASCADE, related_name="matched_by"
    )
    target_expert = models.ForeignKey(
        "reviews.Expert", null=True, blank=True, on_delete=models.CASCADE, related_name="market_matches"
    )
    target_organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="market_matches",
    )
    rank = models.PositiveSmallIntegerField(_("排名"))
    score = models.FloatField(_("匹配度"))
    lexical_score = models.FloatField(_("文本得分"), default=0)
    semantic_score = models.FloatField(_("语义得分"), null=True, blank=True)
    reasons = models.JSONField(_("匹配理由"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("匹配结果")
        verbose_name_plural = _("匹配结果")
        ordering = ["listing", "target_kind", "rank"]
        indexes = [models.Index(fields=["listing", "target_kind", "rank"], name="market_match_rank")]

    def __str__(self) -> str:
        return f"{self.listing_id}→{self.target_kind}#{self.rank}"


class Thread(AuditedModel):
    """A negotiation (洽谈) between a listing's owner and an interested party, optionally followed by a broker."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("供需信息"), on_delete=models.PROTECT, related_name="threads"
    )
    # The other side's listing when the thread came from a match (a demand meeting an achievement).
    counter_listing = models.ForeignKey(
        Listing,
        verbose_name=_("对方供需信息"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner = models.ForeignKey(
        "organizations.Organization", verbose_name=_("发布方"), on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey(
        "organizations.Organization", verbose_name=_("洽谈方"), on_delete=models.PROTECT, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    broker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("技术经纪人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="brokered_threads",
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=ThreadState.choices, default=ThreadState.CONTACTED, db_index=True
    )
    state_since = models.DateTimeField(_("状态时间"), default=timezone.now)
    intent_amount = models.DecimalField(_("意向金额（元）"), null=True, blank=True, **MONEY)
    last_message_at = models.DateTimeField(_("最新消息时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("洽谈")
        verbose_name_plural = _("洽谈")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "party"], name="market_thread_once_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id}/{self.party_id}"

    @property
    def region_id(self) -> str:
        """The listing's region: where the audit trail files the thread's transitions."""
        return self.listing.region_id


class Message(models.Model):
    """One message of a thread; never edited."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("洽谈"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("内容"))
    attachment = models.FileField(_("附件"), upload_to="market/messages/%Y/%m/", blank=True)
    attachment_name = models.CharField(_("附件名"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("洽谈消息")
        verbose_name_plural = _("洽谈消息")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:30]


class MatchmakingEvent(AuditedModel):
    """对接活动: a theme, fields, a date and place, registrations, and meetings scheduled into time slots."""

    title = models.CharField(_("活动名称"), max_length=120)
    theme = models.TextField(_("活动主题"), blank=True)
    tech_fields = models.JSONField(_("技术领域"), default=list, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("主办区划"),
        on_delete=models.PROTECT,
        related_name="matchmaking_events",
    )
    held_on = models.DateField(_("举办日期"))
    place = models.CharField(_("地点"), max_length=200)
    starts_at = models.TimeField(_("洽谈开始时间"), default=datetime.time(9, 0))
    slot_minutes = models.PositiveSmallIntegerField(_("每场时长（分钟）"), default=20)
    slot_count = models.PositiveSmallIntegerField(_("场次数"), default=9)
    tables = models.PositiveSmallIntegerField(_("洽谈桌数"), default=10)
    registration_closes_on = models.DateField(_("报名截止日期"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=EventState.choices, default=EventState.DRAFT)
    state_since = models.DateTimeField(_("状态时间"), default=timezone.now)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("组织人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("对接活动")
        verbose_name_plural = _("对接活动")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class EventRegistration(AuditedModel):
    """An organization taking part in an event with some of its published listings."""

    event = models.ForeignKey(
        MatchmakingEvent, verbose_name=_("对接活动"), on_delete=models.CASCADE, related_name="registrations"
    )
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("参会单位"), on_delete=models.PROTECT, related_name="+"
    )
    listings = models.ManyToManyField(
        Listing, verbose_name=_("携带的供需信息"), related_name="event_registrations"
    )
    attendee = models.CharField(_("参会人"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=30)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报名人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        constraints = [
            models.UniqueConstraint(fields=["event", "organization"], name="market_event_register_once"),
        ]


class Meeting(AuditedModel):
    """One scheduled meeting of an event: a demand and an achievement, a slot and a table, and its outcome."""

    event = models.ForeignKey(
        MatchmakingEvent, verbose_name=_("对接活动"), on_delete=models.CASCADE, related_name="meetings"
    )
    demand = models.ForeignKey(
        Listing, verbose_name=_("技术需求"), on_delete=models.PROTECT, related_name="+"
    )
    achievement = models.ForeignKey(
        Listing, verbose_name=_("科技成果"), on_delete=models.PROTECT, related_name="+"
    )
    demand_party = models.ForeignKey(
        "organizations.Organization", verbose_name=_("需求方"), on_delete=models.PROTECT, related_name="+"
    )
    supply_party = models.ForeignKey(
        "organizations.Organization", verbose_name=_("成果方"), on_delete=models.PROTECT, related_name="+"
    )
    slot = models.PositiveSmallIntegerField(_("场次"), null=True, blank=True)  # 0-based; None: not scheduled
    table = models.PositiveSmallIntegerField(_("桌号"), null=True, blank=True)
    score = models.FloatField(_("匹配度"), default=0)
    outcome = models.CharField(
        _("洽谈结果"), max_length=10, choices=MeetingOutcome.choices, default=MeetingOutcome.PENDING
    )
    amount = models.DecimalField(_("意向/签约金额（元）"), null=True, blank=True, **MONEY)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("对接洽谈")
        verbose_name_plural = _("对接洽谈")
        ordering = ["event", "slot", "table", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "demand", "achievement"], name="market_meeting_pair_once"
            ),
            models.UniqueConstraint(fields=["event", "slot", "table"], name="market_meeting_table_free"),
        ]


class ContractRegistration(AuditedModel):
    """技术合同认定登记 (rules.md §5): a contract, both amounts, the registrar's verification and number.

    技术交易额 = 合同成交额 − 非技术性费用 (rules.md §5.3), kept with both amounts on every contract.
    """

    registration_no = models.CharField(_("登记号"), max_length=30, unique=True, null=True, blank=True)
    title = models.CharField(_("合同名称"), max_length=200)
    contract_type = models.CharField(_("合同类型"), max_length=12, choices=ContractType.choices)
    sub_type = models.CharField(_("合同子类"), max_length=32, choices=ContractSubType.choices)
    seller = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("卖方（技术输出方）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts_sold",
    )
    seller_name = models.CharField(_("卖方名称"), max_length=100)
    seller_region = models.ForeignKey(
        "regions.Region", verbose_name=_("卖方所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    buyer = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("买方（技术吸纳方）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts_bought",
    )
    buyer_name = models.CharField(_("买方名称"), max_length=100)
    buyer_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("买方所在区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tech_field = models.CharField(_("技术领域"), max_length=32, choices=TechField.choices)
    contract_amount = models.DecimalField(_("合同成交额（元）"), **MONEY)
    non_technical_amount = models.DecimalField(_("非技术性费用（元）"), default=0, **MONEY)
    transaction_amount = models.DecimalField(_("技术交易额（元）"), **MONEY)
    # The itemised non-technical costs and their note as given, in words (contract_rules.describe_costs).
    non_technical_detail = models.TextField(_("非技术性费用明细"), blank=True)
    signed_on = models.DateField(_("签订日期"))
    valid_from = models.DateField(_("履行期限起"), null=True, blank=True)
    valid_until = models.DateField(_("履行期限止"), null=True, blank=True)
    listing = models.ForeignKey(
        Listing,
        verbose_name=_("来源供需信息"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    thread = models.ForeignKey(
        Thread,
        verbose_name=_("来源洽谈"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("来源对接洽谈"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    contract_file = models.FileField(_("合同文本"), upload_to="market/contracts/%Y/", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("状态"),
        max_length=12,
        choices=ContractState.choices,
        default=ContractState.SUBMITTED,
        db_index=True,
    )
    state_since = models.DateTimeField(_("状态时间"), default=timezone.now)
    registrar = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registered_on = models.DateField(_("登记日期"), null=True, blank=True, db_index=True)
    return_reason = models.CharField(_("退回/不予登记理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("技术合同登记")
        verbose_name_plural = _("技术合同登记")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(non_technical_amount__gte=0)
                & models.Q(non_technical_amount__lte=models.F("contract_amount")),
                name="market_contract_non_technical_within",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    transaction_amount=models.F("contract_amount") - models.F("non_technical_amount")
                ),
                name="market_contract_transaction_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def region_id(self) -> str:
        """The seller's region (输出; the registering bureau's): where the audit trail files the contract."""
        return self.seller_region_id
