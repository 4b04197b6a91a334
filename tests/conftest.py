import os

import pytest

from kechuang.regions.selectors import clear_region_cache

from .factories import OrganizationFactory, UserFactory, region


def pytest_runtest_setup(item):
    """Tests marked `postgresql` need what SQLite lacks (row locks, triggers): the PostgreSQL pass runs them."""
    if item.get_closest_marker("postgresql"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip(
                f"needs PostgreSQL, this run uses {connection.vendor}: runs in the PostgreSQL pass of CI"
            )


@pytest.fixture(autouse=True)
def _regions(request):
    """Regions come from a data migration; transactional tests flush them, so reload when missing."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(names & {"transactional_db", "live_server"}) or bool(
        marker and marker.kwargs.get("transaction")
    )
    if not (marker or names & {"db", "transactional_db", "live_server"}):
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from kechuang.regions.loader import load_regions
    from kechuang.regions.models import Region

    if not Region.objects.exists():
        load_regions(Region)
    clear_region_cache()
    yield
    clear_region_cache()


@pytest.fixture(autouse=True)
def _embeddings_off_unless_asked(request, monkeypatch):
    """The market's embedding model takes a fifth of a second per text: tests match on words only, except the
    ones marked `embeddings` that test the model itself."""
    if not request.node.get_closest_marker("embeddings"):
        monkeypatch.setenv("KECHUANG_MARKET_EMBEDDINGS", "off")


@pytest.fixture(autouse=True)
def _search_index_per_test(request, settings, tmp_path):
    """The market's search index lives in the process: every test starts from its own database's listings, in
    a directory of its own, and looks at the database again only when it asks (so that what a test checks is
    what it changed, not the clock). A live-server test looks at every search, as another process does within
    a second: its changes may be applied by a Celery worker, whose index is not this process's."""
    from kechuang.market import search

    settings.KECHUANG_SEARCH_DIR = str(tmp_path / "search")
    settings.KECHUANG_SEARCH_REFRESH_SECONDS = 0 if "live_server" in request.fixturenames else 3600
    settings.KECHUANG_SEARCH_PERSIST_MIN_DOCS = 10**9
    search.reset()
    yield
    search.reset()


@pytest.fixture(autouse=True)
def _no_job_left_running():
    """Jobs a test enqueued (in process or on a Celery worker) finish before its database is flushed and the
    next test starts, so none writes into another test's database or blocks the flush."""
    from kechuang.core.jobs import drain

    drain()
    yield
    drain()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _make_user(role, *, region_code=None, organization=None, **extra):
    return UserFactory(
        role=role,
        region=region(region_code) if region_code else (organization.region if organization else None),
        organization=organization,
        **extra,
    )


@pytest.fixture
def make_user(db):
    return _make_user


def build_world():
    """Two enterprises in two counties, and users of every kind around them."""
    from kechuang.accounts.enums import Role

    ent_a = OrganizationFactory(name="柯桥甲纺织有限公司", region=region("330603L01"))
    ent_b = OrganizationFactory(name="诸暨乙机械有限公司", region=region("330681L01"))
    users = {
        "admin": _make_user(Role.BUREAU_ADMIN, region_code="330600", department="office"),
        "staff": _make_user(Role.BUREAU_STAFF, region_code="330600", department="high_tech"),
        "leader": _make_user(Role.BUREAU_LEADER, region_code="330600"),
        "kq_staff": _make_user(Role.BUREAU_STAFF, region_code="330603", department="high_tech"),
        "kq_officer": _make_user(Role.OFFICER, region_code="330603L01"),
        "zj_officer": _make_user(Role.OFFICER, region_code="330681"),
        "ent_a": _make_user(Role.ENTERPRISE, organization=ent_a, is_org_admin=True),
        "ent_b": _make_user(Role.ENTERPRISE, organization=ent_b, is_org_admin=True),
        "institution": _make_user(
            Role.INSTITUTION,
            organization=OrganizationFactory(
                kind="institution", name="绍兴测试研究院", region=region("330602L01")
            ),
            is_org_admin=True,
        ),
        "provider": _make_user(
            Role.PROVIDER,
            organization=OrganizationFactory(
                kind="provider", name="绍兴测试检测中心", region=region("330602L02")
            ),
            is_org_admin=True,
        ),
        "expert": _make_user(Role.EXPERT, region_code="330600"),
        "broker": _make_user(Role.BROKER, region_code="330600"),
    }
    return {"org_a": ent_a, "org_b": ent_b, **users}


@pytest.fixture
def world(db):
    return build_world()


def pytest_report_header(config):
    from django.conf import settings

    return (
        f"kechuang: database={settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} "
        f"jobs={os.environ.get('KECHUANG_JOBS', 'inprocess')}"
    )
