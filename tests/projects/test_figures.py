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
