"""The expert pool (专家库) and the review rules that read it: issue 3, item 4.

Rules under test: bureau staff keep the pool of their region (fields, keywords, employer, region, load
cap, active flag, conflicts); an expert keeps their own profile and declares conflicts; a decline for
a conflict is remembered for later draws; collaborations count for exactly three years; load caps
count the tasks held in other draws; an expert reads an application and its attachments only after
accepting it, on the page and through the API alike.
"""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse

from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.core.models import AuditLog
from kechuang.reviews import draw as pure_draw
from kechuang.reviews.enums import AssignmentState, ConflictKind, ConflictReason
from kechuang.reviews.models import Expert, ExpertConflict, ReviewAssignment, ReviewDraw
from kechuang.reviews.profiles import collaboration_cutoff, conflict_rules, expert_profiles
from kechuang.reviews.reasons import conflict_reason_label, shortfall_text
from kechuang.reviews.services import (
    assignment_respond,
    expert_conflict_declare,
    expert_conflict_remove,
    expert_save,
    review_draw,
)

from ..factories import OrganizationFactory, UserFactory, make_call, region
from ..projects.test_applications import _ready
from .test_api import _api, _post
from .test_review_flow import _checked, make_expert

pytestmark = pytest.mark.django_db

SCHEME = {
    "criteria": [{"key": "a", "name": "创新性", "weight": 100}],
    "experts_per_application": 5,
    "aggregation": "mean",
}


def _audit(instance):
    return list(
        AuditLog.objects.filter(content_type__model=instance._meta.model_name, object_id=str(instance.pk))
        .order_by("at", "id")
        .values_list("action", "actor_name")
    )


# --- collaboration window (rule: co-worked in the last 3 years, to the day) ---------------------------


def test_collaboration_counts_for_exactly_three_years_by_date(world):
    expert = make_expert(1)
    today = date(2026, 12, 1)
    assert collaboration_cutoff(today) == date(2023, 12, 1)
    assert collaboration_cutoff(date(2028, 2, 29)) == date(2025, 3, 1)
    org_on, org_before, org_ongoing, org_declared = (OrganizationFactory() for _ in range(4))
    for org, ended in ((org_on, date(2023, 12, 1)), (org_before, date(2023, 11, 30)), (org_ongoing, None)):
        ExpertConflict.objects.create(expert=expert, organization=org, kind="collaboration", ended_on=ended)
    ExpertConflict.objects.create(expert=expert, organization=org_declared, kind="declared")
    rules = conflict_rules(call=make_call(), expert_ids=[expert.pk], today=today)
    assert rules.collaborations == frozenset({(expert.pk, org_on.pk), (expert.pk, org_ongoing.pk)})
    assert rules.declared == frozenset({(expert.pk, org_declared.pk)})


# --- a decline for a conflict is remembered ------------------------------------------------------------


def test_declining_for_a_conflict_declares_it_for_later_draws(world):
    call = make_call(review_scheme=SCHEME)
    application = _checked(world, call)
    [make_expert(i) for i in range(7)]
    review_draw(call=call, by=world["staff"], seed=3, q=1.0)
    first = ReviewAssignment.objects.filter(application=application).select_related("expert__user").first()
    assignment_respond(
        assignment=first, by=first.expert.user, accept=False, reason="conflict", note="曾任该公司顾问"
    )
    conflict = ExpertConflict.objects.get(expert=first.expert)
    assert (conflict.organization_id, conflict.kind, conflict.note) == (
        world["org_a"].pk,
        ConflictKind.DECLARED,
        "谢绝评审时申报：曾任该公司顾问",
    )
    assert _audit(conflict) == [("create", first.expert.user.username)]
    rules = conflict_rules(call=call, expert_ids=[first.expert_id])
    assert rules.declared == frozenset({(first.expert_id, world["org_a"].pk)})
    # A decline for another reason declares nothing.
    second = ReviewAssignment.objects.filter(application=application, state="invited").first()
    assignment_respond(assignment=second, by=second.expert.user, accept=False, reason="too_busy")
    assert ExpertConflict.objects.filter(expert=second.expert).count() == 0


