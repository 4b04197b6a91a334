from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.projects.enums import ApplicationState as S
from kechuang.projects.services import application_formal_check, application_recommend, application_submit
from kechuang.reviews.draw import draw_panels
from kechuang.reviews.enums import AssignmentState
from kechuang.reviews.models import Expert, ExpertConflict, ReviewAssignment
from kechuang.reviews.profiles import application_profiles, conflict_rules, expert_profiles, stored_result
from kechuang.reviews.services import assignment_respond, review_draw, review_submit

from ..factories import OrganizationFactory, UserFactory, make_call, region
from ..projects.test_applications import _ready

pytestmark = pytest.mark.django_db


def make_expert(n, *, organization=None, fields=("new_materials",), keywords="纤维 新材料 纺织"):
    user = UserFactory(role="expert", region=region("330600"), username=f"expert{n}", last_name=f"专家{n}")
    return Expert.objects.create(
        user=user,
        organization=organization,
        region=region("330602"),
        field_codes=list(fields),
        keywords=keywords,
        load_cap=3,
    )


def _checked(world, call, who="ent_a"):
    app = application_submit(application=_ready(world, call, who), by=world[who], started_at=timezone.now())
    officer = world["kq_officer"] if who == "ent_a" else world["zj_officer"]
    app = application_recommend(application=app, by=officer, recommend=True)
    return application_formal_check(application=app, by=world["staff"], decision="pass")


@pytest.fixture
def reviewed_call(world):
    scheme = {
        "criteria": [
            {"key": "a", "name": "创新性", "weight": 60},
            {"key": "b", "name": "可行性", "weight": 40},
        ],
        "experts_per_application": 5,
        "aggregation": "trimmed_mean",
        "blind": True,
    }
    call = make_call(review_scheme=scheme)
    return call


def test_conflicted_experts_are_never_drawn_and_the_draw_can_be_replayed(world, reviewed_call):
    application = _checked(world, reviewed_call)
    subsidiary = OrganizationFactory(name="甲的子公司", parent=world["org_a"])
    make_expert(1, organization=subsidiary)  # same group as the applicant
    declared = make_expert(2)
    ExpertConflict.objects.create(expert=declared, organization=world["org_a"], kind="declared")
    collaborator = make_expert(3)
    ExpertConflict.objects.create(
        expert=collaborator,
        organization=world["org_a"],
        kind="collaboration",
        ended_on=timezone.localdate().replace(day=1),
    )
    clean = [make_expert(10 + i) for i in range(12)]  # q = 0.5 needs at least 2k candidates
    draw = review_draw(call=reviewed_call, by=world["staff"], seed=42)
    panel = set(ReviewAssignment.objects.filter(application=application).values_list("expert_id", flat=True))
    assert len(panel) == 5
    assert panel <= {e.pk for e in clean}
    application.refresh_from_db()
    assert (application.state, application.holder) == (S.IN_REVIEW, "experts")
    # Replay from what was recorded: same seed and pool give the same panels.
    apps = application_profiles(reviewed_call.applications.all())
    experts = expert_profiles(Expert.objects.filter(pk__in=draw.expert_ids))
    rules = conflict_rules(call=reviewed_call, expert_ids=draw.expert_ids)
    stored = stored_result(draw)
    replay = draw_panels(
        apps,
        experts,
        k=5,
        q=0.5,
        seed=draw.seed,
        rules=rules,
        candidate_pool=stored.candidate_pool,
        candidate_fit=stored.candidate_fit,
    )
    assert {k: set(v) for k, v in replay.panels.items()} == {k: set(v) for k, v in stored.panels.items()}


def test_only_bureau_staff_of_the_program_draw(world, reviewed_call):
    _checked(world, reviewed_call)
    [make_expert(i) for i in range(5)]
    for who in ("kq_staff", "ent_a", "expert"):
        with pytest.raises(PermissionDenied):
            review_draw(call=reviewed_call, by=world[who])


