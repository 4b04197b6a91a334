from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgramState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("受理中")
    CLOSED = "closed", _("已结束")


class CopayMode(models.TextChoices):
    """How a tiered co-payment applies to a fee (rules.md §6: the exact rule differs by city)."""

    WHOLE_FEE = "whole_fee", _("按费用所在档次整笔计算")  # the fee's own tier's ratio applies to all of it
    MARGINAL = "marginal", _("分段累进计算")  # each slice of the fee at its tier's ratio


class ServiceCategory(models.TextChoices):
    TESTING = "testing", _("检验检测")
    INSTRUMENT = "instrument", _("仪器设备共享")
    DESIGN = "design", _("工业设计")
    RD = "rd", _("研发服务")
    ANALYSIS = "analysis", _("分析测试")
    CONSULTING = "consulting", _("科技咨询")
    IP = "ip", _("知识产权服务")
    TRANSFER = "transfer", _("成果转化服务")


class OfferingKind(models.TextChoices):
    SERVICE = "service", _("服务项目")
    INSTRUMENT = "instrument", _("仪器设备")


class ProviderState(models.TextChoices):
    PENDING = "pending", _("待核验")
    VERIFIED = "verified", _("已核验")
    REJECTED = "rejected", _("未通过")
    SUSPENDED = "suspended", _("已暂停")


class QuotaState(models.TextChoices):
    APPLIED = "applied", _("待审核")
    APPROVED = "approved", _("已发放")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    EXPIRED = "expired", _("已到期")


class BookingState(models.TextChoices):
    REQUESTED = "requested", _("待服务机构确认")
    ACCEPTED = "accepted", _("服务中")
    DECLINED = "declined", _("服务机构已谢绝")
    CANCELLED = "cancelled", _("已取消")
    COMPLETED = "completed", _("待企业确认")
    DISPUTED = "disputed", _("企业有异议")
    CONFIRMED = "confirmed", _("已确认，待申请兑付")
    CLAIMED = "claimed", _("已申请兑付")
    SETTLED = "settled", _("已结算")
    PAID = "paid", _("已拨付")


class BatchState(models.TextChoices):
    DRAFT = "draft", _("编制中")
    APPROVED = "approved", _("已审定")
    PAID = "paid", _("已拨付")


class EntryKind(models.TextChoices):
    """A movement of voucher money in a program's ledger (amounts in yuan, always positive)."""

    ISSUE = "issue", _("发放额度")  # budget → a quota
    EXPIRE = "expire", _("额度到期收回")  # a quota's unused part → budget
    COMMIT = "commit", _("预约占用")  # a quota's available part → committed to a booking
    RELEASE = "release", _("释放占用")  # committed → back to the quota (cancelled, lower fee)
    REDEEM = "redeem", _("兑付")  # committed → redeemed (the enterprise confirmed the service)
    SETTLE = "settle", _("结算")  # redeemed → settled (in a settlement batch)
    PAY = "pay", _("拨付")  # settled → paid (the batch's payment recorded)


class FlagKind(models.TextChoices):
    RELATED_PARTIES = "related", _("企业与服务机构存在关联")
    VOUCHER_SHARE = "share", _("服务机构业务过度依赖创新券")
    UNDER_THRESHOLD = "threshold", _("多次预约金额略低于分档线")


class FlagState(models.TextChoices):
    OPEN = "open", _("待核查")
    CLEARED = "cleared", _("核查无异常")
    CONFIRMED = "confirmed", _("确认违规")
