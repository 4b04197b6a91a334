from django.db import models
from django.utils.translation import gettext_lazy as _


class Measure(models.TextChoices):
    COUNT = "count", _("数量")
    AMOUNT = "amount", _("金额")
    RATIO = "ratio", _("比率（%）")
    SHARE = "share", _("占比（%）")  # a share of another indicator (`Indicator.base`)


class Source(models.TextChoices):
    COMPUTED = "computed", _("系统计算")
    REPORTED = "reported", _("地区填报")


class Comparator(models.TextChoices):
    AT_LEAST = "gte", _("不低于")
    AT_MOST = "lte", _("不高于")
    ABOUT = "about", _("左右")


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("考核中")
    PUBLISHED = "published", _("已发布")
