import json
from datetime import date
from decimal import Decimal

import pytest

from kechuang.accounts.services import api_token_create
from kechuang.reviews.models import ReviewAssignment

from .test_review_flow import _checked, make_expert

pytestmark = pytest.mark.django_db


def _api(client, user):
    _, raw = api_token_create(user=user, name="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def _post(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_draw_respond_and_review_over_the_api(client, world):
    from ..factories import make_call

    call = make_call(
        review_scheme={
            "criteria": [{"key": "a", "name": "创新性", "weight": 100}],
            "experts_per_application": 5,
            "aggregation": "mean",
        }
    )
    application = _checked(world, call)
    experts = [make_expert(i) for i in range(5)]
    refused = _post(_api(client, world["ent_a"]), f"/api/calls/{call.pk}/draws", {"q": 1.0})
    assert refused.status_code == 403
    drawn = _post(_api(client, world["staff"]), f"/api/calls/{call.pk}/draws", {"q": 1.0})
    assert drawn.status_code == 201 and len(drawn.json()["panels"][str(application.pk)]) == 5
    first, second = experts[0], experts[1]
    mine = _api(client, first.user).get("/api/reviews/assignments").json()
    assert [m["application_id"] for m in mine] == [application.pk]
    other_assignment = ReviewAssignment.objects.get(expert=second)
    stolen = _post(client, f"/api/reviews/assignments/{other_assignment.pk}/response", {"accept": True})
    assert (stolen.status_code, stolen.json()["detail"]) == (403, "这不是您的评审任务。")
    assignment = mine[0]["id"]
    assert _post(client, f"/api/reviews/assignments/{assignment}/response", {"accept": True}).json()[
        "state"
    ] == ("accepted")
    assert client.get(f"/api/reviews/assignments/{assignment}/others").json() == []
    done = _post(
        client, f"/api/reviews/assignments/{assignment}/review", {"scores": {"a": 88}, "comment": "好"}
    )
    assert (done.json()["state"], done.json()["total"]) == ("submitted", "88.00")


def test_projects_api_is_scoped_and_caps_disbursements(client, world):
    from kechuang.projects.enums import ProjectAction
    from kechuang.projects.execution import agreement_save, agreement_transition

    from ..projects.test_execution import AGREEMENT, _approved

    project = _approved(world)
    project = agreement_save(
        project=project, by=world["ent_a"], values=AGREEMENT, expected_version=project.version
    )
    agreement_transition(project=project, by=world["ent_a"], action=ProjectAction.SUBMIT_AGREEMENT)
    agreement_transition(project=project, by=world["staff"], action=ProjectAction.SIGN)
    listed = _api(client, world["ent_a"]).get("/api/projects").json()
    assert ([p["code"] for p in listed["items"]], listed["count"]) == ([project.code], 1)
    assert _api(client, world["ent_b"]).get(f"/api/projects/{project.pk}").status_code == 403
    staff = _api(client, world["staff"])
    paid = _post(
        staff,
        f"/api/projects/{project.pk}/disbursements",
        {"amount": "200000", "paid_on": date.today().isoformat()},
    )
    assert (paid.status_code, Decimal(paid.json()["paid"])) == (201, Decimal("200000"))
    over = _post(staff, f"/api/projects/{project.pk}/disbursements", {"amount": "1", "paid_on": "2026-01-01"})
    assert over.status_code == 400
