"""Carrier pages: list scoping and its query count, the carrier page, the report form, schemes and figures."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kechuang.carriers import services
from kechuang.carriers.enums import ReportState
from kechuang.carriers.models import AnnualReport, EvaluationScheme

from .carrier_helpers import make_carrier, make_scheme, submitted_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def carriers(world):
    staff = world["staff"]
    return {
        "kq": make_carrier(staff, operator=world["org_a"], name="柯桥甲孵化器"),
        "zj": make_carrier(staff, operator=world["org_b"], region_code="330681L01", name="诸暨乙孵化器"),
        "zj2": make_carrier(
            staff, region_code="330681", name="诸暨丙实验室", kind="key_lab", level="provincial"
        ),
    }


def _names(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("carriers:list"), params)
    assert response.status_code == 200
    return sorted(c.name for c in response.context["page"])


def test_list_is_scoped_by_region_and_organization(client, world, carriers):
    assert _names(client, world["staff"]) == ["柯桥甲孵化器", "诸暨丙实验室", "诸暨乙孵化器"]
    assert _names(client, world["kq_staff"]) == ["柯桥甲孵化器"]
    assert _names(client, world["zj_officer"]) == ["诸暨丙实验室", "诸暨乙孵化器"]
    assert _names(client, world["ent_a"]) == ["柯桥甲孵化器"]
    assert _names(client, world["ent_b"]) == ["诸暨乙孵化器"]
    assert _names(client, world["staff"], kind="key_lab") == ["诸暨丙实验室"]
    assert _names(client, world["staff"], region="330681L01") == ["诸暨乙孵化器"]
    assert _names(client, world["staff"], q="柯桥甲") == ["柯桥甲孵化器"]
    client.force_login(world["expert"])
    assert client.get(reverse("carriers:list")).status_code == 403


def test_list_query_count_does_not_grow_with_rows(client, world, carriers, django_assert_max_num_queries):
    for n in range(6):
        make_carrier(world["staff"], name=f"批量{n}号孵化器")
    client.force_login(world["staff"])
    with django_assert_max_num_queries(6):
        response = client.get(reverse("carriers:list"))
    assert len(response.context["page"]) == 9
    with django_assert_max_num_queries(6):
        client.get(reverse("carriers:list"), {"region": "330603"}, HTTP_HX_REQUEST="true")


def test_carrier_page_and_certificate_are_permission_checked(client, world, carriers, settings):
    kq = carriers["kq"]
    services.carrier_update(
        carrier=kq,
        values={
            "certificate_file": SimpleUploadedFile(
                "cert.pdf", b"%PDF-1.4 test", content_type="application/pdf"
            )
        },
        by=world["staff"],
    )
    client.force_login(world["ent_b"])
    assert client.get(reverse("carriers:detail", args=[kq.pk])).status_code == 404
    assert client.get(reverse("carriers:certificate", args=[kq.pk])).status_code == 404
    client.force_login(world["ent_a"])
    page = client.get(reverse("carriers:detail", args=[kq.pk]))
    assert (
        page.status_code == 200 and page.context["can_manage"] is False and page.context["can_keep"] is True
    )
    download = client.get(reverse("carriers:certificate", args=[kq.pk]))
    assert (download.status_code, b"".join(download.streaming_content)) == (200, b"%PDF-1.4 test")
    assert client.get(reverse("carriers:edit", args=[kq.pk])).status_code == 403


def test_operator_fills_and_submits_the_report_form(client, world, carriers):
    kq = carriers["kq"]
    url = reverse("carriers:report", args=[kq.pk, 2025])
    client.force_login(world["ent_b"])
    assert client.post(url, {"v_staff": "1", "action": "save"}).status_code == 404
    client.force_login(world["ent_a"])
    form = client.get(url).context["form"]
    assert [name for name in form.fields if name.startswith("v_")][:3] == [
        "v_incubatees",
        "v_new_incubatees",
        "v_graduates",
    ]
    response = client.post(url, {"v_staff": "1.5", "action": "save"})
    assert response.context["form"].errors == {"v_staff": ["从业人员数：请填写整数。"]}
    client.post(url, {"v_staff": "12", "action": "submit"})  # saved, but required ones are missing
    report = AnnualReport.objects.get(carrier=kq, year=2025)
    assert (report.state, report.values) == (ReportState.DRAFT, {"staff": "12"})
    data = {
        f"v_{code}": "5"
        for code in (
            "incubatees",
            "new_incubatees",
            "graduates",
            "incubatee_revenue",
            "funded_incubatees",
            "incubatee_ip",
            "space_m2",
        )
    }
    client.post(url, data | {"v_staff": "12", "action": "submit", "version": report.version})
    assert AnnualReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED


def test_bureau_runs_a_scheme_through_the_pages_and_exports_it(client, world, carriers):
    staff = world["staff"]
    submitted_report(carriers["kq"], world["ent_a"])
    client.force_login(staff)
    data = {"name": "2025年孵化器绩效评价", "year": 2025, "excellent_min": 90, "good_min": 75, "pass_min": 60}
    refused = client.post(
        reverse("carriers:scheme_create") + "?kind=incubator", data | {"w_incubatees": 50, "t_incubatees": 40}
    )
    assert "现为50分" in refused.content.decode()
    client.post(
        reverse("carriers:scheme_create") + "?kind=incubator",
        data | {"w_incubatees": 60, "t_incubatees": 40, "w_graduates": 40, "t_graduates": 10},
    )
    scheme = EvaluationScheme.objects.get()
    client.post(reverse("carriers:scheme_evaluate", args=[scheme.pk]), {"version": scheme.version})
    page = client.get(reverse("carriers:scheme", args=[scheme.pk]))
    assert [(e.carrier.name, str(e.score), e.rank) for e in page.context["results"]] == [
        ("柯桥甲孵化器", "80.00", 1),
        ("诸暨乙孵化器", "0.00", 2),
    ]
    export = client.get(reverse("carriers:scheme_export", args=[scheme.pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(world["kq_staff"])  # the county sees no city scheme
    assert client.get(reverse("carriers:scheme", args=[scheme.pk])).status_code == 404


def test_figures_page(client, world, carriers):
    client.force_login(world["staff"])
    response = client.get(reverse("carriers:figures"), {"year": 2025})
    assert response.status_code == 200 and response.context["stock"]["total"] == 3
    client.force_login(world["ent_a"])
    assert client.get(reverse("carriers:figures")).status_code == 403


def test_scheme_list_and_indicators_pages(client, world, carriers):
    make_scheme(world["staff"])
    client.force_login(world["staff"])
    assert [s.name for s in client.get(reverse("carriers:schemes")).context["schemes"]] == [
        "2025年孵化器绩效评价"
    ]
    page = client.get(reverse("carriers:indicators"), {"kind": "key_lab"})
    assert (page.context["can_configure"], len(page.context["indicators"])) == (True, 5)
    client.force_login(world["kq_staff"])
    assert client.get(reverse("carriers:indicator_create")).status_code == 403
