"""Two claims at once (PostgreSQL): the organization's row lock makes them assessed one after the other, so the
yearly cap holds, and one patent claimed by two organizations' users at once ends in one holding claim.

Run locally: DATABASE_URL=postgres://… .venv/bin/pytest tests/patents/test_subsidy_concurrency.py
"""

import threading
from decimal import Decimal

import pytest
from django.db import connections

from kechuang.core.errors import DomainError
from kechuang.patents import subsidy_services as services
from kechuang.patents.models import SubsidyClaim, SubsidyItem

from ..conftest import build_world
from .ipfinance_helpers import make_patent, make_policy

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def _together(works):
    barrier = threading.Barrier(len(works))
    outcomes = [None] * len(works)

    def run(i):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = ("ok", works[i]())
        except DomainError as exc:
            outcomes[i] = ("refused", exc.message)
        except Exception as exc:  # noqa: BLE001  reported by the test
            outcomes[i] = ("error", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_concurrent_claims_stay_within_the_cap_and_hold_a_patent_once():
    world = build_world()
    policy = make_policy(cap="15000")
    first, second = make_patent(world["org_a"]), make_patent(world["org_a"])

    def claim(patent):
        return lambda: (
            services.claim_submit(
                policy=policy, organization=world["org_a"], patent_ids=[patent.pk], by=world["ent_a"]
            ).amount_claimed
        )

    outcomes = _together([claim(first), claim(second), claim(first)])
    assert not [o for o in outcomes if o[0] == "error"], outcomes
    assert sorted(v for kind, v in outcomes if kind == "ok") == [Decimal("5000.00"), Decimal("10000.00")]
    assert sum(c.amount_claimed for c in SubsidyClaim.objects.all()) == Decimal("15000.00")
    assert SubsidyItem.objects.filter(patent=first, holds=True).count() == 1
