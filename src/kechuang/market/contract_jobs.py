"""Background jobs of contract registration (run through kechuang.core.jobs).

`market.contract_notify` runs after each submission and transition: a contract waiting for registration (新提交
or 重新提交) is announced to the registrars of the seller's region (the bureau staff of its county and city); a
decision (已登记, 已退回, 不予登记) is told to the parties' users and whoever submitted it. The dedupe key names the
contract and its version, so a job run twice sends once.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from kechuang.accounts.enums import MembershipStatus
from kechuang.core.jobs import job
from kechuang.core.notifications import notify

from .enums import ContractState
from .models import ContractRegistration
from .permissions import BUREAU_EDITORS

User = get_user_model()


@job("market.contract_notify")
def contract_notify(*, contract_id: int, version: int) -> int:
    """Tell whoever must act next, or the parties, that a contract's registration moved on."""
    contract = ContractRegistration.objects.select_related("seller_region").filter(pk=contract_id).first()
    if contract is None or contract.version != version:
        return 0  # a later change sends its own message
    link = reverse("market:contract_detail", args=[contract.pk])
    values = {"title": contract.title, "seller": contract.seller_name, "buyer": contract.buyer_name}
    if contract.state == ContractState.SUBMITTED:
        covering = [code for code in contract.seller_region.path.strip("/").split("/") if code]
        recipients = User.objects.filter(
            is_active=True, role__in=list(BUREAU_EDITORS), region_id__in=covering
        )
        return notify(
            recipients=recipients,
            subject=_("技术合同待认定登记：%(title)s") % values,
            body=_("卖方：%(seller)s；买方：%(buyer)s。") % values,
            link=link,
            dedupe_key=f"contract-{contract.pk}-v{version}",
        )
    parties = [pk for pk in (contract.seller_id, contract.buyer_id) if pk]
    recipients = User.objects.filter(is_active=True).filter(
        Q(organization_id__in=parties, membership_status=MembershipStatus.ACTIVE)
        | Q(pk=contract.submitted_by_id)
    )
    if contract.state == ContractState.REGISTERED:
        body = _("登记号：%(no)s，登记日期：%(day)s。") % {
            "no": contract.registration_no,
            "day": contract.registered_on.isoformat(),
        }
    else:
        body = _("理由：%(reason)s") % {"reason": contract.return_reason}
    return notify(
        recipients=recipients,
        subject=_("技术合同登记结果：%(title)s %(state)s")
        % {**values, "state": contract.get_state_display()},
        body=body,
        link=link,
        dedupe_key=f"contract-{contract.pk}-v{version}",
    )
