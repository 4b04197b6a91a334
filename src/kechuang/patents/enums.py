from django.db import models
from django.utils.translation import gettext_lazy as _


class PatentKind(models.TextChoices):
    INVENTION = "invention", _("发明")
    UTILITY_MODEL = "utility_model", _("实用新型")
    DESIGN = "design", _("外观设计")


class PatentStatus(models.TextChoices):
    APPLIED = "applied", _("申请中")
    GRANTED = "granted", _("已授权")
    LAPSED = "lapsed", _("已失效")
    REJECTED = "rejected", _("已驳回")


class PolicyState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("受理中")
    CLOSED = "closed", _("已结束")


class ClaimState(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已核准")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    PAID = "paid", _("已拨付")


# Claims whose items hold their patents (a patent in one of them cannot be claimed again).
HOLDING_CLAIM_STATES = frozenset({ClaimState.SUBMITTED, ClaimState.APPROVED, ClaimState.PAID})


class PledgeState(models.TextChoices):
    ACTIVE = "active", _("质押中")
    RELEASED = "released", _("已解押")
    DEFAULTED = "defaulted", _("已违约处置")


class CaseKind(models.TextChoices):
    INFRINGEMENT = "infringement", _("专利侵权纠纷")
    COUNTERFEIT = "counterfeit", _("假冒专利")
    OWNERSHIP = "ownership", _("权属纠纷")
    OTHER = "other", _("其他")


class CaseState(models.TextChoices):
    RECEIVED = "received", _("已受理")
    INVESTIGATING = "investigating", _("调查中")
    MEDIATING = "mediating", _("调解中")
    CLOSED = "closed", _("已结案")


class CaseOutcome(models.TextChoices):
    NONE = "", _("未结案")
    MEDIATED = "mediated", _("调解结案")
    DECIDED = "decided", _("作出处理决定")
    PENALIZED = "penalized", _("行政处罚")
    WITHDRAWN = "withdrawn", _("撤回")
    DISMISSED = "dismissed", _("不予立案")