# --- load caps across draws ----------------------------------------------------------------------------


def test_an_expert_at_cap_in_another_open_draw_is_not_drawn(world):
    other_call = make_call(review_scheme=SCHEME, title="另一批指南")
    other_application = _ready(world, other_call, who="ent_b")  # any application will do
    busy = make_expert(1)
    busy.load_cap = 1
    busy.save()
    others = [make_expert(10 + i) for i in range(5)]
    other_draw = ReviewDraw.objects.create(
        call=other_call, created_by=world["staff"], method="uniform", seed=1, k=1, q=1
    )
    held = ReviewAssignment.objects.create(draw=other_draw, application=other_application, expert=busy)
    caps = {p.id: p.load_cap for p in expert_profiles(Expert.objects.all())}
    assert caps == {busy.pk: 0, **{e.pk: 3 for e in others}}
    # An accepted task still counts; a submitted or declined one does not.
    for state, left in (("accepted", 0), ("submitted", 1), ("declined", 1)):
        ReviewAssignment.objects.filter(pk=held.pk).update(state=state)
        assert expert_profiles(Expert.objects.filter(pk=busy.pk))[0].load_cap == left
    ReviewAssignment.objects.filter(pk=held.pk).update(state="invited")

    call = make_call(review_scheme=SCHEME)
    application = _checked(world, call)
    review_draw(call=call, by=world["staff"], seed=11, q=1.0)
    panel = set(ReviewAssignment.objects.filter(application=application).values_list("expert_id", flat=True))
    assert panel == {e.pk for e in others}


# --- the reviewer's page and attachments ---------------------------------------------------------------


@pytest.fixture
def drawn(world):
    call = make_call(review_scheme=SCHEME)
    application = _checked(world, call)
    experts = [make_expert(i) for i in range(7)]
    review_draw(call=call, by=world["staff"], seed=5, q=1.0)
    assignments = list(
        ReviewAssignment.objects.filter(application=application).select_related("expert__user")
    )
    outsider = next(e for e in experts if e.pk not in {a.expert_id for a in assignments})
    return application, assignments, outsider


def test_only_an_expert_who_accepted_sees_the_content_and_downloads_attachments(client, world, drawn):
    application, assignments, outsider = drawn
    attachment = application.files.get()
    download = reverse("reviews:application_file", args=[attachment.pk])
    pending, declining = assignments[0], assignments[1]

    client.force_login(pending.expert.user)
    page = client.get(reverse("reviews:assignment", args=[pending.pk])).content.decode()
    assert application.title in page
    assert 'data-testid="application-content"' not in page and "plan.pdf" not in page
    assert 'data-testid="content-hidden"' in page and 'data-testid="accept"' in page
    assert client.get(download).status_code == 403

    assignment_respond(assignment=pending, by=pending.expert.user, accept=True)
    page = client.get(reverse("reviews:assignment", args=[pending.pk])).content.decode()
    assert page.count('data-testid="attachment"') == 1 and f'href="{download}"' in page
    response = client.get(download)
    assert (response.status_code, b"".join(response.streaming_content)) == (200, b"%PDF-1.4\n%%EOF")
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'

    assignment_respond(assignment=declining, by=declining.expert.user, accept=False, reason="too_busy")
    client.force_login(declining.expert.user)
    assert client.get(download).status_code == 403
    client.force_login(outsider.user)
    assert client.get(download).status_code == 403
    for who, status in (("ent_a", 200), ("kq_officer", 200), ("staff", 200), ("ent_b", 403)):
        client.force_login(world[who])
        assert client.get(download).status_code == status, who


