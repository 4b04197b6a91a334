from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待属地推荐")
    RECOMMENDED = "recommended", _("已推荐，待形式审查")
    RETURNED = "returned", _("退回修改")
    CHECKED = "checked", _("形式审查通过，待专家评审")
    IN_REVIEW = "in_review", _("专家评审中")
    REVIEWED = "reviewed", _("评审完成，待决策")
    PROPOSED = "proposed", _("拟立项，待公示")
    IN_NOTICE = "in_notice", _("公示中")
    APPROVED = "approved", _("已立项")
    NOT_APPROVED = "not_approved", _("未立项")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class ApplicationAction(models.TextChoices):
    SUBMIT = "submit", pgettext_lazy("application action", "提交")
    WITHDRAW = "withdraw", pgettext_lazy("application action", "撤回")
    RECOMMEND = "recommend", pgettext_lazy("application action", "推荐")
    NOT_RECOMMEND = "not_recommend", pgettext_lazy("application action", "不予推荐")
    PASS_CHECK = "pass_check", pgettext_lazy("application action", "形式审查通过")
    RETURN = "return", pgettext_lazy("application action", "退回修改")
    REJECT = "reject", pgettext_lazy("application action", "不予受理")
    START_REVIEW = "start_review", pgettext_lazy("application action", "开始专家评审")
    FINISH_REVIEW = "finish_review", pgettext_lazy("application action", "汇总评审结果")
    PROPOSE = "propose", pgettext_lazy("application action", "拟立项")
    DECLINE = "decline", pgettext_lazy("application action", "不予立项")
    PUBLISH = "publish", pgettext_lazy("application action", "公示")
    APPROVE = "approve", pgettext_lazy("application action", "批准立项")
    OBJECTION_UPHELD = "objection_upheld", pgettext_lazy("application action", "异议成立，撤销立项")
    # Taken by the bureau when it grants the applicant's recorded withdrawal request (撤回申请).
    WITHDRAW_ON_REQUEST = "withdraw_on_request", pgettext_lazy("application action", "准予撤回")


class Holder(models.TextChoices):
    """Who has to act on an application now (shown to the applicant as 'who holds the file')."""

    APPLICANT = "applicant", _("申报单位")
    LOCALITY = "locality", _("属地科技部门")
    BUREAU = "bureau", _("科技局业务处室")
    EXPERTS = "experts", _("评审专家")
    NOBODY = "", _("无")


class FieldType(models.TextChoices):
    TEXT = "text", _("文本")
    LONGTEXT = "longtext", _("长文本")
    NUMBER = "number", _("数字")
    MONEY = "money", _("金额")
    DATE = "date", _("日期")
    CHOICE = "choice", _("单选")
    TABLE = "table", _("表格")
    FILE = "file", _("附件")


class ProjectState(models.TextChoices):
    AGREEMENT = "agreement", _("编制任务书")
    AGREEMENT_REVIEW = "agreement_review", _("任务书待审核")
    IN_PROGRESS = "in_progress", _("实施中")
    ACCEPTANCE = "acceptance", _("已申请结题验收")
    ACCEPTED = "accepted", _("验收通过")
    CONDITIONAL = "conditional", _("结题（整改后通过）")
    FAILED = "failed", _("验收不通过")


class ProjectAction(models.TextChoices):
    SUBMIT_AGREEMENT = "submit_agreement", pgettext_lazy("project action", "提交任务书")
    RETURN_AGREEMENT = "return_agreement", pgettext_lazy("project action", "退回任务书")
    SIGN = "sign", pgettext_lazy("project action", "签订任务书")
    APPLY_ACCEPTANCE = "apply_acceptance", pgettext_lazy("project action", "申请结题验收")
    PASS = "pass", pgettext_lazy("project action", "验收通过")
    PASS_CONDITIONALLY = "pass_conditionally", pgettext_lazy("project action", "整改后通过")
    FAIL = "fail", pgettext_lazy("project action", "验收不通过")


class ChangeKind(models.TextChoices):
    EXTENSION = "extension", _("延期")
    BUDGET = "budget", _("预算调整")
    TEAM = "team", _("团队变更")


class PerformanceGrade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class IntegrityKind(models.TextChoices):
    FAILED_ACCEPTANCE = "failed_acceptance", _("验收不通过")
    MISCONDUCT = "misconduct", _("科研失信")
