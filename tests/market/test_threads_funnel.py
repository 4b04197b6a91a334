"""The bureau's funnel of negotiation threads (issue 5 item 4): counts by stage for a period and the user's region
(by the listing's region), conversion between stages, filters, links to the scoped list, and the pure builder."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kechuang.market.enums import ListingKind, ThreadState
from kechuang.market.models import Thread
from kechuang.market.threads import funnel_from_counts, thread_start, thread_transition

from .test_threads import institution_org, make_listing

S = ThreadState


def test_funnel_from_counts_counts_a_failed_thread_as_far_as_it_got():
    funnel = funnel_from_counts(
        {
            (S.CONTACTED, None): 4,
            (S.NEGOTIATING, None): 3,
            (S.INTENT, None): 1,
            (S.CLOSED, None): 2,
            (S.FAILED, S.CONTACTED): 2,
            (S.FAILED, S.INTENT): 1,
            (S.FAILED, None): 1,  # no trail (imported data): counted at the first stage
        }
    )
    assert [(s.state, s.reached, s.current, s.conversion) for s in funnel.stages] == [
        ("contacted", 14, 4, None),
        ("negotiating", 7, 3, Decimal("50.0")),
        ("intent", 4, 1, Decimal("57.1")),
        ("contract", 2, 0, Decimal("50.0")),
        ("closed", 2, 2, Decimal("100.0")),
    ]
    assert (funnel.total, funnel.failed) == (14, 4)
    empty = funnel_from_counts({})
    assert [(s.reached, s.conversion) for s in empty.stages] == [(0, None)] * 5


def _scenario(world):
    """Five threads on 越城 listings (the institution's) and one on a 柯桥 listing (org_a's)."""
    yc = [make_listing(institution_org(world), title=f"越城成果{i}") for i in range(3)]
    yc_demand = make_listing(
        institution_org(world), kind=ListingKind.DEMAND, title="越城需求", tech_field="bio_medicine"
    )
    kq = make_listing(world["org_a"], kind=ListingKind.DEMAND, title="柯桥需求")
    t = {
        "contacted": thread_start(listing=yc[0], message="a", by=world["ent_a"]),
        "closed": thread_start(listing=yc[1], message="b", by=world["ent_a"]),
        "failed_at_intent": thread_start(listing=yc[2], message="c", by=world["ent_a"]),
        "failed_at_contacted": thread_start(listing=yc[0], message="d", by=world["ent_b"]),
        "negotiating_demand": thread_start(listing=yc_demand, message="e", by=world["ent_b"]),
        "kq": thread_start(listing=kq, message="f", by=world["institution"]),
    }
    owner, party = world["institution"], world["ent_a"]
    for action in ("negotiate", "intent", "contract", "close"):
        thread_transition(thread=t["closed"], action=action, by=party)
    for action in ("negotiate", "intent"):
        thread_transition(thread=t["failed_at_intent"], action=action, by=owner)
    thread_transition(thread=t["failed_at_intent"], action="fail", reason="价格谈不拢", by=party)
    thread_transition(thread=t["failed_at_contacted"], action="fail", reason="不感兴趣", by=owner)
    thread_transition(thread=t["negotiating_demand"], action="negotiate", by=world["ent_b"])
    thread_transition(thread=t["kq"], action="negotiate", by=world["ent_a"])
    return t


def _numbers(html: str) -> dict:
    rows = re.findall(
        r'data-testid="stage-(\w+)">.*?data-testid="reached">(\d+)<.*?data-testid="current">(\d+)<.*?'
        r'data-testid="conversion">([^<]*)<',
        html,
        re.S,
    )
    return {state: (int(reached), int(current), conversion) for state, reached, current, conversion in rows}


@pytest.mark.django_db
def test_the_funnel_counts_the_threads_of_the_users_region_by_stage(
    client, world, django_assert_max_num_queries
):
    _scenario(world)
    client.force_login(world["staff"])  # 绍兴市: every thread
    url = reverse("market:funnel")
    client.get(url)
    with django_assert_max_num_queries(4):
        html = client.get(url).content.decode()
    assert _numbers(html) == {
        "contacted": (6, 1, "—"),
        "negotiating": (4, 2, "66.7%"),
        "intent": (2, 0, "50.0%"),
        "contract": (1, 0, "50.0%"),
        "closed": (1, 1, "100.0%"),
    }
    assert re.search(r'data-testid="funnel-failed">(\d+)<', html).group(1) == "2"
    client.force_login(world["kq_staff"])  # 柯桥区: the one thread about a 柯桥 listing
    assert _numbers(client.get(url).content.decode())["negotiating"] == (1, 1, "100.0%")
    client.force_login(world["zj_officer"])
    assert _numbers(client.get(url).content.decode())["contacted"] == (0, 0, "—")


@pytest.mark.django_db
def test_the_funnel_filters_by_kind_field_and_period(client, world):
    _scenario(world)
    client.force_login(world["staff"])
    url = reverse("market:funnel")
    demands = _numbers(client.get(url, {"kind": "demand"}).content.decode())
    assert [demands[s][0] for s in ("contacted", "negotiating", "intent")] == [2, 2, 0]
    bio = _numbers(client.get(url, {"tech_field": "bio_medicine"}).content.decode())
    assert bio["contacted"] == (1, 0, "—")
    Thread.objects.filter(listing__title="越城成果1").update(created_at=timezone.now() - timedelta(days=400))
    today = timezone.localdate()
    recent = _numbers(client.get(url, {"since": (today - timedelta(days=30)).isoformat()}).content.decode())
    assert recent["closed"] == (0, 0, "—") and recent["contacted"][0] == 5


@pytest.mark.django_db
def test_each_count_links_to_the_scoped_list_of_those_threads(client, world):
    t = _scenario(world)
    client.force_login(world["staff"])
    html = client.get(reverse("market:funnel")).content.decode()
    links = dict(re.findall(r'data-testid="stage-(\w+)">.*?href="([^"]+)" data-testid="reached"', html, re.S))
    listed = client.get(links["intent"].replace("&amp;", "&")).content.decode()
    assert listed.count('data-testid="thread-row"') == 2
    assert "越城成果1" in listed and "越城成果2" in listed
    failed = re.search(r'href="([^"]+)" data-testid="funnel-failed"', html).group(1).replace("&amp;", "&")
    assert client.get(failed).content.decode().count('data-testid="thread-row"') == 2
    client.force_login(world["kq_staff"])
    listed = client.get(links["contacted"].replace("&amp;", "&")).content.decode()
    assert listed.count('data-testid="thread-row"') == 1 and t["kq"].listing.title in listed


@pytest.mark.django_db
def test_the_funnel_is_for_the_bureau_only(client, world):
    _scenario(world)
    for who in ("ent_a", "institution", "broker", "expert"):
        client.force_login(world[who])
        response = client.get(reverse("market:funnel"))
        assert (response.status_code, "统计信息仅供科技局人员查看。" in response.content.decode()) == (
            403,
            True,
        )
    from kechuang.accounts.services import api_token_create

    _, raw = api_token_create(user=world["staff"], name="t")
    api = client.get("/api/market/threads/funnel", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [(s["state"], s["reached"]) for s in api["stages"]] == [
        ("contacted", 6),
        ("negotiating", 4),
        ("intent", 2),
        ("contract", 1),
        ("closed", 1),
    ]
    _, raw = api_token_create(user=world["ent_a"], name="t")
    assert client.get("/api/market/threads/funnel", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403


@pytest.mark.django_db
@pytest.mark.postgresql
def test_the_funnel_query_runs_on_postgresql(world):
    from kechuang.market.threads import thread_funnel, threads_visible_to

    _scenario(world)
    funnel = thread_funnel(threads_visible_to(user=world["staff"]))
    assert [(s.reached, s.current) for s in funnel.stages] == [(6, 1), (4, 2), (2, 0), (1, 0), (1, 1)]
