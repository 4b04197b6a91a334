from django.db import models
from django.utils.translation import gettext_lazy as _


class AnnualDataStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已提交")


class AssessmentKind(models.TextChoices):
    HNTE = "hnte", _("高新技术企业")
    TSME = "tsme", _("科技型中小企业")


class ReserveStatus(models.TextChoices):
    """后备库: an enterprise proposed by the rules or by an officer, cultivated towards a target year."""

    PROPOSED = "proposed", _("系统推荐")
    CULTIVATING = "cultivating", _("培育中")
    APPLIED = "applied", _("已申报")
    RECOGNIZED = "recognized", _("已认定")
    REMOVED = "removed", _("移出")


class ReserveSource(models.TextChoices):
    RULES = "rules", _("规则推荐")
    OFFICER = "officer", _("人工添加")


class NeedKind(models.TextChoices):
    TECHNICAL = "technical", _("技术")
    FINANCIAL = "financial", _("资金")
    TALENT = "talent", _("人才")
    POLICY = "policy", _("政策")
    OTHER = "other", _("其他")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("待解决")
    IN_PROGRESS = "in_progress", _("跟进中")
    RESOLVED = "resolved", _("已解决")
    TO_MARKET = "to_market", _("已转技术需求")
