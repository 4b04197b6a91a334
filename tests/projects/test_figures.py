from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kechuang.projects.services import application_formal_check, application_recommend, application_submit

from ..factories import make_call
from .test_applications import _ready

pytestmark = pytest.mark.django_db


def test_figures_count_each_stage_ever_reached_and_export_to_excel(client, world):
    call = make_call()
    first = application_submit(application=_ready(world, call), by=world["ent_a"], started_at=timezone.now())
    recommended = application_recommend(application=first, by=world["kq_officer"], recommend=True)
    application_formal_check(application=recommended, by=world["staff"], decision="return", reason="补材料")
    application_submit(
        application=_ready(world, call, who="ent_b"), by=world["ent_b"], started_at=timezone.now()
    )
    client.force_login(world["staff"])
    page = client.get(reverse("projects:figures")).content.decode()
    assert page.count('data-testid="figures-call"') == 1
    response = client.get(reverse("projects:figures"), {"format": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["按申报指南", "按计划类别"]
    rows = list(book["按申报指南"].iter_rows(values_only=True))
    assert rows[0][:4] == ("申报指南/计划类别", "申报数", "属地推荐数", "形式审查通过数")
    assert rows[1] == ("2026年度重点研发计划申报指南", 2, 1, 0, 0, 0, 0, None)
    assert list(book["按计划类别"].iter_rows(values_only=True))[1][:3] == ("重点研发计划", 2, 1)


def test_figures_are_for_bureau_users(client, world):
    for who in ("ent_a", "kq_officer", "expert"):
        client.force_login(world[who])
        assert client.get(reverse("projects:figures")).status_code == 403


def test_libreoffice_opens_the_excel_export(client, world, tmp_path):
    from ..office import libreoffice_convert

    call = make_call()
    application_submit(application=_ready(world, call), by=world["ent_a"], started_at=timezone.now())
    client.force_login(world["staff"])
    source = tmp_path / "figures.xlsx"
    source.write_bytes(client.get(reverse("projects:figures"), {"format": "xlsx"}).content)
    csv = libreoffice_convert(source, "csv:Text - txt - csv (StarCalc):44,34,76").read_text(encoding="utf-8")
    lines = csv.splitlines()
    assert lines[0].startswith("申报指南/计划类别,申报数,属地推荐数")
    assert lines[1].startswith("2026年度重点研发计划申报指南,1,0,0,0,0,0")


def test_figures_count_reviews_approvals_funding_and_days(world):
    from datetime import timedelta

    from kechuang.projects.figures import figures_for_calls

    from .test_execution import _approved

    project = _approved(world)
    ((call, figures),) = figures_for_calls([project.call])[0]
    assert (figures.applications, figures.approved, figures.funding) == (1, 1, project.approved_amount)
    assert figures.average_days is not None and 0 <= figures.average_days < 1
    assert timedelta(days=figures.average_days) < timedelta(days=1)


def test_average_days_to_decision_counts_approvals_and_non_approvals(world):
    """Issue 3 item 8: decided when the decision meeting's yes goes to public notice, or on a no."""
    from datetime import date, timedelta
    from decimal import Decimal

    from django.contrib.contenttypes.models import ContentType

    from kechuang.core.models import AuditLog
    from kechuang.projects.decision import funding_propose, meeting_record, notice_close, notice_publish
    from kechuang.projects.enums import ApplicationState
    from kechuang.projects.figures import figures_for_calls
    from kechuang.projects.models import Application

    from .test_decision import _reviewed

    call = make_call()
    approved = _reviewed(world, call, "ent_a", "90")
    declined = _reviewed(world, call, "ent_b", "60")
    funding_propose(
        call=call,
        by=world["staff"],
        amounts={approved.pk: Decimal("200000")},
        declines={declined.pk: "得分低"},
    )
    meeting_record(
        call=call, by=world["staff"], held_on=date.today(), members="成员", minutes="通过", votes_for=5
    )
    notice = notice_publish(call=call, by=world["staff"], days=5)
    notice_close(notice=notice, by=world["staff"], at=notice.ends_at + timedelta(seconds=1))

    def decided_at(application):
        return AuditLog.objects.get(
            content_type=ContentType.objects.get_for_model(Application),
            object_id=str(application.pk),
            to_state__in=[ApplicationState.IN_NOTICE, ApplicationState.NOT_APPROVED],
        ).at

    # Submitted 3 and 5 days before their decisions: the average is 4 days (approvals alone would say 3).
    Application.objects.filter(pk=approved.pk).update(submitted_at=decided_at(approved) - timedelta(days=3))
    Application.objects.filter(pk=declined.pk).update(submitted_at=decided_at(declined) - timedelta(days=5))
    ((_call, figures),), (program,) = figures_for_calls([call])
    assert (figures.applications, figures.approved, figures.funding, figures.average_days) == (
        2,
        1,
        Decimal("200000.00"),
        4.0,
    )
    assert (program.approved, program.average_days) == (1, 4.0)


def test_the_excel_export_is_in_the_users_language(client, world):
    call = make_call()
    application_submit(application=_ready(world, call), by=world["ent_a"], started_at=timezone.now())
    client.force_login(world["staff"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("projects:figures")).content.decode()
    assert "<th>Average days from submission to decision</th>" in page
    book = load_workbook(BytesIO(client.get(reverse("projects:figures"), {"format": "xlsx"}).content))
    assert book.sheetnames == ["By call", "By program"]
    assert next(book["By call"].iter_rows(values_only=True)) == (
        "Call/program",
        "Applications",
        "Recommended by locality",
        "Passed formal check",
        "Reviewed",
        "Approved",
        "Funding (yuan)",
        "Average days from submission to decision",
    )
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    book = load_workbook(BytesIO(client.get(reverse("projects:figures"), {"format": "xlsx"}).content))
    assert next(book["按申报指南"].iter_rows(values_only=True))[0] == "申报指南/计划类别"
