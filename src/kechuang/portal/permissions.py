"""Who may publish on the portal; each predicate returns Allowed or Denied(reason)."""


# --- portal ---
# Policies, notices and news, and the service guide are published by the bureau of their region: its admin and
# staff (a county's bureau edits its county's content, the city's bureau everything in the city). Leaders read
# drafts; everyone reads what is published.

from django.utils.translation import gettext as _  # noqa: E402

from kechuang.accounts.enums import BUREAU_ROLES  # noqa: E402
from kechuang.core.permissions import Allowed, Denied, in_region, is_bureau_editor  # noqa: E402


def can_edit_content(user, region_code: str | None):
    """Write, publish or withdraw portal content (a policy, notice or guide entry) of `region_code`."""
    if is_bureau_editor(user, region_code):
        return Allowed()
    return Denied(_("只有发布地区科技局的业务人员可以编辑、发布或撤下该内容。"))


def can_see_drafts(user, region_code: str | None):
    """Drafts and withdrawn content: the bureau (leaders too) of a region containing it."""
    if (
        user.is_authenticated
        and (user.is_superuser or user.role in BUREAU_ROLES)
        and in_region(user, region_code)
    ):
        return Allowed()
    return Denied(_("该内容尚未发布。"))
