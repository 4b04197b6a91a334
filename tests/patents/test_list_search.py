"""The patent list's search box takes a number prefix, a credit code or a word of the organization's name, and
its page count stops at a cap (an exact COUNT of half a million patents costs more than the page)."""

import pytest
from django.urls import reverse

from kechuang.patents import registry_views

from .test_registry import make

pytestmark = pytest.mark.django_db


def _titles(client, **params) -> set[str]:
    page = client.get(reverse("patents:patent_list"), params).context["page"]
    return {p.title for p in page.object_list}


def test_the_search_box_finds_by_number_prefix_credit_code_or_name(client, world):
    a = make(world["org_a"], world["staff"], serial=1, title="甲专利")
    make(world["org_b"], world["staff"], serial=2, title="乙专利")
    client.force_login(world["staff"])
    assert _titles(client, organization=f"CN{a.application_no[:12]}") == {"甲专利"}
    assert _titles(client, organization=world["org_b"].credit_code.lower()) == {"乙专利"}
    world["org_b"].credit_code = "913306030000000019"  # all digits, as many real codes are
    world["org_b"].save()
    assert _titles(client, organization="913306030000000019") == {"乙专利"}
    assert _titles(client, organization=world["org_a"].name[2:5]) == {"甲专利"}
    assert _titles(client, organization="没有这家") == set()


def test_the_count_stops_at_the_cap_and_says_so(client, world, monkeypatch):
    monkeypatch.setattr(registry_views, "COUNT_CAP", 25)
    for serial in range(1, 31):
        make(world["org_a"], world["staff"], serial=serial, title=f"专利{serial}")
    client.force_login(world["staff"])
    response = client.get(reverse("patents:patent_list"), {"page": "1", "kind": "invention"})
    page = response.context["page"]
    assert page.paginator.count == 25 and page.paginator.capped
    assert "第 1 / 2+ 页" in response.content.decode()
