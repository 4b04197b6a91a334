import pytest
from django.db import transaction
from django.utils import timezone

from kechuang.core.jobs import enqueue
from kechuang.core.models import Notification
from kechuang.projects.services import application_recommend, application_submit

from ..factories import make_call
from .test_applications import _ready

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.jobs]


def test_applicant_and_next_holder_are_notified_at_each_step():
    from ..conftest import build_world

    world = build_world()
    application = _ready(world, make_call())
    submitted = application_submit(application=application, by=world["ent_a"], started_at=timezone.now())
    with transaction.atomic():
        handle = enqueue("projects.notify_transition", application_id=submitted.pk, version=submitted.version)
    handle.wait(60)
    subjects = sorted(Notification.objects.values_list("recipient__username", "subject"))
    assert subjects == sorted(
        [
            (world["ent_a"].username, "申报书状态更新：已提交，待属地推荐"),
            (world["kq_officer"].username, f"待办：{submitted.title}（已提交，待属地推荐）"),
        ]
    )
    recommended = application_recommend(application=submitted, by=world["kq_officer"], recommend=True)
    with transaction.atomic():
        handle = enqueue(
            "projects.notify_transition", application_id=recommended.pk, version=recommended.version
        )
    handle.wait(60)
    latest = set(
        Notification.objects.filter(subject__contains="已推荐").values_list("recipient__username", flat=True)
    )
    assert latest == {world["ent_a"].username, world["staff"].username}
