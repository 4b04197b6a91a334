"""Who may do what with vouchers; each predicate returns Allowed or Denied(reason).

* The bureau of the program's region (admin and staff) runs the program: terms, quota decisions, settlement,
  fraud flags. Leaders and town officers of the region see it.
* Providers are verified by the bureau of their own region.
* An enterprise's users apply for quotas and book, cancel, confirm or dispute its services; a provider's users
  accept, decline, complete and claim the services booked with it. Each sees only its own records.
* Both parties and the bureaus of both regions (issuing and service) see a booking and its history.
"""

from django.utils.translation import gettext as _

from kechuang.accounts.enums import Role
from kechuang.core.permissions import Allowed, Denied
from kechuang.core.scoping import region_within_user_scope

BUREAU_EDITORS = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_STAFF})


def in_region(user, region_code: str | None) -> bool:
    """A region-scoped user (bureau, officer) whose region contains `region_code`, or a superuser."""
    return user.is_authenticated and (
        user.is_superuser or (user.is_region_scoped and region_within_user_scope(user, region_code))
    )


def is_bureau_editor(user, region_code: str | None) -> bool:
    return user.is_authenticated and (
        user.is_superuser or (user.role in BUREAU_EDITORS and in_region(user, region_code))
    )


def acts_for(user, organization_id: int | None) -> bool:
    return (
        user.is_authenticated
        and organization_id is not None
        and user.active_organization_id == organization_id
    )


def can_manage_program(user, program):
    if is_bureau_editor(user, program.region_id):
        return Allowed()
    return Denied(_("只有发放地区科技局的业务人员可以管理该创新券计划。"))


def can_view_program_books(user, program):
    """The ledger, quotas and settlement of a program: its region's bureau and officers."""
    if in_region(user, program.region_id):
        return Allowed()
    return Denied(_("您无权查看该创新券计划的台账。"))


def can_verify_provider(user, profile):
    if is_bureau_editor(user, profile.organization.region_id):
        return Allowed()
    return Denied(_("只有服务机构所在地区科技局的业务人员可以核验服务机构。"))


def can_edit_provider(user, organization_id: int):
    if acts_for(user, organization_id) and user.role in (Role.PROVIDER, Role.INSTITUTION, Role.ENTERPRISE):
        return Allowed()
    return Denied(_("只有服务机构本单位的用户可以维护服务信息。"))


def can_view_quota(user, quota):
    if acts_for(user, quota.organization_id) or in_region(user, quota.program.region_id):
        return Allowed()
    return Denied(_("您无权查看该额度。"))


def can_apply_for(user, organization_id: int):
    if acts_for(user, organization_id) and user.role in (Role.ENTERPRISE, Role.INSTITUTION):
        return Allowed()
    return Denied(_("只有申领单位本单位的用户可以申领创新券。"))


def can_decide_quota(user, quota):
    return can_manage_program(user, quota.program)


def can_view_booking(user, booking):
    if (
        acts_for(user, booking.quota.organization_id)
        or acts_for(user, booking.provider_id)
        or in_region(user, booking.issuing_region_id)
        or in_region(user, booking.service_region_id)
    ):
        return Allowed()
    return Denied(_("您无权查看该创新券使用记录。"))


def as_enterprise(user, booking):
    if acts_for(user, booking.quota.organization_id):
        return Allowed()
    return Denied(_("只有使用创新券的企业可以执行此操作。"))


def as_provider(user, booking):
    if acts_for(user, booking.provider_id):
        return Allowed()
    return Denied(_("只有提供服务的机构可以执行此操作。"))


# --- api ---


def can_view_program(user, program):
    """An open or closed program is public to signed-in users; a draft only to its own region."""
    if program.state != "draft" or in_region(user, program.region_id):
        return Allowed()
    return Denied(_("该创新券计划尚未发布。"))


def can_oversee_vouchers(user):
    """Region-wide voucher lists (providers to verify, settlement batches, risk flags): bureaus and officers."""
    if user.is_authenticated and (user.is_superuser or user.is_region_scoped):
        return Allowed()
    return Denied(_("只有科技局和属地科技干部可以查看。"))


def can_view_provider(user, profile):
    if acts_for(user, profile.organization_id) or in_region(user, profile.organization.region_id):
        return Allowed()
    return Denied(_("您无权查看该服务机构的核验信息。"))
