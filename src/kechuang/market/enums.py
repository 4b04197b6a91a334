from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ListingKind(models.TextChoices):
    DEMAND = "demand", _("技术需求")
    ACHIEVEMENT = "achievement", _("科技成果")


class ListingState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待审核")
    RETURNED = "returned", _("已退回")
    PUBLISHED = "published", _("已发布")
    EXPIRED = "expired", _("已过期")
    WITHDRAWN = "withdrawn", _("已撤回")


class Cooperation(models.TextChoices):
    """How the parties work together: a demand's wanted form, an achievement's transfer mode (转化方式)."""

    TRANSFER = "transfer", _("技术转让")
    LICENSE = "license", _("技术许可")
    JOINT_DEVELOPMENT = "joint_development", _("合作开发")
    COMMISSIONED = "commissioned", _("委托开发")
    EQUITY = "equity", _("作价入股")
    SERVICE = "service", _("技术服务与咨询")


# An achievement offers one of these (issue 5: transfer / license / joint development / equity).
ACHIEVEMENT_COOPERATION = (
    Cooperation.TRANSFER,
    Cooperation.LICENSE,
    Cooperation.JOINT_DEVELOPMENT,
    Cooperation.EQUITY,
)


class ContactRequestStatus(models.TextChoices):
    PENDING = "pending", _("待同意")
    GRANTED = "granted", _("已同意")
    DECLINED = "declined", _("已拒绝")


class ThreadState(models.TextChoices):
    CONTACTED = "contacted", _("已联系")
    NEGOTIATING = "negotiating", _("洽谈中")
    INTENT = "intent", _("达成意向")
    CONTRACT = "contract", _("已签合同")
    CLOSED = "closed", _("已完成")
    FAILED = "failed", _("未成交")


class MatchTargetKind(models.TextChoices):
    LISTING = "listing", _("供需信息")
    EXPERT = "expert", _("专家")
    ORGANIZATION = "organization", _("单位")


class EventState(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("报名中")
    SCHEDULED = "scheduled", _("已排期")
    FINISHED = "finished", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class MeetingOutcome(models.TextChoices):
    PENDING = "pending", _("待洽谈")
    NO_DEAL = "no_deal", _("未达成")
    INTENT = "intent", pgettext_lazy("meeting outcome", "达成意向")
    SIGNED = "signed", _("签约")
    ABSENT = "absent", _("缺席")


class ContractType(models.TextChoices):
    """民法典 第三编第二十章 and rules.md §5.2."""

    DEVELOPMENT = "development", _("技术开发")
    TRANSFER = "transfer", _("技术转让")
    LICENSE = "license", _("技术许可")
    CONSULTING = "consulting", _("技术咨询")
    SERVICE = "service", _("技术服务")


class ContractSubType(models.TextChoices):
    """rules.md §5.2 sub-types; 技术培训 and 技术中介 are registered as their own sub-types of 技术服务."""

    COMMISSIONED_DEVELOPMENT = "commissioned_development", _("委托开发")
    COOPERATIVE_DEVELOPMENT = "cooperative_development", _("合作开发")
    PATENT_TRANSFER = "patent_transfer", _("专利权转让")
    PATENT_APPLICATION_TRANSFER = "patent_application_transfer", _("专利申请权转让")
    SECRET_TRANSFER = "secret_transfer", _("技术秘密转让")
    PATENT_LICENSE = "patent_license", _("专利实施许可")
    SECRET_LICENSE = "secret_license", _("技术秘密使用许可")
    CONSULTING = "consulting", _("技术咨询")
    GENERAL_SERVICE = "general_service", _("一般技术服务")
    TRAINING = "training", _("技术培训")
    INTERMEDIARY = "intermediary", _("技术中介")


CONTRACT_SUB_TYPES: dict[str, tuple[str, ...]] = {
    ContractType.DEVELOPMENT: (
        ContractSubType.COMMISSIONED_DEVELOPMENT,
        ContractSubType.COOPERATIVE_DEVELOPMENT,
    ),
    ContractType.TRANSFER: (
        ContractSubType.PATENT_TRANSFER,
        ContractSubType.PATENT_APPLICATION_TRANSFER,
        ContractSubType.SECRET_TRANSFER,
    ),
    ContractType.LICENSE: (ContractSubType.PATENT_LICENSE, ContractSubType.SECRET_LICENSE),
    ContractType.CONSULTING: (ContractSubType.CONSULTING,),
    ContractType.SERVICE: (
        ContractSubType.GENERAL_SERVICE,
        ContractSubType.TRAINING,
        ContractSubType.INTERMEDIARY,
    ),
}


class ContractState(models.TextChoices):
    SUBMITTED = "submitted", _("待认定")
    RETURNED = "returned", _("已退回")
    REGISTERED = "registered", _("已登记")
    REJECTED = "rejected", _("不予登记")
