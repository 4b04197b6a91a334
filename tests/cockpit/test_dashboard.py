"""科技大脑 (issue 8 item 5): every module's figures for a region and year, trend, ranking by region, and the
drill-down from a figure to exactly its records; bureau users and officers only, each within their region."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from kechuang.cockpit import dashboard
from kechuang.enterprises import figures as enterprise_figures
from kechuang.organizations.enums import QualificationKind, QualificationLevel
from kechuang.organizations.models import Qualification

from ..factories import OrganizationFactory, region

pytestmark = pytest.mark.django_db

HNTE_NEW = "0"  # 新认定高新技术企业: the first enterprise figure
FIRST = "0.0"  # its part 首次认定


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def certificate(org, valid_from):
    return Qualification.objects.create(
        organization=org,
        kind=QualificationKind.HNTE,
        level=QualificationLevel.NATIONAL,
        valid_from=valid_from,
        valid_until=valid_from.replace(year=valid_from.year + 3) - timedelta(days=1),
    )


@pytest.fixture
def hnte(world):
    """High-tech certificates: two in 柯桥 (one in 2018, one in 2019), one in 诸暨 in 2019."""
    kq = OrganizationFactory(region=region("330603L01"))
    return {
        "kq_2018": certificate(world["org_a"], date(2018, 5, 1)),
        "kq_2019": certificate(kq, date(2019, 11, 20)),
        "zj_2019": certificate(world["org_b"], date(2019, 3, 2)),
    }


def _figure(data, module, index):
    entry = next(m for m in data if m["module"] == module)
    return next(f for f in entry["figures"] if f["index"] == index)


def test_figures_for_gives_each_module_s_own_figures_in_registry_order(hnte):
    modules = dashboard.figures_for("330600", 2019)
    names = [name for name, _figures in modules]
    assert names == [m for m in dashboard.SOURCES if m in names]
    assert names[:3] == ["enterprises", "market", "vouchers"]
    ours = dict(modules)["enterprises"]
    theirs = enterprise_figures.report_figures("330600", 2019)
    assert [(f.label, f.value) for f in ours] == [(f.label, f.value) for f in theirs]
    assert ours[0].value == 2
    assert _figure(dashboard.values("330600", 2019), "enterprises", HNTE_NEW)["value"] == 2


def test_values_are_cached_per_region_and_year(hnte, django_assert_num_queries):
    dashboard.values("330603", 2019)
    with django_assert_num_queries(0):
        again = dashboard.values("330603", 2019)
    assert _figure(again, "enterprises", HNTE_NEW)["value"] == 1


def test_trend_and_ranking(hnte):
    trend = dashboard.trend("330600", range(2017, 2020))
    assert trend["years"] == [2017, 2018, 2019]
    series = next(s for s in trend["series"] if s["key"] == "enterprises:0")
    assert series["values"] == [0, 1, 2]

    ranking = dashboard.ranking("330600", 2019)
    codes = [r["code"] for r in ranking["regions"]]
    assert codes == sorted(r.code for r in region("330600").children.all())
    series = next(s for s in ranking["series"] if s["key"] == "enterprises:0")
    by_region = dict(zip(codes, series["values"], strict=True))
    assert (by_region["330603"], by_region["330681"], sum(series["values"])) == (1, 1, 2)


def _drill(module, code, year, index):
    return reverse("cockpit:drill", args=[module, code, year, index])


def test_the_drill_down_lists_exactly_the_figure_s_records(client, world, hnte):
    client.force_login(world["staff"])
    response = client.get(_drill("enterprises", "330600", 2019, HNTE_NEW))
    assert response.status_code == 200
    assert {q.pk for q in response.context["page"]} == {hnte["kq_2019"].pk, hnte["zj_2019"].pk}
    assert response.context["page"].paginator.count == 2
    assert response.context["rows"][0]["url"] == reverse(
        "enterprises:detail", args=[response.context["page"][0].organization_id]
    )
    # a part drills down the same way; the county's figure lists only the county's records
    response = client.get(_drill("enterprises", "330603", 2019, FIRST))
    assert [q.pk for q in response.context["page"]] == [hnte["kq_2019"].pk]


def test_an_unknown_module_or_figure_is_not_found(client, world):
    client.force_login(world["staff"])
    assert client.get(_drill("nothing", "330600", 2019, "0")).status_code == 404
    assert client.get(_drill("enterprises", "330600", 2019, "99")).status_code == 404
    assert client.get(_drill("enterprises", "330600", 2019, "x")).status_code == 404


def test_only_bureau_users_and_officers_within_their_region(client, world, hnte):
    city = _drill("enterprises", "330600", 2019, HNTE_NEW)
    client.force_login(world["ent_a"])
    assert client.get(reverse("cockpit:dashboard")).status_code == 403
    assert client.get(reverse("cockpit:dashboard_trend")).status_code == 403
    assert client.get(city).status_code == 403

    client.force_login(world["kq_staff"])  # 柯桥区 bureau
    assert client.get(reverse("cockpit:dashboard"), {"region": "330600"}).status_code == 403
    assert client.get(reverse("cockpit:dashboard_ranking"), {"region": "330681"}).status_code == 403
    assert client.get(city).status_code == 403
    assert client.get(_drill("enterprises", "330681", 2019, HNTE_NEW)).status_code == 403
    assert client.get(_drill("enterprises", "330603", 2019, HNTE_NEW)).status_code == 200

    client.force_login(world["kq_officer"])  # a town of 柯桥
    assert client.get(_drill("enterprises", "330603", 2019, HNTE_NEW)).status_code == 403
    assert client.get(_drill("enterprises", "330603L01", 2019, HNTE_NEW)).status_code == 200


def test_the_city_dashboard_shows_tiles_then_trend_and_ranking(
    client, world, hnte, django_assert_max_num_queries
):
    client.force_login(world["leader"])
    city_2019 = {"region": "330600", "year": "2019"}
    response = client.get(reverse("cockpit:dashboard"), city_2019)
    assert response.status_code == 200
    tile = _figure(response.context["modules"], "enterprises", HNTE_NEW)
    assert (tile["value"], tile["display"]) == (2, "2")
    assert [r.code for r in response.context["regions"]][0] == "330600"
    html = response.content.decode()
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert f'hx-get="{reverse("cockpit:dashboard_trend")}?region=330600&amp;year=2019"' in html

    trend = client.get(reverse("cockpit:dashboard_trend"), city_2019, headers={"HX-Request": "true"})
    assert 'id="trend-chart"' in trend.content.decode() and 'id="trend-data"' in trend.content.decode()
    assert "<html" not in trend.content.decode()  # a fragment for htmx
    row = next(r for r in trend.context["trend_rows"] if r["key"] == "enterprises:0")
    assert row["cells"][-2:] == [(2018, "1"), (2019, "2")]

    ranking = client.get(reverse("cockpit:dashboard_ranking"), city_2019)
    assert "<html" in ranking.content.decode()  # without JavaScript: a page of its own
    rows = {r["code"]: r["cells"][0]["display"] for r in ranking.context["ranking_rows"]}
    assert (rows["330603"], rows["330681"], rows["330602"]) == ("1", "1", "0")

    # every figure of every region and year is in the cache now: the session, the user, the regions
    with django_assert_max_num_queries(5):
        assert client.get(reverse("cockpit:dashboard"), city_2019).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(reverse("cockpit:dashboard_ranking"), city_2019).status_code == 200


def test_the_drill_down_takes_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    orgs = [OrganizationFactory(region=region("330603L01")) for _ in range(25)]
    for org in orgs:
        certificate(org, date(2019, 6, 1))
    client.force_login(world["staff"])
    # the module's figures (about 20 queries for the enterprises), the page of rows with their foreign keys in one
    # query, and the count: none per row
    with django_assert_max_num_queries(24):
        response = client.get(_drill("enterprises", "330600", 2019, HNTE_NEW))
    assert (response.context["page"].paginator.count, len(response.context["rows"])) == (25, 20)
    with django_assert_max_num_queries(24):
        response = client.get(_drill("enterprises", "330600", 2019, HNTE_NEW), {"page": 2})
    assert len(response.context["rows"]) == 5


def test_kpis_against_targets_drill_down_to_the_indicator_s_records(client, world, hnte):
    from kechuang.targets import services as target_services
    from kechuang.targets.models import Indicator

    new_hnte = Indicator.objects.get(code="new_hnte")  # computed: certificates issued in the year
    target_services.target_set(
        year=2019, cells=[{"region": "330600", "indicator": new_hnte, "value": "4"}], by=world["admin"]
    )
    client.force_login(world["staff"])
    response = client.get(reverse("cockpit:dashboard"), {"region": "330600", "year": "2019"})
    row = next(r for r in response.context["progress"] if r["code"] == "new_hnte")
    assert (row["actual"], row["target"], row["percent"], row["met"], row["drill"]) == (2, 4, 50, False, True)
    drill = client.get(_drill("targets", "330600", 2019, "new_hnte"))
    assert {q.pk for q in drill.context["page"]} == {hnte["kq_2019"].pk, hnte["zj_2019"].pk}
    client.force_login(world["kq_staff"])
    assert client.get(_drill("targets", "330600", 2019, "new_hnte")).status_code == 403
