"""The organization name search: Chinese substrings of any length, also inside a subquery."""

import pytest

from kechuang.organizations.filters import OrganizationFilter
from kechuang.organizations.models import Organization

from ..factories import OrganizationFactory


def _search(value):
    return OrganizationFilter({"q": value}, queryset=Organization.objects.all()).qs


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "found"), [("纺织", True), ("柯桥纺织", True), ("纺", True), ("柯桥机械", False)]
)
def test_name_search_finds_chinese_substrings(value, found):
    hit = OrganizationFactory(name="绍兴柯桥纺织印染有限公司")
    OrganizationFactory(name="诸暨精密机械有限公司")
    assert {o.pk for o in _search(value)} == ({hit.pk} if found else set())


@pytest.mark.django_db
def test_two_character_search_works_inside_a_subquery():
    """On PostgreSQL two characters use the kc_bigrams index expression; it must not name the table itself,
    or a subquery (where the table has an alias) fails."""
    hit = OrganizationFactory(name="绍兴华宇纺织有限公司")
    OrganizationFactory(name="诸暨精密机械有限公司")
    outer = Organization.objects.filter(pk__in=_search("纺织").values("pk"))
    assert [o.pk for o in outer] == [hit.pk]
