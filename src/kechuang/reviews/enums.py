from django.db import models
from django.utils.translation import gettext_lazy as _


class ConflictKind(models.TextChoices):
    DECLARED = "declared", _("本人申报回避")
    COLLABORATION = "collaboration", _("近三年合作")


class AssignmentState(models.TextChoices):
    INVITED = "invited", _("待确认")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已谢绝")
    SUBMITTED = "submitted", _("已提交评审")
    CANCELLED = "cancelled", _("已撤销")  # the application was withdrawn while under review


# Tasks an expert still holds: they count against the expert's load cap in every other draw.
OPEN_ASSIGNMENT_STATES = (AssignmentState.INVITED, AssignmentState.ACCEPTED)


class DeclineReason(models.TextChoices):
    CONFLICT = "conflict", _("存在利益冲突")
    NOT_MY_FIELD = "not_my_field", _("非本人专业领域")
    TOO_BUSY = "too_busy", _("时间冲突")


class DrawMethod(models.TextChoices):
    RANDOMIZED = "randomized", _("随机化最优匹配")
    UNIFORM = "uniform", _("等概率随机抽取")


class ConflictReason(models.TextChoices):
    """Why an expert must not review an application: the codes `draw.conflicts` returns, labelled."""

    SAME_ORGANIZATION = "same_organization", _("同一单位（含上下级）")
    DECLARED = "declared", _("本人申报回避")
    COLLABORATION = "collaboration", _("近三年合作")
    SAME_REGION = "same_region", _("属地回避")
