from django.db import models
from django.utils.translation import gettext_lazy as _


class InquiryKind(models.TextChoices):
    QUESTION = "question", _("咨询")
    SUGGESTION = "suggestion", _("建议")
    COMPLAINT = "complaint", _("投诉")


class Topic(models.TextChoices):
    """What the letter is about; each topic has a default department (routing.py)."""

    PROJECTS = "projects", _("科技计划项目")
    ENTERPRISES = "enterprises", _("高企与科技型企业")
    MARKET = "market", _("技术市场与成果转化")
    VOUCHERS = "vouchers", _("创新券")
    TALENT = "talent", _("人才与科技特派员")
    IP = "ip", _("知识产权")
    POLICY = "policy", _("政策兑现")
    OTHER = "other", _("其他")


class InquiryState(models.TextChoices):
    RECEIVED = "received", _("待分办")
    ASSIGNED = "assigned", _("办理中")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")


class MessageAuthor(models.TextChoices):
    ASKER = "asker", _("来信人")
    BUREAU = "bureau", _("科技局")
