"""The demo city's 2019 work summary states the figures 绍兴 published (demo-calibration.md), computed from the
demo's records: the enterprise, market and voucher demos seeded on the tiny registry, as their own tests do."""

from io import BytesIO

import pytest
from docx import Document

from kechuang.accounts.enums import Role
from kechuang.cockpit import report_services as services
from kechuang.demo import generator
from kechuang.enterprises import demo as enterprise_demo
from kechuang.market import demo as market_demo
from kechuang.vouchers import demo as voucher_demo

from ..enterprises.test_demo import create_population
from ..factories import region


@pytest.mark.django_db
def test_the_demo_citys_2019_report_states_the_published_figures(make_user):
    quiet = lambda _message: None  # noqa: E731
    generator.load("tiny", log=quiet)
    create_population()
    enterprise_demo.seed(log=quiet)
    market_demo.seed(today=market_demo.PRESENT_DAY, log=quiet)
    voucher_demo.seed(today=voucher_demo.PRESENT_DAY, log=quiet)
    staff = make_user(Role.BUREAU_STAFF, region_code="330600")

    report = services.report_generate(region=region("330600"), year=2019, by=staff)

    with report.document.open("rb") as handle:
        text = "\n".join(p.text for p in Document(BytesIO(handle.read())).paragraphs)
    assert "全年新认定高新技术企业416家，净增379家，总数达1346家；新增省科技型中小企业1202家" in text
    assert "技术交易额56亿元" in text
    assert "发放创新券4686万元，使用1866万元" in text
