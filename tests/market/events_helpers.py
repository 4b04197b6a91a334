"""Builders shared by the matchmaking event tests (tests/market/test_events*.py)."""

from datetime import time, timedelta

from django.utils import timezone

from kechuang.market.enums import ListingKind, ListingState
from kechuang.market.events import event_save, event_transition, registration_save
from kechuang.market.models import Listing

from ..factories import OrganizationFactory, UserFactory, region

TODAY = timezone.localdate()


def listing(
    organization,
    kind=ListingKind.DEMAND,
    title="印染废水深度处理",
    *,
    keywords="",
    field="resources_environment",
    state=ListingState.PUBLISHED,
):
    return Listing.objects.create(
        kind=kind,
        organization=organization,
        region=organization.region,
        title=title,
        description=title + "。",
        tech_field=field,
        keywords=keywords,
        cooperation="transfer",
        expires_on=TODAY + timedelta(days=90),
        contact_name="张三",
        contact_phone="13800000000",
        state=state,
        published_at=timezone.now() if state == ListingState.PUBLISHED else None,
    )


def make_event(by, *, region_code=None, open_it=True, **values):
    data = {
        "title": "2026年绍兴市纺织印染技术对接会",
        "theme": "印染废水治理与新材料",
        "tech_fields": ["resources_environment", "new_materials"],
        "region": region_code or by.region_id,
        "held_on": TODAY + timedelta(days=10),
        "place": "柯桥区科技园报告厅",
        "starts_at": time(9, 0),
        "slot_minutes": 20,
        "slot_count": 4,
        "tables": 3,
        "registration_closes_on": TODAY + timedelta(days=5),
    }
    data.update(values)
    event = event_save(values=data, by=by)
    if open_it:
        event = event_transition(event=event, action="open", by=by)
    return event


def institution_user(name="浙江测试大学", region_code="330602L01"):
    from kechuang.accounts.enums import Role

    organization = OrganizationFactory(kind="institution", name=name, region=region(region_code))
    return UserFactory(role=Role.INSTITUTION, organization=organization, region=organization.region)


def enterprise_user(name, region_code="330603L01"):
    from kechuang.accounts.enums import Role

    organization = OrganizationFactory(name=name, region=region(region_code))
    return UserFactory(role=Role.ENTERPRISE, organization=organization, region=organization.region)


def register(event, user, listings, attendee="李四", phone="13900000000"):
    return registration_save(event=event, by=user, listings=listings, attendee=attendee, phone=phone)


def populated_event(world):
    """An open event of the city bureau: two enterprises with demands, one institution with achievements.

    ent_a: 印染废水 demand (shares 印染/废水 with the institution's achievement) and a 纤维 demand;
    ent_b: a 数控机床 demand; institution: 印染废水 achievement and 碳纤维 achievement.
    """
    event = make_event(world["staff"])
    a1 = listing(world["org_a"], title="印染废水深度处理技术", keywords="印染,废水,脱色")
    a2 = listing(world["org_a"], title="高强纤维染色工艺", keywords="纤维,染色", field="new_materials")
    b1 = listing(
        world["org_b"], title="数控机床精度补偿", keywords="数控,机床", field="advanced_manufacturing"
    )
    inst = world["institution"]
    s1 = listing(
        inst.organization, ListingKind.ACHIEVEMENT, "印染废水高级氧化处理", keywords="印染,废水,氧化"
    )
    s2 = listing(
        inst.organization,
        ListingKind.ACHIEVEMENT,
        "碳纤维复合材料",
        keywords="纤维,复合材料",
        field="new_materials",
    )
    register(event, world["ent_a"], [a1, a2])
    register(event, world["ent_b"], [b1])
    register(event, inst, [s1, s2])
    return event, {"a1": a1, "a2": a2, "b1": b1, "s1": s1, "s2": s2}
