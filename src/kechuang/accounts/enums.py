from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("科技局管理员")
    BUREAU_STAFF = "bureau_staff", _("科技局业务处室")
    BUREAU_LEADER = "bureau_leader", _("局领导")
    OFFICER = "officer", _("属地科技干部")
    ENTERPRISE = "enterprise", _("企业用户")
    INSTITUTION = "institution", _("高校院所用户")
    EXPERT = "expert", _("专家")
    PROVIDER = "provider", _("服务机构")
    BROKER = "broker", _("技术经纪人")


BUREAU_ROLES = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.BUREAU_LEADER})
# Roles whose work covers a region (a bureau's city or county, a town officer's town).
REGION_ROLES = BUREAU_ROLES | {Role.OFFICER}
# Roles that act for one organization and see only its records.
ORGANIZATION_ROLES = frozenset({Role.ENTERPRISE, Role.INSTITUTION, Role.PROVIDER})


class Department(models.TextChoices):
    HIGH_TECH = "high_tech", _("高新技术处")
    RURAL_SOCIAL = "rural_social", _("农村与社会发展处")
    ACHIEVEMENT = "achievement", _("成果转化处")
    IP = "ip", _("知识产权科")
    PLANNING = "planning", _("规划与政策处")
    OFFICE = "office", _("办公室")


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACTIVE = "active", _("已通过")
    REJECTED = "rejected", _("已拒绝")
