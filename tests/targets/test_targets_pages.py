"""Pages of 目标责任制考核: who may set targets and see assessments, the grid, progress with records links,
reported actuals, the Excel exports and a bound on the progress page's queries."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kechuang.core.errors import PermissionDenied
from kechuang.organizations.enums import QualificationKind, QualificationLevel
from kechuang.organizations.models import Qualification
from kechuang.targets import services
from kechuang.targets.models import Indicator, Target

pytestmark = pytest.mark.django_db
D = Decimal


def ind(code):
    return Indicator.objects.get(code=code)


@pytest.fixture
def targets(world):
    admin = world["admin"]
    cells = []
    for code in (
        "award_city",
        "award_provincial",
        "rd_gdp",
        "new_hnte",
        "patent_applications",
        "invention_share",
    ):
        for region in ("330603", "330681"):
            cells.append({"region": region, "indicator": ind(code), "value": 2})
    services.target_set(year=2019, cells=cells, by=admin)
    services.actual_report(indicator=ind("award_city"), region_code="330603", year=2019, value=3, by=admin)
    Qualification.objects.create(
        organization=world["org_a"],
        kind=QualificationKind.HNTE,
        level=QualificationLevel.NATIONAL,
        valid_from=date(2019, 3, 1),
        valid_until=date(2022, 3, 1),
    )
    return world


def test_a_county_bureau_cannot_set_another_countys_targets(targets):
    kq = targets["kq_staff"]  # 柯桥区 bureau
    services.target_set(
        year=2019, cells=[{"region": "330603", "indicator": ind("award_city"), "value": 7}], by=kq
    )
    with pytest.raises(PermissionDenied):
        services.target_set(
            year=2019, cells=[{"region": "330681", "indicator": ind("award_city"), "value": 7}], by=kq
        )
    with pytest.raises(PermissionDenied):
        services.actual_report(indicator=ind("award_city"), region_code="330681", year=2019, value=1, by=kq)
    assert Target.objects.get(region_id="330681", indicator__code="award_city").value == 2


def test_grid_shows_inputs_only_for_editable_regions_and_saves(targets, client):
    client.force_login(targets["kq_staff"])
    url = reverse("targets:grid") + "?region=330600&year=2019"
    assert client.get(url).status_code == 403  # 柯桥 cannot see the city's grid
    page = client.get(reverse("targets:grid") + "?region=330603&year=2019")
    assert page.status_code == 200
    form = page.context["form"]
    key = f"c_330603_{ind('award_city').pk}"
    assert key in form.fields
    data = {name: (field.initial if field.initial is not None else "") for name, field in form.fields.items()}
    data[key] = "9"
    response = client.post(reverse("targets:grid") + "?region=330603&year=2019", data)
    assert response.status_code == 302
    assert Target.objects.get(region_id="330603", indicator__code="award_city").value == 9

    client.force_login(targets["admin"])
    form = client.get(reverse("targets:grid") + "?region=330600&year=2019").context["form"]
    assert f"c_330681_{ind('award_city').pk}" in form.fields  # the city sets its counties' targets


def test_enterprise_cannot_see_the_assessment(targets, client):
    admin = targets["admin"]
    assessment = services.assessment_create(
        region_code="330600", year=2019, name="2019考核", weights={ind("award_city"): 100}, by=admin
    )
    services.assessment_compute(assessment=assessment, by=admin)
    client.force_login(targets["ent_a"])
    assert client.get(reverse("targets:assessment", args=[assessment.pk])).status_code == 404
    assert client.get(reverse("targets:assessment_export", args=[assessment.pk])).status_code == 404
    assert b"2019" not in client.get(reverse("targets:assessments")).content.split(b"<main")[-1]
    # A county bureau sees it once published, not before.
    client.force_login(targets["kq_staff"])
    assert client.get(reverse("targets:assessment", args=[assessment.pk])).status_code == 404
    services.assessment_publish(assessment=assessment, by=admin)
    page = client.get(reverse("targets:assessment", args=[assessment.pk]))
    assert page.status_code == 200 and len(page.context["results"]) == 6


def test_exports_open_with_openpyxl(targets, client):
    admin = targets["admin"]
    client.force_login(admin)
    response = client.get(reverse("targets:progress_export", args=["330603", 2019]))
    sheet = load_workbook(BytesIO(response.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert rows["市科学技术进步奖"][2:7] == (2, None, 3, 150, "是")
    assert rows["新认定国家高新技术企业"][4] == 1

    assessment = services.assessment_create(
        region_code="330600",
        year=2019,
        name="2019考核",
        weights={ind("award_city"): 40, ind("new_hnte"): 60},
        by=admin,
    )
    services.assessment_compute(assessment=assessment, by=admin)
    response = client.get(reverse("targets:assessment_export", args=[assessment.pk]))
    book = load_workbook(BytesIO(response.content))
    ranking = list(book.worksheets[0].iter_rows(values_only=True))
    assert ranking[1][:3] == (1, "柯桥区", 70)  # award 3 ≥ 2: 40; one new 高企 of 2: 60 × 1/2
    assert len(book.worksheets[1]["A"]) == 1 + 6 * 2


def test_progress_page_links_records_and_is_bounded(targets, client, django_assert_max_num_queries):
    client.force_login(targets["admin"])
    with django_assert_max_num_queries(20):
        page = client.get(reverse("targets:progress", args=["330603", 2019]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("targets:records", args=["330603", 2019, "new_hnte"]) in html
    assert reverse("patents:patent_list") + "?filed_year=2019" in html
    records = client.get(reverse("targets:records", args=["330603", 2019, "new_hnte"]))
    assert records.context["count"] == 1 and len(records.context["rows"]) == 1
    assert records.context["rows"][0].startswith("柯桥甲纺织有限公司 · 高新技术企业 · 国家级")
    client.force_login(targets["kq_staff"])
    assert client.get(reverse("targets:progress", args=["330681", 2019])).status_code == 403


def test_reported_actuals_form(targets, client):
    client.force_login(targets["kq_staff"])
    url = reverse("targets:actuals", args=["330603", 2019])
    form = client.get(url).context["form"]
    data = {name: (field.initial if field.initial is not None else "") for name, field in form.fields.items()}
    data[f"v_{ind('rd_gdp').pk}"] = "2.45"
    data[f"src_{ind('rd_gdp').pk}"] = "统计公报"
    assert client.post(url, data).status_code == 302
    line = next(
        p
        for p in client.get(reverse("targets:progress", args=["330603", 2019])).context["lines"]
        if p.indicator.code == "rd_gdp"
    )
    assert (line.actual, line.met) == (D("2.4500"), True)
    assert client.get(reverse("targets:actuals", args=["330681", 2019])).status_code == 403


def test_catalogue_and_assessment_pages_render(targets, client, django_assert_max_num_queries):
    admin = targets["admin"]
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("targets:indicators"))
    assert page.status_code == 200 and "专利申请量" in page.content.decode()
    share = ind("invention_share")
    assert "专利申请量" in client.get(reverse("targets:indicator", args=[share.pk])).content.decode()
    response = client.post(
        reverse("targets:indicator_create"),
        {"code": "awards_total", "name": "科技奖励", "measure": "count", "source": "computed", "position": 1},
    )
    assert response.context["form"].errors["computation"] == ["系统计算的指标须选择计算方法。"]
    assert not Indicator.objects.filter(code="awards_total").exists()
    form = {
        "name": "2019考核",
        "year": 2019,
        f"w_{ind('award_city').pk}": "50",
        f"w_{ind('new_hnte').pk}": "40",
    }
    response = client.post(reverse("targets:assessment_create"), form)
    assert "各项指标权重之和须为100，现为90。" in response.content.decode()
    form[f"w_{ind('new_hnte').pk}"] = "50"
    response = client.post(reverse("targets:assessment_create"), form)
    assert response.status_code == 302
    detail = client.get(response.url)
    assert detail.status_code == 200 and detail.context["may_manage"]
    assert client.get(reverse("targets:grid_export") + "?region=330600&year=2019").status_code == 200
    client.force_login(targets["kq_staff"])
    assert client.get(reverse("targets:indicator_create")).status_code == 403