def test_api_gives_the_content_only_to_the_expert_who_accepted(client, world, drawn):
    application, assignments, outsider = drawn
    mine, theirs = assignments[0], assignments[1]
    api = _api(client, mine.expert.user)
    url = f"/api/reviews/assignments/{mine.pk}/application"
    early = api.get(url)
    assert (early.status_code, early.json()["detail"]) == (403, "接受评审任务后才能查看申报内容。")
    stolen = api.get(f"/api/reviews/assignments/{theirs.pk}/application")
    assert (stolen.status_code, stolen.json()["detail"]) == (403, "这不是您的评审任务。")
    assignment_respond(assignment=mine, by=mine.expert.user, accept=True)
    body = api.get(url).json()
    attachment = application.files.get()
    assert (body["id"], body["title"], body["organization"]) == (
        application.pk,
        application.title,
        "柯桥甲纺织有限公司",
    )
    assert body["files"] == [
        {
            "id": attachment.pk,
            "field": "可行性研究报告",
            "name": "plan.pdf",
            "size": attachment.size,
            "url": reverse("reviews:application_file", args=[attachment.pk]),
        }
    ]
    outsider_api = _api(client, outsider.user)
    assert outsider_api.get(url).status_code == 403


# --- the pool, for bureau staff -------------------------------------------------------------------------


def test_bureau_staff_list_and_search_the_pool_of_their_region(client, world):
    employer = OrganizationFactory(name="绍兴文理学院")
    a = make_expert(1, organization=employer, keywords="印染 废水")
    b = make_expert(2, fields=("new_energy",), keywords="光伏 储能")
    far = make_expert(3)
    far.region = region("330681")
    far.save()
    client.force_login(world["staff"])
    url = reverse("reviews:expert_list")

    def rows(query=""):
        body = client.get(url + query).content.decode()
        return body.count('data-testid="expert-row"')

    assert rows() == 3
    assert rows("?q=文理学院") == 1
    assert rows("?q=光伏") == 1
    assert rows("?field=new_energy") == 1
    assert rows("?field=new_materials") == 2
    assert rows("?region=330681") == 1
    client.force_login(world["kq_staff"])  # 柯桥区: none of these experts
    assert rows() == 0
    for who in ("expert", "ent_a", "kq_officer", "leader"):
        client.force_login(world[who])
        assert client.get(url).status_code == 403, who
    api = _api(client, world["staff"])
    listed = api.get("/api/experts?q=印染").json()
    assert [e["id"] for e in listed["items"]] == [a.pk]
    assert [e["id"] for e in api.get("/api/experts?field=new_energy").json()["items"]] == [b.pk]
    assert _api(client, world["expert"]).get("/api/experts").status_code == 403