def test_expert_sees_only_assigned_applications_and_blind_hides_the_applicant(client, world, reviewed_call):
    application = _checked(world, reviewed_call)
    experts = [make_expert(i) for i in range(6)]
    review_draw(call=reviewed_call, by=world["staff"], seed=1, q=1.0)
    drawn = ReviewAssignment.objects.filter(application=application).values_list("expert_id", flat=True)
    outsider = next(e for e in experts if e.pk not in drawn)
    insider = Expert.objects.get(pk=drawn[0])
    client.force_login(outsider.user)
    assert client.get(reverse("projects:application_detail", args=[application.pk])).status_code == 403
    mine = ReviewAssignment.objects.get(application=application, expert=insider)
    assert client.get(reverse("reviews:assignment", args=[mine.pk])).status_code == 403
    client.force_login(insider.user)
    page = client.get(reverse("reviews:assignment", args=[mine.pk])).content.decode()
    assert application.title in page
    assert "柯桥甲纺织有限公司" not in page and world["org_a"].credit_code not in page
    assert client.get(reverse("projects:application_detail", args=[application.pk])).status_code == 403


def test_decline_draws_a_replacement_under_the_same_rules(world, reviewed_call):
    application = _checked(world, reviewed_call)
    [make_expert(i) for i in range(8)]
    review_draw(call=reviewed_call, by=world["staff"], seed=3, q=1.0)
    first = ReviewAssignment.objects.filter(application=application).first()
    with pytest.raises(DomainError):
        assignment_respond(assignment=first, by=first.expert.user, accept=False, reason="")
    declined, replacement = assignment_respond(
        assignment=first, by=first.expert.user, accept=False, reason="too_busy", note="出差"
    )
    assert declined.state == AssignmentState.DECLINED
    assert replacement is not None and replacement.expert_id != first.expert_id
    active = ReviewAssignment.objects.filter(application=application).exclude(state="declined")
    assert active.count() == 5
    assert first.expert_id not in set(active.values_list("expert_id", flat=True))
    with pytest.raises(PermissionDenied):
        assignment_respond(assignment=replacement, by=first.expert.user, accept=True)


def test_reviews_aggregate_with_trimmed_mean_and_flag_outliers(client, world, reviewed_call):
    application = _checked(world, reviewed_call)
    [make_expert(i) for i in range(5)]
    review_draw(call=reviewed_call, by=world["staff"], seed=5, q=1.0)
    assignments = list(
        ReviewAssignment.objects.filter(application=application).select_related("expert__user")
    )
    scores = [(90, 90), (80, 80), (85, 85), (70, 70), (20, 20)]
    for assignment in assignments:
        assignment_respond(assignment=assignment, by=assignment.expert.user, accept=True)
    with pytest.raises(DomainError) as exc:
        review_submit(
            assignment=assignments[0], by=assignments[0].expert.user, scores={"a": 101, "b": 1}, comment="好"
        )
    assert exc.value.message == "“创新性”的分数应为 0—100 的整数。"
    for assignment, (a, b) in zip(assignments, scores, strict=True):
        # Before submitting, an expert sees none of the others' reviews.
        client.force_login(assignment.expert.user)
        assert (
            'data-testid="other-review"'
            not in client.get(reverse("reviews:assignment", args=[assignment.pk])).content.decode()
        )
        review_submit(
            assignment=assignment, by=assignment.expert.user, scores={"a": a, "b": b}, comment="意见"
        )
    application.refresh_from_db()
    assert application.state == S.REVIEWED
    assert application.review_score == Decimal("78.33")  # (80 + 85 + 70) / 3: highest and lowest dropped
    assert len(application.review_flags) == 1 and "20.00" in application.review_flags[0]
    page = client.get(reverse("reviews:assignment", args=[assignments[-1].pk])).content.decode()
    assert page.count('data-testid="other-review"') == 4


