import pytest

from kechuang.portal import demo
from kechuang.portal.enums import PublishState
from kechuang.portal.models import Notice, Policy, ServiceGuide


@pytest.mark.django_db
def test_demo_seeds_once():
    demo.seed(seed=8, log=lambda *a: None)
    counts = (Policy.objects.count(), Notice.objects.count(), ServiceGuide.objects.count())
    assert counts == (12, 31, 15)
    innovation = Policy.objects.get(title=demo.INNOVATION_POLICY_TITLE)
    assert (innovation.region_id, innovation.state) == ("330600", PublishState.PUBLISHED)
    assert Policy.objects.filter(title=demo.TALENT_POLICY_TITLE, category="talent").count() == 1
    years = {d.year for d in Notice.objects.exclude(published_at=None).values_list("published_at", flat=True)}
    assert min(years) == 2019 and max(years) == 2026
    demo.seed(seed=8, log=lambda *a: None)
    assert (Policy.objects.count(), Notice.objects.count(), ServiceGuide.objects.count()) == counts
