from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("高校院所")
    PROVIDER = "provider", _("服务机构")
    AGENCY = "agency", _("中介机构")
    GOVERNMENT = "government", _("政府部门")


class InstitutionType(models.TextChoices):
    UNIVERSITY = "university", _("高等院校")
    RESEARCH_INSTITUTE = "research_institute", _("科研院所")


class Industry(models.TextChoices):
    """GB/T 4754-2017 国民经济行业分类, top-level sections (门类)."""

    A = "A", _("农、林、牧、渔业")
    B = "B", _("采矿业")
    C = "C", _("制造业")
    D = "D", _("电力、热力、燃气及水生产和供应业")
    E = "E", _("建筑业")
    F = "F", _("批发和零售业")
    G = "G", _("交通运输、仓储和邮政业")
    H = "H", _("住宿和餐饮业")
    I = "I", _("信息传输、软件和信息技术服务业")  # noqa: E741  the standard's own letter
    J = "J", _("金融业")
    K = "K", _("房地产业")
    L = "L", _("租赁和商务服务业")
    M = "M", _("科学研究和技术服务业")
    N = "N", _("水利、环境和公共设施管理业")
    O = "O", _("居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("教育")
    Q = "Q", _("卫生和社会工作")
    R = "R", _("文化、体育和娱乐业")
    S = "S", _("公共管理、社会保障和社会组织")
    T = "T", _("国际组织")


class TechField(models.TextChoices):
    """《国家重点支持的高新技术领域》 first-level fields (国科发火〔2016〕32号 附件); names exactly as published."""

    ELECTRONIC_INFORMATION = "electronic_information", _("电子信息")
    BIO_MEDICINE = "bio_medicine", _("生物与新医药")
    AEROSPACE = "aerospace", _("航空航天")
    NEW_MATERIALS = "new_materials", _("新材料")
    HIGH_TECH_SERVICES = "high_tech_services", _("高技术服务")
    NEW_ENERGY = "new_energy", _("新能源与节能")
    RESOURCES_ENVIRONMENT = "resources_environment", _("资源与环境")
    ADVANCED_MANUFACTURING = "advanced_manufacturing", _("先进制造与自动化")


class OrganizationSize(models.TextChoices):
    MICRO = "micro", _("微型")
    SMALL = "small", _("小型")
    MEDIUM = "medium", _("中型")
    LARGE = "large", _("大型")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("待核验")
    VERIFIED = "verified", _("已核验")
    REJECTED = "rejected", _("未通过")


class QualificationKind(models.TextChoices):
    """Recognitions the bureau tracks (资质). The first two keep their codes: calls' eligibility rules name them."""

    TSME = "tsme", _("科技型中小企业")
    HNTE = "hnte", _("高新技术企业")
    ENTERPRISE_INSTITUTE = "ent_institute", _("省级企业研究院")
    KEY_ENTERPRISE_INSTITUTE = "key_institute", _("省级重点企业研究院")
    HNTE_RD_CENTER = "hnte_rd_center", _("省级高新技术企业研究开发中心")
    CITY_RD_CENTER = "city_rd_center", _("市级研发中心")
    ENTERPRISE_TECH_CENTER = "tech_center", _("企业技术中心")
    PATENT_DEMO = "patent_demo", _("专利示范企业")
    TECH_GIANT = "tech_giant", _("科技小巨人企业")
    INNOVATION_LEADER = "leader", _("创新型领军企业")


class QualificationLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


# The level a kind has unless the certificate says otherwise (专利示范企业 and 企业技术中心 exist at every level).
DEFAULT_LEVEL = {
    QualificationKind.TSME: QualificationLevel.PROVINCIAL,
    QualificationKind.HNTE: QualificationLevel.NATIONAL,
    QualificationKind.ENTERPRISE_INSTITUTE: QualificationLevel.PROVINCIAL,
    QualificationKind.KEY_ENTERPRISE_INSTITUTE: QualificationLevel.PROVINCIAL,
    QualificationKind.HNTE_RD_CENTER: QualificationLevel.PROVINCIAL,
    QualificationKind.CITY_RD_CENTER: QualificationLevel.CITY,
    QualificationKind.ENTERPRISE_TECH_CENTER: QualificationLevel.PROVINCIAL,
    QualificationKind.PATENT_DEMO: QualificationLevel.CITY,
    QualificationKind.TECH_GIANT: QualificationLevel.PROVINCIAL,
    QualificationKind.INNOVATION_LEADER: QualificationLevel.PROVINCIAL,
}


class Tier(models.TextChoices):
    """梯度培育: the rung of the ladder an enterprise stands on, computed from its valid qualifications."""

    NONE = "none", _("一般企业")
    TSME = "tsme", _("科技型中小企业")
    HNTE = "hnte", _("高新技术企业")
    RD_INSTITUTION = "rd_institution", _("省级研发机构企业")
    LEADER = "leader", _("创新型领军企业")
