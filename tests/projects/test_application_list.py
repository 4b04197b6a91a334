"""The officers' application list: one filter set for the page and the API, a fixed number of queries."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kechuang.accounts.services import api_token_create
from kechuang.projects.defaults import STANDARD_FORM
from kechuang.projects.enums import ApplicationState as S
from kechuang.projects.enums import Holder
from kechuang.projects.models import Application

from ..factories import OrganizationFactory, complete_data, make_call, region

pytestmark = pytest.mark.django_db


def _application(call, org, user, *, title, state, holder, due_in_days=None, receipt=None, since_days=0):
    now = timezone.now()
    return Application.objects.create(
        call=call,
        organization=org,
        region=org.region,
        created_by=user,
        title=title,
        requested_amount=Decimal("300000"),
        state=state,
        holder=holder,
        state_since=now - timedelta(days=since_days),
        due_at=now + timedelta(days=due_in_days) if due_in_days is not None else None,
        form_definition=STANDARD_FORM,
        data={**complete_data(), "title": title},
        receipt_number=receipt,
    )


@pytest.fixture
def listed(world):
    call = make_call()
    org, user = world["org_a"], world["ent_a"]
    return {
        "late": _application(
            call,
            org,
            user,
            title="印染废水深度处理",
            state=S.SUBMITTED,
            holder=Holder.LOCALITY,
            due_in_days=-2,
            receipt="KC2026-0001-000001",
            since_days=9,
        ),
        "fresh": _application(
            call,
            org,
            user,
            title="智能纺机远程运维",
            state=S.RECOMMENDED,
            holder=Holder.BUREAU,
            due_in_days=5,
            receipt="KC2026-0001-000002",
            since_days=1,
        ),
        "returned": _application(
            call,
            org,
            user,
            title="印染助剂替代",
            state=S.RETURNED,
            holder=Holder.APPLICANT,
            due_in_days=-3,
            receipt="KC2026-0001-000003",
            since_days=4,
        ),
        "draft": _application(call, org, user, title="印染草稿", state=S.DRAFT, holder=Holder.APPLICANT),
    }


def _page_titles(client, **params):
    body = client.get(reverse("projects:application_list"), params).content.decode()
    return re.findall(r'<td><a href="/projects/applications/\d+/">([^<]+)</a></td>', body)


def _api_titles(client, token, **params):
    body = client.get("/api/applications", params, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    return [item["title"] for item in body["items"]], body["count"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["智能纺机远程运维", "印染助剂替代", "印染废水深度处理"]),  # newest state first, no drafts
        ({"state": "submitted"}, ["印染废水深度处理"]),
        ({"q": "印染"}, ["印染助剂替代", "印染废水深度处理"]),
        ({"q": "kc2026-0001-000002"}, ["智能纺机远程运维"]),
        # Overdue: past its limit and held by an officer; the returned one waits for the applicant.
        ({"overdue": "true"}, ["印染废水深度处理"]),
    ],
)
def test_page_and_api_filter_alike(client, world, listed, params, expected):
    client.force_login(world["kq_staff"])
    assert _page_titles(client, **params) == expected
    _, token = api_token_create(user=world["kq_staff"], name="t")
    client.logout()
    assert _api_titles(client, token, **params) == (expected, len(expected))


def test_api_pages_through_the_list(client, world):
    call = make_call()
    org, user = world["org_a"], world["ent_a"]
    for i in range(23):
        _application(
            call, org, user, title=f"项目{i:02d}", state=S.SUBMITTED, holder=Holder.LOCALITY, since_days=i
        )
    _, token = api_token_create(user=world["kq_officer"], name="t")
    first = _api_titles(client, token)
    second = _api_titles(client, token, page=2)
    assert first == ([f"项目{i:02d}" for i in range(20)], 23)
    assert second == (["项目20", "项目21", "项目22"], 23)


def test_other_regions_applications_are_not_listed(client, world):
    call = make_call()
    zhuji = OrganizationFactory(name="诸暨申报公司", region=region("330681L02"))
    _application(call, zhuji, world["ent_b"], title="诸暨的项目", state=S.SUBMITTED, holder=Holder.LOCALITY)
    client.force_login(world["kq_staff"])
    assert _page_titles(client) == []
    _, token = api_token_create(user=world["kq_officer"], name="t")
    client.logout()
    assert _api_titles(client, token) == ([], 0)


def _list_queries(client, **params):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("projects:application_list"), params).status_code == 200
    return captured.captured_queries


def test_list_page_queries_do_not_grow_with_rows_and_skip_the_json(client, world):
    call = make_call()
    org, user = world["org_a"], world["ent_a"]
    for i in range(3):
        _application(call, org, user, title=f"少量{i}", state=S.SUBMITTED, holder=Holder.LOCALITY)
    client.force_login(world["staff"])
    _list_queries(client)  # the user's region codes are cached per process after the first request
    few = _list_queries(client)
    for i in range(40):
        _application(call, org, user, title=f"大量{i}", state=S.SUBMITTED, holder=Holder.LOCALITY)
    many = _list_queries(client)
    # Session, user, the page's rows, and (only when the first page is full) one COUNT.
    assert len(many) == len(few) + 1 == 4
    rows_sql = next(q["sql"] for q in many if "LIMIT 20" in q["sql"])
    assert '"projects_application"."data"' not in rows_sql
    assert '"projects_call"."form_definition"' not in rows_sql