def test_bureau_staff_enter_and_edit_an_expert_on_the_page(client, world):
    user = UserFactory(role="expert", region=region("330600"), username="newexpert", last_name="新专家")
    employer = OrganizationFactory(name="浙江越秀外国语学院")
    client.force_login(world["staff"])
    choices = client.get(reverse("reviews:expert_create")).context["form"].fields["user"].queryset
    assert set(choices) == {user, world["expert"]}  # expert accounts of the region not yet in the pool
    created = client.post(
        reverse("reviews:expert_create"),
        {
            "user": user.pk,
            "organization": "浙江越秀外国语学院",
            "region": "330602",
            "title": "教授",
            "field_codes": ["new_materials", "advanced_manufacturing"],
            "keywords": "纺织 机器人",
            "profile": "",
            "load_cap": 4,
            "is_active": "on",
            "form_token": "c1",
        },
    )
    expert = Expert.objects.get(user=user)
    assert created.status_code == 302 and created["Location"] == reverse("reviews:expert", args=[expert.pk])
    assert (
        expert.organization_id,
        expert.region_id,
        expert.field_codes,
        expert.load_cap,
        expert.is_active,
    ) == (
        employer.pk,
        "330602",
        ["new_materials", "advanced_manufacturing"],
        4,
        True,
    )
    edit = reverse("reviews:expert_edit", args=[expert.pk])
    base = {
        "organization": "",
        "region": "330602",
        "title": "研究员",
        "field_codes": ["new_energy"],
        "keywords": "储能",
        "profile": "电池管理",
        "load_cap": 2,
        "version": 1,
    }
    assert client.post(edit, {**base, "form_token": "e1"}).status_code == 302
    expert.refresh_from_db()
    assert (expert.organization_id, expert.title, expert.field_codes, expert.load_cap, expert.is_active) == (
        None,
        "研究员",
        ["new_energy"],
        2,
        False,
    )
    stale = client.post(edit, {**base, "title": "旧版本", "form_token": "e2"})
    assert "该记录已被他人修改，请刷新后重新编辑。" in stale.content.decode()
    unknown = client.post(edit, {**base, "version": 2, "organization": "不存在的单位", "form_token": "e3"})
    assert "单位库中没有该单位，请核对全称或统一社会信用代码。" in unknown.content.decode()
    assert [action for action, _ in _audit(expert)] == ["create", "update"]
    page = client.get(reverse("reviews:expert", args=[expert.pk])).content.decode()
    assert '<dd data-testid="expert-fields">新能源与节能</dd>' in page
    assert '<dd data-testid="expert-load">0/2</dd>' in page
    client.force_login(world["kq_staff"])
    assert client.get(edit).status_code == 403


def test_bureau_staff_edit_experts_and_conflicts_through_the_api(client, world):
    expert = make_expert(1)
    org = OrganizationFactory(name="合作企业有限公司")
    api = _api(client, world["staff"])
    patched = api.patch(
        f"/api/experts/{expert.pk}",
        json.dumps({"load_cap": 7, "is_active": False, "version": 1}),
        content_type="application/json",
    ).json()
    assert (patched["load_cap"], patched["is_active"], patched["version"]) == (7, False, 2)
    made = _post(
        api,
        f"/api/experts/{expert.pk}/conflicts",
        {
            "organization": org.credit_code,
            "kind": "collaboration",
            "ended_on": "2025-06-30",
            "note": "联合攻关",
        },
    )
    assert made.status_code == 201
    assert (made.json()["organization_name"], made.json()["ended_on"]) == ("合作企业有限公司", "2025-06-30")
    listed = api.get(f"/api/experts/{expert.pk}/conflicts").json()
    assert [(c["organization_id"], c["kind"]) for c in listed] == [(org.pk, "collaboration")]
    own = _api(client, expert.user)
    assert own.delete(f"/api/experts/conflicts/{made.json()['id']}").status_code == 403
    refused = own.patch(
        f"/api/experts/{expert.pk}",
        json.dumps({"load_cap": 50, "version": 2}),
        content_type="application/json",
    )
    assert (refused.status_code, refused.json()["detail"]) == (400, "不允许修改字段：load_cap")
    other = make_expert(2)
    assert own.get(f"/api/experts/{other.pk}").status_code == 403
    api = _api(client, world["staff"])  # one test client: the last token set is the one sent
    assert api.delete(f"/api/experts/conflicts/{made.json()['id']}").status_code == 204
    assert ExpertConflict.objects.count() == 0


# --- the expert's own profile --------------------------------------------------------------------------


