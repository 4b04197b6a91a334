from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤下")


class PolicyCategory(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业培育")
    RD = "rd", _("研发投入")
    TALENT = "talent", _("人才引育")
    CARRIER = "carrier", _("创新载体")
    IP = "ip", _("知识产权")
    TRANSFER = "transfer", _("成果转化")
    FINANCE = "finance", _("科技金融")
    OTHER = "other", _("其他")


class NoticeKind(models.TextChoices):
    NOTICE = "notice", _("通知公告")
    NEWS = "news", _("工作动态")
