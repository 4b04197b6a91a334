"""Who may do what in inquiries; each predicate returns Allowed or Denied(reason)."""


# --- inquiries ---
# * Anyone (no login) writes a letter. The asker follows it with the tracking number and access code (or, when
#   logged in, as the user who wrote it): reads the thread, follows up, rates the answer.
# * The bureau admin and staff of the letter's region (or of a region above it) assign, answer and close it;
#   a county bureau cannot answer the city's letters. Leaders and officers of the region read it.
# * A letter the asker agreed to publish is public once answered (its answer too); no other letter is shown to
#   anyone else.

from django.utils.translation import gettext as _  # noqa: E402

from kechuang.core.permissions import Allowed, Denied, in_region, is_bureau_editor  # noqa: E402


def is_inquiry_asker(user, inquiry, code: str | None = None) -> bool:
    from .services import code_matches

    if user is not None and user.is_authenticated and inquiry.user_id == user.pk:
        return True
    return bool(code) and code_matches(inquiry, code)


def inquiry_is_published(inquiry) -> bool:
    from .enums import InquiryState

    return inquiry.is_public and inquiry.state in (InquiryState.ANSWERED, InquiryState.CLOSED)


def can_view_inquiry(user, inquiry, code: str | None = None):
    if (
        inquiry_is_published(inquiry)
        or is_inquiry_asker(user, inquiry, code)
        or in_region(user, inquiry.region_id)
    ):
        return Allowed()
    return Denied(_("查询编号或查询码不正确，或您无权查看该来信。"))


def can_handle_inquiry(user, inquiry):
    if is_bureau_editor(user, inquiry.region_id):
        return Allowed()
    return Denied(_("只有受理地区科技局的业务人员可以办理该来信。"))


def can_act_as_asker(user, inquiry, code: str | None = None):
    if is_inquiry_asker(user, inquiry, code):
        return Allowed()
    return Denied(_("只有来信人（凭查询码）可以追问或评价。"))


def can_see_inquiry_queue(user):
    if user.is_authenticated and (user.is_superuser or user.is_bureau or user.is_region_scoped):
        return Allowed()
    return Denied(_("只有科技局工作人员可以查看来信办理。"))
