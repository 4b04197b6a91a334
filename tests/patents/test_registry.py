from datetime import date

import pytest
from django.urls import reverse

from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.patents import registry_services as services
from kechuang.patents.models import Patent, PledgeFinancing
from kechuang.patents.numbers import check_character

from ..factories import OrganizationFactory, audit_for, region


def number(year: int, kind: int, serial: int) -> str:
    digits = f"{year}{kind}{serial:07d}"
    return f"{digits}.{check_character(digits)}"


def make(organization, by, serial=1, year=2020, digit=1, **extra):
    values = {
        "organization": organization,
        "application_no": number(year, digit, serial),
        "title": f"专利{serial}",
        "filed_on": date(year, 3, 1),
        "by": by,
    }
    values.update(extra)
    return services.patent_create(**values)


@pytest.mark.django_db
def test_create_normalizes_number_and_derives_kind(world):
    patent = services.patent_create(
        organization=world["org_a"],
        application_no="ZL 2017 1 0601862.3",
        title="一种染整方法",
        filed_on=date(2017, 7, 21),
        status="granted",
        granted_on=date(2019, 3, 5),
        ipc="d06p1/00",
        by=world["ent_a"],
    )
    assert patent.application_no == "201710601862.3"
    assert patent.kind == "invention"
    assert patent.ipc == "D06P1/00"
    assert patent.applicants == world["org_a"].name
    assert audit_for(patent, action="create").get().actor == world["ent_a"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"kind": "design"}, "kind"),  # the number says invention
        ({"filed_on": date(2019, 3, 1)}, "filed_on"),  # the number says 2020
        ({"status": "granted"}, "granted_on"),  # granted without a grant date
        ({"status": "granted", "granted_on": date(2019, 1, 1)}, "granted_on"),  # before filing
        ({"status": "lapsed"}, "lapsed_on"),
        ({"status": "applied", "granted_on": date(2021, 1, 1)}, "status"),
        ({"application_no": "202010000001.0"}, "application_no"),  # wrong check digit
    ],
)
def test_create_refuses_inconsistent_patents(world, extra, field):
    with pytest.raises(DomainError) as caught:
        make(world["org_a"], world["ent_a"], **extra)
    assert caught.value.field == field
    assert not Patent.objects.exists()


@pytest.mark.django_db
def test_number_registered_once(world):
    make(world["org_a"], world["ent_a"], serial=5)
    with pytest.raises(DomainError, match="已登记"):
        make(world["org_a"], world["staff"], serial=5)