def test_an_expert_edits_their_profile_and_declares_conflicts(client, world):
    expert = make_expert(1)
    other = make_expert(2)
    org = world["org_b"]
    client.force_login(expert.user)
    assert client.get(reverse("reviews:expert_mine"))["Location"] == reverse(
        "reviews:expert", args=[expert.pk]
    )
    edit = reverse("reviews:expert_edit", args=[expert.pk])
    form = client.get(edit).context["form"]
    assert sorted(form.fields) == ["field_codes", "form_token", "keywords", "profile", "title", "version"]
    saved = client.post(
        edit,
        {
            "title": "正高级工程师",
            "field_codes": ["new_materials"],
            "keywords": "碳纤维",
            "profile": "复合材料",
            "load_cap": 50,  # not a field of this form: ignored
            "version": 1,
            "form_token": "p1",
        },
    )
    assert saved.status_code == 302
    expert.refresh_from_db()
    assert (expert.title, expert.keywords, expert.load_cap) == ("正高级工程师", "碳纤维", 3)

    declare = reverse("reviews:conflict_declare", args=[expert.pk])
    client.post(declare, {"organization": org.name, "note": "", "form_token": "d1"})
    assert ExpertConflict.objects.count() == 0  # a declaration needs its reason
    client.post(declare, {"organization": org.name, "note": "配偶在该公司任职", "form_token": "d2"})
    conflict = ExpertConflict.objects.get()
    assert (conflict.expert_id, conflict.organization_id, conflict.kind, conflict.note) == (
        expert.pk,
        org.pk,
        "declared",
        "配偶在该公司任职",
    )
    assert _audit(conflict) == [("create", expert.user.username)]
    page = client.get(reverse("reviews:expert", args=[expert.pk])).content.decode()
    assert page.count('data-testid="conflict-row"') == 1
    # An expert cannot record a collaboration, nor touch anyone else.
    with pytest.raises(PermissionDenied):
        expert_conflict_declare(expert=expert, by=expert.user, organization=org, kind="collaboration")
    assert client.get(reverse("reviews:expert", args=[other.pk])).status_code == 403
    assert client.get(reverse("reviews:expert_edit", args=[other.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        expert_conflict_declare(expert=other, by=expert.user, organization=org, note="x")
    client.post(reverse("reviews:conflict_remove", args=[conflict.pk]), {"form_token": "r1"})
    assert ExpertConflict.objects.count() == 0
    assert [action for action, _ in _audit(conflict)] == ["create", "delete"]


def test_an_expert_user_without_a_record_is_told_so(client, world):
    client.force_login(world["expert"])
    response = client.get(reverse("reviews:expert_mine"))
    assert response.status_code == 404
    assert "您尚未入选专家库，请联系科技局业务处室办理入库。" in response.content.decode()


def test_expert_save_refuses_what_it_must(world):
    expert = make_expert(1)
    with pytest.raises(DomainError) as exc:
        expert_save(by=world["staff"], expert=expert, values={"field_codes": ["astrology"]})
    assert exc.value.message == "专业领域无效：astrology"
    with pytest.raises(DomainError) as exc:
        expert_save(by=world["staff"], expert=expert, values={"load_cap": 51})
    assert exc.value.message == "单次评审上限不能超过 50 份。"
    with pytest.raises(DomainError) as exc:
        expert_save(by=world["staff"], user=expert.user, values={"region": region("330602")})
    assert exc.value.message == "该账号已在专家库中。"
    with pytest.raises(PermissionDenied):
        expert_save(by=world["kq_staff"], expert=expert, values={"load_cap": 1})
    kq_user = UserFactory(role="expert", region=region("330603"), username="kqexpert")
    with pytest.raises(DomainError) as exc:
        expert_save(
            by=world["kq_staff"],
            user=kq_user,
            values={"region": region("330602"), "field_codes": ["new_energy"], "load_cap": 3},
        )
    assert exc.value.message == "所在区划不在您的辖区内。"
    conflict = ExpertConflict.objects.create(
        expert=expert, organization=world["org_a"], kind="collaboration", ended_on=date.today()
    )
    with pytest.raises(PermissionDenied):
        expert_conflict_remove(conflict=conflict, by=expert.user)


# --- reason codes of the pure draw, in words --------------------------------------------------------------


def test_every_reason_code_of_the_draw_has_a_label():
    assert tuple(ConflictReason.values) == pure_draw.CONFLICT_REASONS
    assert [conflict_reason_label(c) for c in pure_draw.CONFLICT_REASONS] == [
        "同一单位（含上下级）",
        "本人申报回避",
        "近三年合作",
        "属地回避",
    ]
    head = {"drawn": 2, "k": 3}
    assert [
        shortfall_text(s, {7: "王专家"})
        for s in (
            {"code": "no_candidates", **head},
            {"code": "few_families", **head, "families": 2},
            {"code": "probability_cap", **head, "q": 0.5, "need": 6, "families": 4},
            {"code": "load_cap", **head},
            {"code": "no_replacement", **head, "expert": 7},
        )
    ] == [
        "仅抽到 2 位专家，少于 3 位：回避后无可选专家",
        "仅抽到 2 位专家，少于 3 位：回避后仅有 2 个不同单位（含上下级）的候选专家",
        "仅抽到 2 位专家，少于 3 位：每位专家抽中概率不超过 0.5 时至少需要 6 个不同单位的候选专家，回避后仅有 4 个",
        "仅抽到 2 位专家，少于 3 位：候选专家的评审任务已达负载上限",
        "仅抽到 2 位专家，少于 3 位：专家 王专家 无法参加，候选专家中已无符合回避、负载上限和同单位限制的替补",
    ]
    assert set(pure_draw.SHORTFALL_CODES) == {
        "no_candidates",
        "few_families",
        "probability_cap",
        "load_cap",
        "no_replacement",
    }
    assert shortfall_text("旧记录的原文") == "旧记录的原文"


def test_draw_page_shows_the_shortfall_in_words(client, world):
    call = make_call(review_scheme=SCHEME)
    application = _checked(world, call)
    [make_expert(i) for i in range(3)]
    client.force_login(world["staff"])
    body = client.post(
        reverse("reviews:call_draw", args=[call.pk]),
        {"method": "uniform", "q": "1", "form_token": "s1"},
        follow=True,
    ).content.decode()
    assert (
        f"#{application.pk}：仅抽到 3 位专家，少于 5 位：回避后仅有 3 个不同单位（含上下级）的候选专家"
        in body
    )
    assert (
        ReviewAssignment.objects.filter(application=application, state=AssignmentState.INVITED).count() == 3
    )


def test_the_window_moves_with_today(world):
    expert = make_expert(1)
    ExpertConflict.objects.create(
        expert=expert, organization=world["org_a"], kind="collaboration", ended_on=date(2023, 3, 1)
    )
    call = make_call()
    on_the_day = conflict_rules(call=call, expert_ids=[expert.pk], today=date(2026, 3, 1))
    next_day = conflict_rules(call=call, expert_ids=[expert.pk], today=date(2026, 3, 1) + timedelta(days=1))
    assert on_the_day.collaborations == frozenset({(expert.pk, world["org_a"].pk)})
    assert next_day.collaborations == frozenset()


def test_the_expert_api_refuses_an_update_without_the_version_and_foreign_enrolment(client, world):
    from kechuang.accounts.enums import Role

    from ..factories import UserFactory

    expert = make_expert(3)
    api = _api(client, world["staff"])
    blind = api.patch(
        f"/api/experts/{expert.pk}", json.dumps({"load_cap": 9}), content_type="application/json"
    )
    assert (blind.status_code, blind.json()["detail"]) == (400, "请提供所读取记录的版本号（version）。")
    # 柯桥区's staff cannot take 诸暨's expert account into their pool.
    zhuji = UserFactory(role=Role.EXPERT, region=region("330681"), username="zj_expert")
    api = _api(client, world["kq_staff"])
    refused = _post(api, "/api/experts", {"user_id": zhuji.pk, "field_codes": ["new_materials"]})
    assert (refused.status_code, refused.json()["detail"]) == (400, "只能将本辖区的专家账号纳入专家库。")
    expert.refresh_from_db()
    assert (expert.load_cap, Expert.objects.filter(user=zhuji).exists()) == (3, False)