def test_draw_page_records_the_seed_and_shows_the_panels(client, world, reviewed_call):
    _checked(world, reviewed_call)
    [make_expert(i) for i in range(12)]
    client.force_login(world["staff"])
    response = client.post(
        reverse("reviews:call_draw", args=[reviewed_call.pk]),
        {"method": "randomized", "q": "0.5", "form_token": "d1"},
        follow=True,
    )
    body = response.content.decode()
    assert "已完成专家抽取，随机种子" in body
    assert body.count('data-testid="panel-row"') == 5
    again = client.post(
        reverse("reviews:call_draw", args=[reviewed_call.pk]),
        {"method": "randomized", "q": "0.5", "form_token": "d2"},
    )
    assert "没有待评审的申报书（需形式审查通过）。" in again.content.decode()
    client.force_login(world["kq_staff"])
    assert client.get(reverse("reviews:call_draw", args=[reviewed_call.pk])).status_code == 403


def test_withdrawal_during_review_releases_the_experts(world, reviewed_call):
    from kechuang.core.models import AuditLog
    from kechuang.projects.services import withdrawal_request_decide, withdrawal_request_submit

    application = _checked(world, reviewed_call)
    for i in range(12):  # q = 0.5 needs at least 2k candidates
        make_expert(40 + i)
    review_draw(call=reviewed_call, by=world["staff"], seed=7)
    first = ReviewAssignment.objects.filter(application=application).order_by("id").first()
    assignment_respond(assignment=first, by=first.expert.user, accept=True)
    request = withdrawal_request_submit(application=application, by=world["ent_a"], reason="技术路线调整")
    withdrawal_request_decide(withdrawal=request, by=world["staff"], approve=True)
    states = sorted(ReviewAssignment.objects.filter(application=application).values_list("state", flat=True))
    assert states == [AssignmentState.CANCELLED] * 5
    # Audited, off the expert's task list, and no longer counted against the load cap.
    assert AuditLog.objects.filter(
        content_type__model="reviewassignment", object_id=str(first.pk), action="update"
    ).latest("id").changes["state"] == ["accepted", "cancelled"]
    from kechuang.reviews.selectors import assignments_for_expert

    assert list(assignments_for_expert(user=first.expert.user)) == []
    assert [(e.id, e.load_cap) for e in expert_profiles(Expert.objects.filter(pk=first.expert_id))] == [
        (first.expert_id, 3)
    ]


def test_experts_freed_by_a_withdrawal_can_replace_decliners_in_the_same_draw(world, reviewed_call):
    from kechuang.projects.services import withdrawal_request_decide, withdrawal_request_submit

    withdrawn = _checked(world, reviewed_call, "ent_a")
    kept = _checked(world, reviewed_call, "ent_b")
    experts = [make_expert(60 + i) for i in range(12)]
    Expert.objects.filter(pk__in=[e.pk for e in experts]).update(load_cap=1)  # 10 tasks, 12 experts
    review_draw(call=reviewed_call, by=world["staff"], seed=11)
    request = withdrawal_request_submit(application=withdrawn, by=world["ent_a"], reason="不再申报")
    withdrawal_request_decide(withdrawal=request, by=world["staff"], approve=True)
    freed = set(ReviewAssignment.objects.filter(application=withdrawn).values_list("expert_id", flat=True))
    # Three of the kept application's experts decline: only two experts were never drawn, so the third
    # replacement at least must be an expert freed by the withdrawal.
    replacements = []
    for assignment in list(ReviewAssignment.objects.filter(application=kept).order_by("id"))[:3]:
        _, replacement = assignment_respond(
            assignment=assignment, by=assignment.expert.user, accept=False, reason="too_busy"
        )
        replacements.append(replacement)
    assert all(replacements)
    assert {r.expert_id for r in replacements} & freed
    panel = ReviewAssignment.objects.filter(application=kept).exclude(state=AssignmentState.DECLINED)
    assert panel.count() == 5
