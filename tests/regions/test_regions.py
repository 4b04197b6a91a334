import pytest

from kechuang.accounts.enums import Role
from kechuang.core.scoping import region_within_user_scope, scope_by_region, user_region_codes
from kechuang.organizations.models import Organization
from kechuang.regions.models import Region
from kechuang.regions.selectors import regions_under

from ..factories import OrganizationFactory, UserFactory, region

pytestmark = pytest.mark.django_db


def test_shaoxing_and_its_counties_have_their_gb2260_codes():
    # rules.md §7
    assert dict(Region.objects.filter(parent_id="330600").values_list("code", "name")) == {
        "330602": "越城区",
        "330603": "柯桥区",
        "330604": "上虞区",
        "330624": "新昌县",
        "330681": "诸暨市",
        "330683": "嵊州市",
    }
    assert Region.objects.get(pk="330600").parent_id == "330000"


def test_towns_are_loaded_and_marked_as_local_codes():
    towns = Region.objects.filter(level="town", parent_id="330603").order_by("code")
    assert towns.count() == 16
    assert (towns[0].code, towns[0].name, towns[0].is_local_code) == ("330603L01", "柯桥街道", True)
    assert not Region.objects.filter(level="county", is_local_code=True).exists()


def test_path_makes_a_subtree_one_prefix():
    assert region("330603L01").path == "330000/330600/330603/330603L01/"
    codes = regions_under("330603")
    assert len(codes) == 17 and "330603" in codes and "330681" not in codes


def test_full_name_reads_top_down():
    assert region("330603L01").full_name == "浙江省绍兴市柯桥区柯桥街道"


def test_scope_by_region_keeps_only_the_users_subtree():
    OrganizationFactory(region=region("330603L01"), name="柯桥")
    OrganizationFactory(region=region("330603"), name="柯桥区直属")
    OrganizationFactory(region=region("330681L01"), name="诸暨")
    county = UserFactory(role=Role.OFFICER, region=region("330603"))
    town = UserFactory(role=Role.OFFICER, region=region("330603L01"))

    def names(user):
        return sorted(scope_by_region(Organization.objects.all(), user).values_list("name", flat=True))

    assert names(county) == ["柯桥", "柯桥区直属"]
    assert names(town) == ["柯桥"]
    assert region_within_user_scope(county, "330603L02") and not region_within_user_scope(town, "330603L02")


def test_user_without_region_sees_nothing_and_superuser_everything():
    nobody = UserFactory(role=Role.OFFICER, region=None)
    assert user_region_codes(nobody) == []
    root = UserFactory(role=Role.BUREAU_ADMIN, region=None, is_superuser=True)
    assert user_region_codes(root) is None


def test_region_data_migration_is_idempotent():
    from kechuang.regions.loader import load_regions

    before = Region.objects.count()
    assert load_regions(Region) == before
    assert Region.objects.count() == before


def test_select_boxes_name_towns_with_their_county(client):
    from django.urls import reverse

    body = client.get(reverse("accounts:register")).content.decode()
    assert '<option value="330603L06">柯桥区 · 钱清镇</option>' in body
    assert '<option value="330603">柯桥区</option>' in body
