"""The links the market journey (issue 5 item 8) walks between a thread and its contract: "登记技术合同" on a thread
once the parties reached an intent (the form filled in from it), and the contract's source thread as a link for
those who may open it."""

import pytest
from django.urls import reverse

from kechuang.market.enums import ListingKind
from kechuang.market.models import Thread
from kechuang.market.threads import message_post, thread_start, thread_transition

from .contract_helpers import make_listing, submitted
from .test_threads import institution_org
from .test_threads import make_listing as make_achievement

pytestmark = pytest.mark.django_db

LINK = 'data-testid="register-contract"'


def _thread_at_intent(world):
    thread = thread_start(
        listing=make_achievement(institution_org(world)), message="感兴趣", by=world["ent_a"]
    )
    message_post(thread=thread, body="欢迎洽谈", by=world["institution"])  # → 洽谈中
    return thread


def _page(client, user, thread) -> str:
    client.force_login(user)
    return client.get(reverse("market:thread", args=[thread.pk])).content.decode()


def test_only_the_parties_get_the_contract_link_and_only_from_the_intent_on(client, world):
    thread = _thread_at_intent(world)
    assert LINK not in _page(client, world["ent_a"], thread)  # 洽谈中: nothing agreed yet
    thread = thread_transition(thread=thread, action="intent", intent_amount="600000", by=world["ent_a"])
    url = f"{reverse('market:contract_create')}?thread={thread.pk}"
    for party in ("ent_a", "institution"):
        html = _page(client, world[party], thread)
        assert LINK in html and f'href="{url}"' in html
    # The bureau of the listing's region reads the thread but is not a party to its contract.
    assert LINK not in _page(client, world["staff"], thread)
    thread = thread_transition(thread=thread, action="contract", by=world["institution"])
    assert LINK in _page(client, world["institution"], thread)  # 已签合同: still the place to register it


def test_the_link_opens_the_contract_form_filled_in_from_the_thread(client, world):
    thread = thread_transition(thread=_thread_at_intent(world), action="intent", by=world["ent_a"])
    client.force_login(world["institution"])
    form = client.get(f"{reverse('market:contract_create')}?thread={thread.pk}").context["form"]
    assert form.initial["thread"] == thread.pk
    assert form.initial["own_side"] == "seller"  # the achievement's owner sells
    assert form.initial["other_credit_code"] == world["org_a"].credit_code


def test_the_contract_page_links_its_thread_for_those_who_may_read_it(client, world):
    demand = make_listing(world["org_b"], kind=ListingKind.DEMAND, cooperation="commissioned")  # 诸暨
    thread = Thread.objects.create(
        listing=demand, owner=world["org_b"], party=world["org_a"], started_by=world["ent_a"]
    )
    contract = submitted(world, thread=thread)  # seller org_a (柯桥), buyer org_b (诸暨)
    url = reverse("market:contract_detail", args=[contract.pk])
    link = f'href="{reverse("market:thread", args=[thread.pk])}"'
    for who, linked in (("ent_a", True), ("ent_b", True), ("zj_officer", True), ("kq_staff", False)):
        client.force_login(world[who])
        html = client.get(url).content.decode()
        assert f"洽谈编号 {thread.pk}" in html, who  # everyone who sees the contract sees where it came from
        # 柯桥's registrar sees the contract (seller's region) but not a thread about a 诸暨 listing.
        assert (link in html) is linked, who
