"""The public catalogue of voucher services and instruments (创新地图) and the providers' own pages."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from kechuang.vouchers import services
from kechuang.vouchers.enums import OfferingKind, ProviderState, ServiceCategory
from kechuang.vouchers.models import Offering, ProviderProfile

from ..factories import region
from .helpers import make_program

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("vouchers:catalogue")


def _ids(response) -> list[int]:
    """The offerings listed on a catalogue page, in order."""
    assert response.status_code == 200
    return [
        int(pk)
        for pk in re.findall(r'data-testid="offering" data-offering="(\d+)"', response.content.decode())
    ]


def _register(user, bureau, *, verify=True, categories=(ServiceCategory.TESTING,)):
    profile = services.provider_register(
        organization=user.organization,
        values={"categories": list(categories), "description": "检测服务", "contact_name": "李工"},
        by=user,
    )
    if verify:
        profile = services.provider_decide(profile=profile, action="verify", by=bureau)
    return profile


def _offer(user, **values):
    values = {
        "category": ServiceCategory.TESTING,
        "name": "材料成分检测",
        "price": "800",
        "unit": "样",
        **values,
    }
    if isinstance(values.get("region"), str):
        values["region"] = region(values["region"])
    return services.offering_create(provider=user.organization, values=values, by=user)


@pytest.fixture
def catalogue(world):
    """A verified provider (越城区) with three offerings in three places, and an institution whose profile the
    bureau has not verified yet, with one offering."""
    provider, staff = world["provider"], world["staff"]
    _register(
        provider,
        staff,
        categories=(ServiceCategory.TESTING, ServiceCategory.INSTRUMENT, ServiceCategory.DESIGN),
    )
    testing = _offer(provider, name="纺织品成分检测", price="500", description="按国家标准检测纤维含量")
    sem = _offer(
        provider,
        kind=OfferingKind.INSTRUMENT,
        category=ServiceCategory.INSTRUMENT,
        name="场发射扫描电子显微镜",
        price="3000",
        unit="小时",
        region="330603",
        instrument_model="SU8010",
        manufacturer="日立",
        availability="工作日 9:00–17:00",
    )
    design = _offer(
        provider, category=ServiceCategory.DESIGN, name="工业设计服务", price="12000", region="330402"
    )
    _register(world["institution"], staff, verify=False)
    hidden = _offer(world["institution"], name="未核验机构的检测")
    return {"testing": testing, "sem": sem, "design": design, "hidden": hidden, **world}


# ---------------------------------------------------------------------------------------------------------
# The public catalogue


def test_anonymous_users_browse_only_active_offerings_of_verified_providers(client, catalogue):
    closed = _offer(catalogue["provider"], name="暂停的检测")
    services.offering_update(offering=closed, values={"active": False}, by=catalogue["provider"])
    response = client.get(CATALOGUE)
    assert set(_ids(response)) == {catalogue["testing"].pk, catalogue["sem"].pk, catalogue["design"].pk}
    assert "未核验机构的检测" not in response.content.decode()
    assert client.get(reverse("vouchers:offering", args=[catalogue["testing"].pk])).status_code == 200
    assert client.get(reverse("vouchers:offering", args=[catalogue["hidden"].pk])).status_code == 404
    assert client.get(reverse("vouchers:offering", args=[closed.pk])).status_code == 404


def test_a_suspended_providers_offerings_leave_the_catalogue(client, catalogue):
    profile = ProviderProfile.objects.get(organization=catalogue["provider"].organization)
    services.provider_decide(profile=profile, action="suspend", reason="资质过期", by=catalogue["staff"])
    assert _ids(client.get(CATALOGUE)) == []
    assert client.get(reverse("vouchers:offering", args=[catalogue["sem"].pk])).status_code == 404


def test_a_provider_previews_its_own_offering_that_is_not_public(client, catalogue):
    client.force_login(catalogue["institution"])
    response = client.get(reverse("vouchers:offering", args=[catalogue["hidden"].pk]))
    assert response.status_code == 200
    assert "服务机构尚未通过科技局核验" in response.content.decode()
    client.force_login(catalogue["ent_a"])
    assert client.get(reverse("vouchers:offering", args=[catalogue["hidden"].pk])).status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "instrument"}, ["sem"]),
        ({"kind": "service"}, ["testing", "design"]),
        ({"category": "design"}, ["design"]),
        ({"category": "testing"}, ["testing"]),
        ({"region": "330600"}, ["testing", "sem"]),  # the city with its counties and towns
        ({"region": "330602"}, ["testing"]),  # a county: its towns, not the neighbour county
        ({"region": "330400"}, ["design"]),
        ({"price_min": "1000"}, ["sem", "design"]),
        ({"price_max": "3000"}, ["testing", "sem"]),  # the bounds are included
        ({"price_min": "501", "price_max": "11999.99"}, ["sem"]),
        ({"q": "SU8010"}, ["sem"]),  # instrument model
        ({"q": "su8010"}, ["sem"]),  # any case
        ({"q": "日立"}, ["sem"]),  # manufacturer
        ({"q": "纤维含量"}, ["testing"]),  # description
        ({"q": "设计"}, ["design"]),  # name
        ({"q": "测试检测中心"}, ["testing", "sem", "design"]),  # provider name
        ({"q": "没有这个词"}, []),
        ({"kind": "service", "region": "330600", "price_max": "1000"}, ["testing"]),
    ],
)
def test_each_filter_keeps_only_what_it_selects(client, catalogue, params, expected):
    assert set(_ids(client.get(CATALOGUE, params))) == {catalogue[name].pk for name in expected}


def test_sorting_by_price_and_newest(client, catalogue):
    testing, sem, design = (catalogue[n].pk for n in ("testing", "sem", "design"))
    assert _ids(client.get(CATALOGUE, {"sort": "price"})) == [testing, sem, design]
    assert _ids(client.get(CATALOGUE, {"sort": "-price"})) == [design, sem, testing]
    assert _ids(client.get(CATALOGUE, {"sort": "new"})) == [design, sem, testing]


def test_pages_of_twenty(client, world):
    _register(world["provider"], world["staff"])
    for n in range(25):
        _offer(world["provider"], name=f"检测项目{n:02d}", price=str(100 + n))
    response = client.get(CATALOGUE, {"sort": "price", "category": "testing"})
    first = _ids(response)
    second = client.get(CATALOGUE, {"sort": "price", "category": "testing", "page": "2"})
    assert len(first) == 20 and len(_ids(second)) == 5
    assert "共 25 项服务，2 页" in second.content.decode()
    # a full first page asks for its count after it is shown, with the same filters
    assert 'hx-get="/vouchers/count/?sort=price&amp;category=testing"' in response.content.decode()
    count = client.get(reverse("vouchers:catalogue_count"), {"sort": "price", "category": "testing"})
    assert "共 25 项服务，2 页" in count.content.decode()
    assert (
        "共 0 项服务" in client.get(reverse("vouchers:catalogue_count"), {"category": "ip"}).content.decode()
    )
    assert set(first).isdisjoint(_ids(second))
    assert client.get(CATALOGUE, {"page": "abc"}).status_code == 200
    assert _ids(client.get(CATALOGUE, {"page": "99", "sort": "price"})) == _ids(second)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"price_min": "abc"}, "请输入有效的金额（元），例如 500 或 199.50。"),
        ({"price_max": "1e400"}, "金额过大。"),
        ({"price_min": "-5"}, "金额不能为负数。"),
        ({"price_min": "1.005"}, "金额最多保留两位小数（到分）。"),
        ({"price_min": "5000", "price_max": "100"}, "最高价格不能低于最低价格。"),
        ({"region": "999999"}, "所在地区"),
        ({"kind": "<x>"}, "类型"),
    ],
)
def test_bad_filter_input_is_explained_in_chinese(client, catalogue, params, message):
    response = client.get(CATALOGUE, params)
    assert response.status_code == 200
    assert _ids(response) == []
    text = response.content.decode()
    assert 'data-testid="catalogue-errors"' in text
    assert message in text


def test_the_keyword_is_shown_escaped(client, catalogue):
    _offer(catalogue["provider"], name="<b>加粗</b>检测")
    response = client.get(CATALOGUE, {"q": "<script>alert(1)</script>"})
    text = response.content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    text = client.get(CATALOGUE, {"q": "<b>"}).content.decode()
    assert "&lt;b&gt;加粗&lt;/b&gt;检测" in text and "<b>加粗" not in text


def test_an_htmx_request_gets_the_results_only(client, catalogue):
    response = client.get(CATALOGUE, {"kind": "instrument"}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert _ids(response) == [catalogue["sem"].pk]
    assert "<html" not in text and 'data-testid="result-count"' in text


def test_the_catalogue_reads_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    make_program(world["staff"])
    make_program(world["staff"], name="2026年诸暨市科技创新券", region_code="330681", partners=("330602",))
    _register(world["provider"], world["staff"])
    _register(world["institution"], world["staff"])
    for n in range(30):
        _offer(world["provider" if n % 2 else "institution"], name=f"检测项目{n:02d}", price=str(100 + n))
    client.get(CATALOGUE)  # per-process caches (regions) filled
    # the page's ids and rows (its count is asked for separately), open programs, 2 × their partners
    with django_assert_max_num_queries(6):
        response = client.get(CATALOGUE, {"sort": "price"})
    assert len(_ids(response)) == 20
    assert response.content.decode().count('data-testid="voucher-accepted"') == 20
    client.force_login(world["ent_a"])
    with django_assert_max_num_queries(9):  # + the count (not the first page), session and user
        assert len(_ids(client.get(CATALOGUE, {"region": "330600", "page": "2"}))) == 10


# ---------------------------------------------------------------------------------------------------------
# An offering's page


def test_the_offering_page_lists_the_programs_that_accept_it(client, catalogue):
    make_program(catalogue["staff"])  # 绍兴: testing, instrument, design
    make_program(catalogue["staff"], name="草稿计划", open_=False)
    sem_url = reverse("vouchers:offering", args=[catalogue["sem"].pk])
    text = client.get(sem_url).content.decode()
    assert text.count('data-testid="program"') == 1 and "2026年绍兴市科技创新券" in text
    assert "SU8010" in text and "日立" in text and "工作日 9:00–17:00" in text
    assert 'data-testid="book"' not in text and "登录</a>后用创新券预约" in text
    # 嘉兴 is not a partner of 绍兴's program: nothing accepts the design service there
    text = client.get(reverse("vouchers:offering", args=[catalogue["design"].pk])).content.decode()
    assert 'data-testid="no-programs"' in text


def test_a_partner_region_program_accepts_offerings_there(client, catalogue):
    make_program(catalogue["staff"], partners=("330400",))
    text = client.get(reverse("vouchers:offering", args=[catalogue["design"].pk])).content.decode()
    assert text.count('data-testid="program"') == 1


def test_an_enterprise_user_gets_the_booking_button(client, catalogue):
    make_program(catalogue["staff"])
    client.force_login(catalogue["ent_a"])
    text = client.get(reverse("vouchers:offering", args=[catalogue["sem"].pk])).content.decode()
    assert f'href="/vouchers/offerings/{catalogue["sem"].pk}/book/"' in text
    client.force_login(catalogue["provider"])  # its own offering: no booking, an edit link
    text = client.get(reverse("vouchers:offering", args=[catalogue["sem"].pk])).content.decode()
    assert 'data-testid="book"' not in text and 'data-testid="edit-offering"' in text


# ---------------------------------------------------------------------------------------------------------
# The provider's pages


def test_a_provider_registers_and_sees_the_bureaus_decision(client, world):
    user = world["provider"]
    client.force_login(user)
    url = reverse("vouchers:provider_register")
    assert 'data-testid="provider-state"' not in client.get(url).content.decode()
    response = client.post(url, {"description": "检测", "contact_name": "王工"})
    assert "请选择至少一个服务类别。" in response.content.decode()
    assert not ProviderProfile.objects.exists()
    response = client.post(url, {"categories": ["testing", "analysis"], "contact_phone": "0575-88001234"})
    assert response.status_code == 302
    profile = ProviderProfile.objects.get(organization=user.organization)
    assert (profile.state, profile.categories, profile.contact_phone) == (
        ProviderState.PENDING,
        ["testing", "analysis"],
        "0575-88001234",
    )
    services.provider_decide(profile=profile, action="reject", reason="缺少CMA资质证书", by=world["staff"])
    text = client.get(url).content.decode()
    assert "未通过" in text and "科技局意见：缺少CMA资质证书" in text


def test_only_organization_users_have_provider_pages(client, world):
    client.force_login(world["staff"])
    assert client.get(reverse("vouchers:provider_register")).status_code == 403
    assert client.get(reverse("vouchers:offering_new")).status_code == 403
    client.logout()
    assert client.get(reverse("vouchers:provider_register")).status_code == 302  # to the login page


def test_a_provider_adds_and_edits_an_offering(client, world):
    user = world["provider"]
    client.force_login(user)
    assert client.get(reverse("vouchers:offering_new")).status_code == 302  # register first
    _register(user, world["staff"])
    form = client.get(reverse("vouchers:offering_new")).content.decode()
    assert '<option value="330602L02" selected>' in form  # the organization's region
    data = {
        "kind": "service",
        "category": "testing",
        "name": "水质检测",
        "region": "330602L02",
        "price": "12.345",
        "unit": "样",
        "active": "on",
    }
    response = client.post(reverse("vouchers:offering_new"), data)
    assert "金额最多保留两位小数（到分）。" in response.content.decode()
    assert not Offering.objects.exists()
    response = client.post(reverse("vouchers:offering_new"), {**data, "price": "1,200.50"})
    assert response.status_code == 302
    offering = Offering.objects.get()
    assert (offering.price, offering.region_id, offering.active) == (Decimal("1200.50"), "330602L02", True)

    edit = reverse("vouchers:offering_edit", args=[offering.pk])
    response = client.post(edit, {**data, "price": "900", "version": offering.version})
    assert response.status_code == 302
    offering.refresh_from_db()
    assert offering.price == Decimal("900.00")
    stale = client.post(edit, {**data, "price": "950", "version": offering.version - 1})
    assert stale.status_code == 200 and 'class="errors"' in stale.content.decode()
    offering.refresh_from_db()
    assert offering.price == Decimal("900.00")


def test_the_active_toggle_takes_an_offering_out_of_the_catalogue(client, catalogue):
    client.force_login(catalogue["provider"])
    page = client.get(reverse("vouchers:provider_register")).content.decode()
    assert page.count('data-testid="my-offering"') == 3
    sem = catalogue["sem"]
    response = client.post(
        reverse("vouchers:offering_toggle", args=[sem.pk]), {"active": "0", "version": sem.version}
    )
    assert response.status_code == 302
    sem.refresh_from_db()
    assert sem.active is False
    client.logout()
    assert sem.pk not in _ids(client.get(CATALOGUE))


def test_a_provider_cannot_edit_another_providers_offering(client, catalogue):
    sem = catalogue["sem"]
    for who in ("institution", "ent_b"):
        client.force_login(catalogue[who])
        edit = reverse("vouchers:offering_edit", args=[sem.pk])
        assert client.get(edit).status_code == 403
        response = client.post(
            edit,
            {
                "kind": "service",
                "category": "testing",
                "name": "被改了",
                "region": "330602",
                "price": "1",
                "unit": "次",
                "version": sem.version,
            },
        )
        assert response.status_code == 403
        response = client.post(
            reverse("vouchers:offering_toggle", args=[sem.pk]), {"active": "0", "version": sem.version}
        )
        assert response.status_code == 403
    sem.refresh_from_db()
    assert (sem.name, sem.price, sem.active) == ("场发射扫描电子显微镜", Decimal("3000.00"), True)
    # and the institution's own page lists only its own offering
    client.force_login(catalogue["institution"])
    page = client.get(reverse("vouchers:provider_register")).content.decode()
    assert re.findall(r'data-testid="my-offering" data-offering="(\d+)"', page) == [
        str(catalogue["hidden"].pk)
    ]
