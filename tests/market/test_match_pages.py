"""Market matching on pages and in the API (issue 5 items 3 and 7): who sees a listing's matches (the owner and
the bureau of its region; never the public or the other party), experts for the bureau only, the bureau's
recompute, and the number of queries of the matches page."""

import pytest

from kechuang.accounts.enums import Role
from kechuang.market import embedding, match_views
from kechuang.market.enums import ListingKind, ListingState, MatchTargetKind
from kechuang.market.match_services import listing_changed
from kechuang.market.models import Match
from kechuang.reviews.models import Expert

from ..factories import OrganizationFactory, UserFactory, region
from .match_support import DYEING_ACHIEVEMENT, DYEING_DEMAND, fill_market, make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def lexical_only(monkeypatch):
    monkeypatch.setattr(embedding, "available", lambda: False)


@pytest.fixture
def matched(world):
    """A demand of 柯桥甲纺织 matched with an institution's achievement and an expert."""
    institution = world["institution"].organization
    demand = make_listing(world["org_a"], ListingKind.DEMAND, **DYEING_DEMAND)
    achievement = make_listing(institution, **DYEING_ACHIEVEMENT)
    expert = Expert.objects.create(
        user=UserFactory(role=Role.EXPERT, region=region("330600"), last_name="保密专家甲"),
        region=region("330600"),
        organization=institution,
        field_codes=["resources_environment"],
        keywords="印染废水",
        profile="印染废水深度处理。",
    )
    listing_changed(demand.pk)
    return {"demand": demand, "achievement": achievement, "expert": expert}


def test_the_panel_is_for_the_owner_and_the_bureau_of_the_region(world, matched, client):
    from django.contrib.auth.models import AnonymousUser

    demand = matched["demand"]
    assert match_views.panel(AnonymousUser(), demand) is None
    assert match_views.panel(world["ent_b"], demand) is None  # another enterprise
    assert match_views.panel(world["institution"], demand) is None  # the matched party itself
    assert match_views.panel(world["zj_officer"], demand) is None  # an officer of another county
    owner = match_views.panel(world["ent_a"], demand)
    assert [row["match"].target_listing_id for row in owner["listings"]] == [matched["achievement"].pk]
    assert owner["experts"] == [] and owner["show_experts"] is False
    bureau = match_views.panel(world["kq_staff"], demand)
    assert [row["match"].target_expert_id for row in bureau["experts"]] == [matched["expert"].pk]
    assert bureau["can_recompute"] is True and owner["can_recompute"] is False


def test_the_listing_page_shows_the_panel_to_the_owner_only(world, matched, client):
    url = f"/market/listings/{matched['demand'].pk}/"
    client.force_login(world["ent_a"])
    page = client.get(url).content.decode()
    assert 'data-testid="matches-panel"' in page
    assert matched["achievement"].title in page
    assert "保密专家甲" not in page
    client.force_login(world["ent_b"])
    page = client.get(url).content.decode()
    assert client.get(url).status_code == 200
    assert 'data-testid="matches-panel"' not in page
    client.logout()
    assert 'data-testid="matches-panel"' not in client.get(url).content.decode()


def test_the_matches_page_lists_reasons_and_hides_experts_from_the_owner(world, matched, client):
    url = f"/market/listings/{matched['demand'].pk}/matches/"
    client.force_login(world["ent_a"])
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert matched["achievement"].title in page
    assert "共同用词：印染废水、cod" in page
    assert "成熟度 7 级，满足技术转让的要求（7 级以上）" in page
    assert "挂牌价 500000 元，在预算上限 800000 元以内" in page
    assert "保密专家甲" not in page
    assert 'data-testid="recompute"' not in page

    client.force_login(world["staff"])
    page = client.get(url).content.decode()
    assert "保密专家甲" in page
    assert 'data-testid="recompute"' in page and 'data-testid="recompute-all"' in page