@pytest.mark.django_db
def test_enterprise_cannot_record_see_or_edit_another_enterprises_patents(world, client):
    with pytest.raises(PermissionDenied):
        make(world["org_b"], world["ent_a"])
    theirs = make(world["org_b"], world["ent_b"], serial=2, title="乙的专利")
    with pytest.raises(PermissionDenied):
        services.patent_update(patent=theirs, title="改名", by=world["ent_a"])
    client.force_login(world["ent_a"])
    assert client.get(reverse("patents:patent", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("patents:patent_edit", args=[theirs.pk])).status_code == 404
    assert "乙的专利" not in client.get(reverse("patents:patent_list")).content.decode()
    theirs.refresh_from_db()
    assert theirs.title == "乙的专利"


@pytest.mark.django_db
def test_county_bureau_edits_only_its_county(world):
    ours = make(world["org_a"], world["ent_a"], serial=1)
    theirs = make(world["org_b"], world["ent_b"], serial=2)
    services.patent_update(patent=ours, title="柯桥改", by=world["kq_staff"])
    with pytest.raises(PermissionDenied):
        services.patent_update(patent=theirs, title="越权", by=world["kq_staff"])
    with pytest.raises(PermissionDenied):  # a bureau leader reads only
        services.patent_update(patent=ours, title="领导", by=world["leader"])


@pytest.mark.django_db
def test_status_change_is_a_recorded_transition_shown_on_the_page(world, client):
    patent = make(world["org_a"], world["ent_a"])
    services.patent_update(
        patent=patent,
        status="granted",
        granted_on=date(2021, 6, 1),
        expected_version=patent.version,
        by=world["ent_a"],
    )
    line = audit_for(patent, action="transition").get()
    assert (line.from_state, line.to_state) == ("applied", "granted")
    with pytest.raises(DomainError):  # an edit against the old version is refused
        services.patent_update(patent=patent, title="旧版本", expected_version=1, by=world["ent_a"])
    client.force_login(world["kq_officer"])  # the town officer of org_a reads it
    page = client.get(reverse("patents:patent", args=[patent.pk])).content.decode()
    assert "已授权" in page and page.count('data-testid="history-line"') == 3


@pytest.mark.django_db
def test_delete_only_by_bureau_and_not_when_pledged(world):
    free = make(world["org_a"], world["ent_a"], serial=1)
    pledged = make(world["org_a"], world["ent_a"], serial=2)
    pledge = PledgeFinancing.objects.create(
        organization=world["org_a"],
        bank="某银行",
        amount=1000,
        starts_on=date(2024, 1, 1),
        ends_on=date(2025, 1, 1),
    )
    pledge.patents.add(pledged)
    with pytest.raises(PermissionDenied):
        services.patent_delete(patent=free, by=world["ent_a"])
    with pytest.raises(DomainError, match="质押"):
        services.patent_delete(patent=pledged, by=world["staff"])
    services.patent_delete(patent=free, by=world["staff"])
    assert list(Patent.objects.all()) == [pledged]


@pytest.mark.django_db
def test_create_page_for_enterprise_and_bureau(world, client):
    client.force_login(world["ent_a"])
    response = client.post(
        reverse("patents:patent_create"),
        {
            "application_no": "CN201710601862.3",
            "title": "页面登记",
            "filed_on": "2017-07-21",
            "status": "applied",
        },
    )
    patent = Patent.objects.get()
    assert response.status_code == 302 and patent.organization == world["org_a"]
    client.force_login(world["kq_staff"])
    response = client.post(
        reverse("patents:patent_create"),
        {
            "organization": world["org_b"].credit_code,  # Zhuji: outside Keqiao
            "application_no": number(2020, 2, 9),
            "title": "越区登记",
            "filed_on": "2020-05-01",
            "status": "applied",
        },
    )
    assert response.status_code == 200 and "没有找到该单位" in response.content.decode()
    assert Patent.objects.count() == 1


@pytest.mark.django_db
def test_list_filters_and_query_count(world, client, django_assert_max_num_queries):
    other = OrganizationFactory(name="柯桥丙新材料有限公司", region=region("330603L01"))
    for serial in range(6):
        make(world["org_a"], world["staff"], serial=serial, digit=1 + serial % 2, ipc=f"H01M10/{serial}")
        make(world["org_b"], world["staff"], serial=100 + serial, year=2021)
    make(other, world["staff"], serial=200, status="granted", granted_on=date(2022, 1, 5))
    client.force_login(world["staff"])
    url = reverse("patents:patent_list")
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert page.count('data-testid="patent-row"') == 13
    cases = {
        "kind=utility_model": 3,
        "filed_year=2021": 6,
        "granted_year=2022": 1,
        "status=granted": 1,
        "region=330681": 6,
        "organization=丙新材料": 1,
        "ipc=h01m10/1": 1,
    }
    for query, expected in cases.items():
        with django_assert_max_num_queries(12):
            page = client.get(f"{url}?{query}").content.decode()
        assert page.count('data-testid="patent-row"') == expected, query
    client.force_login(world["kq_staff"])  # Keqiao's bureau: org_a and the other Keqiao firm only
    assert client.get(url).content.decode().count('data-testid="patent-row"') == 7


@pytest.mark.django_db
def test_edit_page_records_grant(world, client):
    patent = make(world["org_a"], world["ent_a"])
    client.force_login(world["ent_a"])
    url = reverse("patents:patent_edit", args=[patent.pk])
    assert client.get(url).status_code == 200
    data = {
        "application_no": patent.application_no,
        "title": "已授权",
        "filed_on": "2020-03-01",
        "status": "granted",
        "granted_on": "2021-01-02",
        "version": patent.version,
    }
    response = client.post(url, {**data, "granted_on": ""})
    assert "授权公告日" in response.content.decode()  # refused, shown on the form
    assert client.post(url, data).status_code == 302
    patent.refresh_from_db()
    assert (patent.status, patent.granted_on, patent.version) == ("granted", date(2021, 1, 2), 2)
    assert client.get(reverse("patents:patent_create")).status_code == 200
