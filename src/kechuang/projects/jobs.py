from django.urls import reverse
from django.utils.translation import gettext as _

from kechuang.accounts.enums import MembershipStatus, Role
from kechuang.accounts.models import User
from kechuang.core.jobs import job
from kechuang.core.notifications import notify

from .enums import Holder
from .models import Application


def _holders(application: Application):
    """The users who must act next: the locality's officers, or the program bureau's staff."""
    ancestors = [c for c in application.region.path.strip("/").split("/") if c]
    if application.holder == Holder.LOCALITY:
        return User.objects.filter(is_active=True, role=Role.OFFICER, region_id__in=ancestors)
    if application.holder == Holder.BUREAU:
        return User.objects.filter(
            is_active=True,
            role__in=[Role.BUREAU_STAFF],
            region_id=application.call.program.region_id,
            department=application.call.program.department,
        )
    return User.objects.none()


@job("projects.notify_transition")
def notify_transition(*, application_id: int, version: int) -> int:
    """Tell the applicant (in-app and e-mail) and whoever must act next that the application moved on."""
    application = Application.objects.select_related("call__program", "region").get(pk=application_id)
    state = application.get_state_display()
    link = reverse("projects:application_detail", args=[application.pk])
    applicants = User.objects.filter(
        organization_id=application.organization_id, is_active=True, membership_status=MembershipStatus.ACTIVE
    )
    sent = notify(
        recipients=applicants,
        subject=_("申报书状态更新：%(state)s") % {"state": state},
        body=_("“%(title)s”（%(call)s）当前状态：%(state)s。")
        % {"title": application, "call": application.call, "state": state},
        link=link,
        dedupe_key=f"application-{application.pk}-v{version}",
    )
    sent += notify(
        recipients=_holders(application),
        subject=_("待办：%(title)s（%(state)s）") % {"title": application, "state": state},
        link=link,
        dedupe_key=f"application-{application.pk}-v{version}-holder",
    )
    return sent