def test_others_cannot_open_the_matches_page(world, matched, client):
    url = f"/market/listings/{matched['demand'].pk}/matches/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(world["ent_b"])
    assert client.get(url).status_code == 403
    client.force_login(world["zj_officer"])
    assert client.get(url).status_code == 403
    draft = make_listing(world["org_a"], ListingKind.DEMAND, state=ListingState.DRAFT, **DYEING_DEMAND)
    client.force_login(world["ent_b"])
    assert client.get(f"/market/listings/{draft.pk}/matches/").status_code == 404


def test_the_api_returns_the_same_matches_with_reasons_and_the_same_permissions(world, matched, client):
    url = f"/api/market/listings/{matched['demand'].pk}/matches"
    client.force_login(world["ent_a"])
    body = client.get(url).json()
    assert body["listing_id"] == matched["demand"].pk
    assert body["semantic"] is False
    assert [m["listing"]["id"] for m in body["listings"]] == [matched["achievement"].pk]
    first = body["listings"][0]
    assert first["rank"] == 1 and first["semantic_score"] is None
    assert first["reasons"]["terms"][:2] == ["印染废水", "cod"]
    assert first["reason_texts"][0] == "共同用词：印染废水、cod、处理、深度、出水、印染"
    assert [m["organization"]["id"] for m in body["organizations"]] == [world["institution"].organization_id]
    assert body["experts"] == []

    client.force_login(world["staff"])
    assert [m["expert"]["id"] for m in client.get(url).json()["experts"]] == [matched["expert"].pk]
    client.force_login(world["ent_b"])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 401


def test_the_bureau_can_queue_a_recompute_and_others_cannot(
    world, matched, client, django_capture_on_commit_callbacks
):
    demand = matched["demand"]
    client.force_login(world["ent_a"])
    assert client.post(f"/market/listings/{demand.pk}/matches/recompute/").status_code == 403
    assert client.post(f"/api/market/listings/{demand.pk}/matches/recompute").status_code == 403
    assert client.post("/api/market/matches/recompute").status_code == 403

    client.force_login(world["staff"])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/market/listings/{demand.pk}/matches/recompute/")
    assert response.status_code == 302
    assert response["Location"] == f"/market/listings/{demand.pk}/matches/"
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(f"/api/market/listings/{demand.pk}/matches/recompute").status_code == 202
        assert client.post("/api/market/matches/recompute").status_code == 202
    assert len(callbacks) == 2


def test_a_stale_match_never_shows_a_listing_that_left_the_market(world, matched, client):
    achievement = matched["achievement"]
    achievement.state = ListingState.WITHDRAWN
    achievement.save()  # the job has not run yet: the row is still stored
    assert Match.objects.filter(target_listing=achievement).exists()
    client.force_login(world["ent_a"])
    page = client.get(f"/market/listings/{matched['demand'].pk}/matches/").content.decode()
    assert achievement.title not in page


def test_the_matches_page_needs_few_queries_however_many_matches(
    world, client, django_assert_max_num_queries
):
    fill_market(world["institution"].organization)
    demand = make_listing(world["org_a"], ListingKind.DEMAND, **DYEING_DEMAND)
    for i in range(25):
        org = OrganizationFactory(kind="institution", name=f"测试大学{i}")
        make_listing(org, **{**DYEING_ACHIEVEMENT, "title": f"{DYEING_ACHIEVEMENT['title']}{i}"})
        Expert.objects.create(
            user=UserFactory(role=Role.EXPERT, region=region("330600")),
            region=region("330600"),
            organization=org,
            field_codes=["resources_environment"],
            keywords="印染废水",
        )
    listing_changed(demand.pk)
    assert Match.objects.filter(listing=demand, target_kind=MatchTargetKind.LISTING).count() == 20
    client.force_login(world["staff"])
    with django_assert_max_num_queries(10):
        response = client.get(f"/market/listings/{demand.pk}/matches/")
    page = response.content.decode()
    assert page.count('data-testid="match-listing"') == 20
    assert page.count('data-testid="match-organization"') == 10
    assert page.count('data-testid="match-expert"') == 10
