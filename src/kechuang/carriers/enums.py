from django.db import models
from django.utils.translation import gettext_lazy as _


class CarrierKind(models.TextChoices):
    """创新载体 the bureau recognizes. Levels come from organizations.enums.QualificationLevel."""

    INCUBATOR = "incubator", _("科技企业孵化器")
    MAKER_SPACE = "maker_space", _("众创空间")
    STAR_SPACE = "star_space", _("星创天地")  # the rural maker space (科技部)
    COMPLEX = "complex", _("产业创新服务综合体")
    INSTITUTE = "institute", _("新型研发机构")
    KEY_LAB = "key_lab", _("重点实验室")
    ENG_CENTER = "eng_center", _("工程技术研究中心")
    WORKSTATION = "workstation", _("院士专家工作站")
    FOREIGN_WORKSTATION = "foreign_workstation", _("外国专家工作站")


# Kinds that house companies (在孵企业): their annual report lists them.
INCUBATING_KINDS = frozenset({CarrierKind.INCUBATOR, CarrierKind.MAKER_SPACE, CarrierKind.STAR_SPACE})


class CarrierState(models.TextChoices):
    ACTIVE = "active", _("有效")
    WARNED = "warned", _("限期整改")
    REMOVED = "removed", _("已撤销")


class IncubateeState(models.TextChoices):
    INCUBATING = "incubating", _("在孵")
    GRADUATED = "graduated", _("毕业")
    LEFT = "left", _("退出")


class IndicatorType(models.TextChoices):
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("数值")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已确认")


class SchemeState(models.TextChoices):
    DRAFT = "draft", _("评价中")
    PUBLISHED = "published", _("已发布")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class Consequence(models.TextChoices):
    NONE = "none", _("无")
    SUPPORT = "support", _("奖励支持")
    WARNING = "warning", _("警告并限期整改")
    REMOVAL = "removal", _("撤销认定")
