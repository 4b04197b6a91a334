"""The background-job interface, run through whichever backend this test run is configured with.

Under `.ci/run`'s production pass KECHUANG_JOBS=celery: the job goes through Redis to a real Celery
worker process that uses this test database; in the embedded pass it runs on the in-process thread.
"""

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction

from kechuang.accounts.enums import Role
from kechuang.core.jobs import backend_name, enqueue
from kechuang.core.models import Notification
from kechuang.organizations.enums import VerificationStatus

from ..factories import OrganizationFactory, UserFactory, region

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.jobs]


def _staff():
    city = UserFactory(role=Role.BUREAU_STAFF, region=region("330600"), email="city@test.local")
    county = UserFactory(role=Role.BUREAU_STAFF, region=region("330603"), email="county@test.local")
    other = UserFactory(role=Role.BUREAU_STAFF, region=region("330681"), email="zhuji@test.local")
    return city, county, other


def test_jobs_run_where_the_configured_backend_runs_them():
    import os

    with transaction.atomic():
        handle = enqueue("core.ping")
    where = handle.wait(60)
    if settings.KECHUANG_JOBS == "celery":
        assert where["pid"] != os.getpid()  # a Celery worker process, reached through Redis
    else:
        assert (where["pid"], where["thread"].startswith("kechuang-job")) == (os.getpid(), True)


def test_registration_notice_reaches_the_staff_of_the_region_once():
    city, county, other = _staff()
    org = OrganizationFactory(
        status=VerificationStatus.PENDING, region=region("330603L05"), name="待核验甲公司"
    )
    with transaction.atomic():
        handle = enqueue("organizations.notify_registered", organization_id=org.pk)
    assert handle.wait(60) == 2
    received = sorted(Notification.objects.values_list("recipient__username", "subject"))
    assert received == sorted(
        [(city.username, "新单位待核验：待核验甲公司"), (county.username, "新单位待核验：待核验甲公司")]
    )
    if backend_name() == "inprocess":
        assert sorted(m.to[0] for m in mail.outbox) == ["city@test.local", "county@test.local"]
    # Jobs may run twice (retries): the second run adds nothing.
    with transaction.atomic():
        again = enqueue("organizations.notify_registered", organization_id=org.pk)
    assert again.wait(60) == 0
    assert Notification.objects.count() == 2
    assert not Notification.objects.filter(recipient=other).exists()


def test_job_does_not_run_when_the_transaction_rolls_back():
    city, _, _ = _staff()
    org = OrganizationFactory(status=VerificationStatus.PENDING, region=region("330603L05"))
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            handle = enqueue("organizations.notify_registered", organization_id=org.pk)
            raise RuntimeError("rolled back")
    with pytest.raises(TimeoutError):
        handle.wait(1)
    assert Notification.objects.count() == 0


def test_daily_pending_digest_counts_only_the_users_region():
    city, county, other = _staff()
    OrganizationFactory(status=VerificationStatus.PENDING, region=region("330603L05"))
    OrganizationFactory(status=VerificationStatus.PENDING, region=region("330602L01"))
    with transaction.atomic():
        handle = enqueue("organizations.pending_digest")
    assert handle.wait(60) == 2
    subjects = dict(Notification.objects.values_list("recipient__username", "subject"))
    assert subjects == {city.username: "有 2 家单位待核验", county.username: "有 1 家单位待核验"}


def test_unknown_job_is_refused_at_once():
    with pytest.raises(LookupError):
        enqueue("no.such.job")
