"""The 科技信箱 demo: about 300 letters, mostly answered in time, some open past their deadline; written once."""

from datetime import date

import pytest

from kechuang.inquiries import demo
from kechuang.inquiries.figures import report_figures
from kechuang.inquiries.models import Inquiry, InquiryMessage

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 2)


def test_seed_writes_once_and_looks_plausible(world):
    result = demo.seed(today=TODAY, log=lambda _: None)
    assert 290 <= result.letters <= 320 and result.messages >= result.letters * 0.8
    assert demo.seed(today=TODAY, log=lambda _: None).skipped and Inquiry.objects.count() == result.letters
    assert Inquiry.objects.filter(state__in=("received", "assigned"), due_on__lt=TODAY).exists()
    assert Inquiry.objects.filter(answered_in_time=False).exists()
    assert Inquiry.objects.exclude(region_id="330600").exists()
    assert InquiryMessage.objects.filter(author="asker").exists()
    received, in_time, satisfied, _ = report_figures("330600", 2025)
    assert received.value == demo.PER_YEAR[2025]
    assert 80 <= in_time.value < 100 and satisfied.value > 60
