from django.db import models
from django.utils.translation import gettext_lazy as _


class CommissionerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("个人科技特派员")
    TEAM = "team", _("团队科技特派员")
    LEGAL_PERSON = "legal_person", _("法人科技特派员")


class DispatchState(models.TextChoices):
    ACTIVE = "active", _("在派")
    ENDED = "ended", _("期满")
    RECALLED = "recalled", _("提前召回")


class WorkKind(models.TextChoices):
    """A commissioner's work log line; the bureau's figures count these (实施项目96个，推广新技术72项，举办培训256期)."""

    VISIT = "visit", _("走访服务")
    PROJECT = "project", _("实施项目")
    TECHNOLOGY = "technology", _("推广新技术")
    VARIETY = "variety", _("引进新品种")
    TRAINING = "training", _("举办培训")
    BASE = "base", _("建立示范基地")


class TalentKind(models.TextChoices):
    LEADING = "leading", _("领军人才")
    TEAM = "team", _("创新团队")
    YOUTH = "youth", _("青年英才")


class TalentState(models.TextChoices):
    ACTIVE = "active", _("支持期内")
    COMPLETED = "completed", _("期满")
    WITHDRAWN = "withdrawn", _("撤销")


class Engagement(models.TextChoices):
    FULL_TIME = "full_time", _("全职引进")
    FLEXIBLE = "flexible", _("柔性引进")
