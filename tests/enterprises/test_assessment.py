"""The 高企 / 科小 / 加计扣除 rule engine (kechuang.enterprises.assessment): pure Python, no database.

Rules under test (docs rules.md): §1 高新技术企业认定 — 国科发火〔2016〕32号 第十一条 and 工作指引 国科发火〔2016〕195号
三; §2 科技型中小企业评价 — 国科发政〔2017〕115号 第六条～第九条; §3 研发费用加计扣除 — 财税〔2015〕119号,
国家税务总局公告2021年第28号, 财政部 税务总局公告2023年第7号 and 2023年第44号. Every worked example of rules.md
§1.6, §2.7, §3.5 and §3.6 is a test here, with the boundaries the rules state. Amounts are written in 万元 with W().
"""

import copy
import json
import pickle
from dataclasses import fields, replace
from datetime import date
from decimal import Decimal

import pytest

from kechuang.enterprises.assessment import (
    HNTE_RULESETS,
    SD_RULESETS,
    TSME_RULESETS,
    EnterpriseFacts,
    Ruleset,
    RulesetNotFound,
    YearData,
    annual_average,
    assess_hnte,
    assess_tsme,
    growth_rate,
    hnte_rd_expense,
    negative_list_excluded,
    negative_list_industry,
    ruleset_for,
    super_deduction,
)


def W(amount) -> Decimal:
    """万元 → 元."""
    return Decimal(str(amount)) * 10000


ON = date(2025, 6, 1)  # application in 2025: 最近一年 = 2024, 近三个会计年度 = 2022–2024
FACTS = EnterpriseFacts(founded_on=date(2015, 3, 1), tech_field="new_materials", industry="C")


def hnte_years(
    revenues=(3000, 3600, 4860),
    rd=(180, 216, 291.6),
    *,
    start=2022,
    net_assets=(1000, 1200, 1500),
    achievements=(4, 4, 4),
    **latest,
) -> list[YearData]:
    """Fiscal years of an enterprise meeting every 高企 data condition; `latest` overrides the last year."""
    out = []
    for i, (revenue, expense) in enumerate(zip(revenues, rd, strict=True)):
        fields = dict(
            year=start + i,
            total_income=W(revenue),
            main_revenue=W(revenue),
            hitech_revenue=W(revenue) * Decimal("0.7"),
            hnte_rd_personnel=W(expense),
            staff_total=Decimal(100),
            st_staff=Decimal(15),
            net_assets=W(net_assets[i]),
            total_assets=W(net_assets[i] * 2),
            ip_invention=1,
            ip_utility_model=6,
            achievements_transformed=achievements[i],
        )
        if i == len(revenues) - 1:
            fields.update(latest)
        out.append(YearData(**fields))
    return out


def check(assessment, code):
    (found,) = [c for c in assessment.checks if c.code == code]
    return found


def part(assessment, code):
    for p in assessment.score.parts:
        if p.code == code:
            return p
        for item in p.items:
            if item.code == code:
                return item
    raise KeyError(code)


# ---------------------------------------------------------------------------------------------
# 高企 条件（五）研发费用占比 — rules.md §1.6 A and the band boundaries


def test_example_a_rd_ratio_4_92_percent_fails_the_5_percent_band():
    """§1.6 A; 32号 第十一条（五）: latest revenue 5000万 is "5,000万元（含）以下" → 5%; 590/12000 = 4.92%."""
    a = assess_hnte(FACTS, hnte_years((3000, 4000, 5000), (150, 190, 250)), on=ON)
    c = check(a, "hnte.rd_ratio")
    assert c.passed is False
    assert c.figure == "4.92%"
    assert c.threshold == "≥5%（最近一年销售收入5000万元（含）以下）"
    assert c.message == "研发费用占比4.92%，低于销售收入5000万元（含）以下企业5%的要求，还差约10.00万元"
    assert c.rule == "国科发火〔2016〕32号 第十一条（五）；工作指引（国科发火〔2016〕195号） 三（五）"


def test_example_a_latest_revenue_5001_uses_the_4_percent_band():
    """§1.6 A; 32号 第十一条（五）: latest revenue 5001万 → 4%; 600/13501 = 4.44% → met."""
    a = assess_hnte(FACTS, hnte_years((4000, 4500, 5001), (200, 200, 200)), on=ON)
    c = check(a, "hnte.rd_ratio")
    assert c.passed is True
    assert c.figure == "4.44%"
    assert c.threshold == "≥4%（最近一年销售收入5000万元至2亿元（含））"
    assert c.message == (
        "近三个会计年度（2022–2024年）研发费用合计600.00万元，占同期销售收入13,501.00万元的4.44%，"
        "达到销售收入5000万至2亿元企业4%的要求"
    )


def test_rd_shortfall_message_states_the_missing_amount():
    """32号 第十一条（五）: 320/10000 = 3.20% against 4% → 0.04 × 10000万 − 320万 = 80.00万元 short."""
    a = assess_hnte(FACTS, hnte_years((2000, 2000, 6000), (100, 100, 120)), on=ON)
    c = check(a, "hnte.rd_ratio")
    assert c.passed is False
    assert c.message == "研发费用占比3.20%，低于销售收入5000万至2亿元企业4%的要求，还差约80.00万元"
    assert c.gap == "近三个会计年度（2022–2024年）研发费用（高企口径）还差约80.00万元"
    assert a.eligible is False
    assert a.missing == [
        "近三个会计年度（2022–2024年）研发费用（高企口径）还差约80.00万元",
        "创新能力评价待专家评分（预估41–90分，须超过70分）",
    ]


def test_rd_ratio_exactly_at_the_threshold_passes():
    """32号 第十一条（五） "不低于": 573/11460 = exactly 5% → met; 100 yuan less → not met, short 0.01万元."""
    a = assess_hnte(FACTS, hnte_years((3000, 3600, 4860), (150, 180, 243)), on=ON)
    assert check(a, "hnte.rd_ratio").passed is True
    assert check(a, "hnte.rd_ratio").figure == "5.00%"
    a = assess_hnte(FACTS, hnte_years((3000, 3600, 4860), (150, 180, 242.99)), on=ON)
    c = check(a, "hnte.rd_ratio")
    assert c.passed is False
    assert c.message == "研发费用占比5.00%，低于销售收入5000万元（含）以下企业5%的要求，还差约0.01万元"


@pytest.mark.parametrize(
    ("latest_revenue", "threshold"),
    [
        (W(5000), "≥5%（最近一年销售收入5000万元（含）以下）"),
        (W(5000) + Decimal("0.01"), "≥4%（最近一年销售收入5000万元至2亿元（含））"),
        (W(20000), "≥4%（最近一年销售收入5000万元至2亿元（含））"),
        (W(20000) + Decimal("0.01"), "≥3%（最近一年销售收入2亿元以上）"),
    ],
)
def test_rd_threshold_band_by_latest_revenue(latest_revenue, threshold):
    """32号 第十一条（五）: ≤5000万 → 5%, 5000万–2亿（含） → 4%, >2亿 → 3%; 销售收入 = 主营 + 其他业务收入."""
    years = hnte_years(
        (3000, 3600, 1), (180, 216, 1), main_revenue=latest_revenue - W(100), other_revenue=W(100)
    )
    assert check(assess_hnte(FACTS, years, on=ON), "hnte.rd_ratio").threshold == threshold


def test_rd_ratio_uses_the_years_of_operation_when_under_three():
    """工作指引 三（五） 实际经营期不满三年的按实际经营时间计算: founded 2023 → 2023–2024 only."""
    facts = EnterpriseFacts(founded_on=date(2023, 5, 1), tech_field="new_materials", industry="C")
    years = hnte_years((9999, 1000, 1300), (0, 50, 80))  # 2022 is before founding and is ignored
    a = assess_hnte(facts, years, on=ON)
    assert a.years == [2023, 2024]
    c = check(a, "hnte.rd_ratio")
    assert c.passed is True
    assert c.message == (
        "实际经营的2个会计年度（2023–2024年）研发费用合计130.00万元，占同期销售收入2,300.00万元的5.65%，"
        "达到销售收入5000万元（含）以下企业5%的要求"
    )


def test_rd_ratio_missing_year_cannot_be_judged():
    """32号 第十一条（五）: without 2023's figures the three-year ratio is undecided (None), and says what to add."""
    years = [y for y in hnte_years() if y.year != 2023]
    c = check(assess_hnte(FACTS, years, on=ON), "hnte.rd_ratio")
    assert c.passed is None
    assert c.gap == "补充2023年的销售收入和研发费用（高企口径）"


# ---------------------------------------------------------------------------------------------
# 高企口径研发费用 — rules.md §1.6 B; 境内研发费用占比


def test_example_b_commissioned_80_percent_and_other_cost_cap():
    """§1.6 B; 工作指引 三（五）: 委托 counts 80%; 其他费用 ≤ 400 × 20% ÷ (1 − 20%) = 100 → R&D 500."""
    y = YearData(
        year=2024, hnte_rd_personnel=W(360), hnte_rd_commissioned_domestic=W(50), hnte_rd_other=W(120)
    )
    rd = hnte_rd_expense(y)
    assert rd.commissioned_domestic == W(40)
    assert rd.before_other == W(400)
    assert rd.other_cap == W(100)
    assert rd.other_allowed == W(100)
    assert rd.total == W(500)
    assert rd.domestic == W(500)


def test_other_cost_below_the_cap_counts_in_full():
    """工作指引 三（五）: 其他费用 under 20% of the total is counted as incurred."""
    rd = hnte_rd_expense(YearData(year=2024, hnte_rd_personnel=W(400), hnte_rd_other=W(99)))
    assert rd.other_allowed == W(99)
    assert rd.total == W(499)


def test_foreign_commissioned_rd_is_not_domestic():
    """工作指引 三（五）: 委托境外 counts 80% in the total but not in 境内研发费用."""
    rd = hnte_rd_expense(YearData(year=2024, hnte_rd_personnel=W(360), hnte_rd_commissioned_foreign=W(300)))
    assert rd.commissioned_foreign == W(240)
    assert rd.total == W(600)
    assert rd.domestic == W(360)


def test_domestic_share_exactly_60_percent_passes():
    """32号 第十一条（五） 境内研发费用 ≥ 60%: 360 / (360 + 300 × 80%) = 60% exactly → met."""
    years = [replace(y, hnte_rd_personnel=W(360), hnte_rd_commissioned_foreign=W(300)) for y in hnte_years()]
    c = check(assess_hnte(FACTS, years, on=ON), "hnte.rd_domestic")
    assert c.passed is True
    assert c.figure == "60.00%"


def test_domestic_share_below_60_percent_states_the_shortfall():
    """32号 第十一条（五）: 350/590 = 59.32% per year; 0.6 × 1770 − 1050 = 12万 short over three years."""
    years = [replace(y, hnte_rd_personnel=W(350), hnte_rd_commissioned_foreign=W(300)) for y in hnte_years()]
    c = check(assess_hnte(FACTS, years, on=ON), "hnte.rd_domestic")
    assert c.passed is False
    assert c.message == "境内研发费用占比59.32%，低于60%的要求，还差约12.00万元"


# ---------------------------------------------------------------------------------------------
# 高企 条件（一）（二）（三）（四）（六）（八）


def test_registered_exactly_365_days_before_passes():
    """32号 第十一条（一）; 工作指引 三（一）: 注册成立一年以上 = ≥365 days (2024-06-01 → 2025-06-01 = 365)."""
    facts = EnterpriseFacts(founded_on=date(2024, 6, 1), tech_field="new_materials", industry="C")
    c = check(assess_hnte(facts, hnte_years(), on=ON), "hnte.registration")
    assert c.passed is True
    assert c.figure == "365天"


def test_registered_364_days_before_fails_and_names_the_earliest_date():
    """32号 第十一条（一）: 364 days → not yet one year; the earliest application date is 365 days on."""
    facts = EnterpriseFacts(founded_on=date(2024, 6, 2), tech_field="new_materials", industry="C")
    c = check(assess_hnte(facts, hnte_years(), on=ON), "hnte.registration")
    assert c.passed is False
    assert c.message == "2024年6月2日注册成立，至申请日仅364天，不满一年，还差1天（最早可于2025年6月2日申请）"


def test_unknown_founding_date_cannot_be_judged():
    """32号 第十一条（一）: no founding date → None, and the gap asks for it."""
    facts = EnterpriseFacts(founded_on=None, tech_field="new_materials", industry="C")
    c = check(assess_hnte(facts, hnte_years(), on=ON), "hnte.registration")
    assert (c.passed, c.gap) == (None, "补充注册成立日期")


def test_class2_ip_used_in_an_earlier_application_does_not_count():
    """32号 第十一条（二）; 工作指引 三（二）: a Ⅱ类 IP may be used for one 高企 application only."""
    years = hnte_years(ip_invention=0, ip_utility_model=3, ip_class2_used_before=3)
    c = check(assess_hnte(FACTS, years, on=ON), "hnte.ip")
    assert c.passed is False
    assert c.figure == "Ⅰ类0项，可用Ⅱ类0项"
    assert c.message == (
        "没有Ⅰ类知识产权，Ⅱ类知识产权3项均已用于以往的高企认定（每项只能使用一次）；不具备知识产权的企业不能认定"
    )


def test_one_unused_class2_ip_is_enough():
    """32号 第十一条（二）: one Ⅱ类 IP not used before meets the condition."""
    years = hnte_years(ip_invention=0, ip_utility_model=3, ip_class2_used_before=2)
    assert check(assess_hnte(FACTS, years, on=ON), "hnte.ip").passed is True


@pytest.mark.parametrize(
    ("field", "passed", "figure"),
    [
        ("aerospace", True, "航空航天"),
        ("advanced_manufacturing", True, "先进制造与自动化"),
        ("tea", False, "tea"),
        ("", None, "未填"),
    ],
)
def test_tech_field_must_be_one_of_the_eight(field, passed, figure):
    """32号 第十一条（三）: the core technology belongs to one of the 8 《国家重点支持的高新技术领域》."""
    facts = EnterpriseFacts(founded_on=date(2015, 3, 1), tech_field=field, industry="C")
    c = check(assess_hnte(facts, hnte_years(), on=ON), "hnte.tech_field")
    assert (c.passed, c.figure) == (passed, figure)


def test_example_c_staff_ratio_exactly_10_percent_from_monthly_figures():
    """§1.6 C; 32号 第十一条（四）; 工作指引 三（四） 统计方法: (19 + 20×10 + 21) ÷ 12 = 20; 20/200 = 10% → met."""
    staff = annual_average([(Decimal(200), Decimal(200))] * 12)
    st = annual_average(
        [(Decimal(18), Decimal(20))] + [(Decimal(20), Decimal(20))] * 10 + [(Decimal(20), Decimal(22))]
    )
    assert (staff, st) == (Decimal(200), Decimal(20))
    c = check(assess_hnte(FACTS, hnte_years(staff_total=staff, st_staff=st), on=ON), "hnte.st_staff")
    assert c.passed is True
    assert c.figure == "10.00%"
    assert c.message == "2024年科技人员20人，占职工总数200人的10.00%，不低于10%"


def test_staff_ratio_below_10_percent_rounds_the_missing_people_up():
    """32号 第十一条（四）: 19.5/200 = 9.75% → 0.5 more 科技人员 needed → 1人."""
    years = hnte_years(staff_total=Decimal(200), st_staff=Decimal("19.5"))
    c = check(assess_hnte(FACTS, years, on=ON), "hnte.st_staff")
    assert c.passed is False
    assert c.message == "2024年科技人员19.5人，占职工总数200人的9.75%，低于10%的要求，还差1人"
    assert c.gap == "科技人员还差1人"


def test_example_d_hitech_income_exactly_60_percent_of_total_income():
    """§1.6 D; 32号 第十一条（六）: 总收入 = 10000 − 500 = 9500; 5700/9500 = 60% → met (÷收入总额 would be 57%)."""
    years = hnte_years(total_income=W(10000), non_taxable_income=W(500), hitech_revenue=W(5700))
    c = check(assess_hnte(FACTS, years, on=ON), "hnte.hitech_income")
    assert c.passed is True
    assert c.figure == "60.00%"


def test_hitech_income_below_60_percent_states_the_shortfall():
    """32号 第十一条（六）: 5690/9500 = 59.89% → 0.6 × 9500 − 5690 = 10万 short."""
    years = hnte_years(total_income=W(10000), non_taxable_income=W(500), hitech_revenue=W(5690))
    c = check(assess_hnte(FACTS, years, on=ON), "hnte.hitech_income")
    assert c.passed is False
    assert c.message == (
        "2024年高新技术产品（服务）收入5,690.00万元，占总收入（收入总额−不征税收入）9,500.00万元的59.89%，"
        "低于60%的要求，还差约10.00万元"
    )


def test_major_incident_in_the_latest_year_fails():
    """32号 第十一条（八）: 重大安全、重大质量事故或严重环境违法 in the year before applying → not eligible."""
    a = assess_hnte(FACTS, hnte_years(has_major_incident=True), on=ON)
    assert check(a, "hnte.no_incident").passed is False
    assert a.eligible is False


def test_non_resident_enterprise_fails():
    """32号 第二条: only 居民企业 registered in China (excluding 港澳台)."""
    facts = EnterpriseFacts(
        founded_on=date(2015, 3, 1), tech_field="new_materials", industry="C", is_resident_in_mainland=False
    )
    assert check(assess_hnte(facts, hnte_years(), on=ON), "hnte.resident").passed is False


# ---------------------------------------------------------------------------------------------
# 高企 条件（七）创新能力评价 — 工作指引 三（七）


def test_expert_score_exactly_70_fails():
    """工作指引 三（七）: "70分以上（不含70分）" → 70 fails."""
    c = check(assess_hnte(FACTS, hnte_years(), on=ON, expert_score=Decimal(70)), "hnte.innovation")
    assert c.passed is False
    assert c.message == "专家组综合评分70分，未超过70分（须70分以上，不含70分）"


def test_expert_score_70_5_passes():
    """工作指引 二（四）、三（七）: the group score is the experts' average and may be fractional; 70.5 > 70."""
    a = assess_hnte(FACTS, hnte_years(), on=ON, expert_score=Decimal("70.5"))
    c = check(a, "hnte.innovation")
    assert c.passed is True
    assert c.figure == "70.5分"
    assert a.eligible is True
    assert a.missing == []
    assert a.estimate == Decimal("70.5")


def test_score_range_decides_nothing_while_experts_have_to_score():
    """工作指引 三（七）: without the expert score the range 39–88 straddles 70 → None, naming the deciding parts."""
    a = assess_hnte(FACTS, hnte_years(), on=ON)
    c = check(a, "hnte.innovation")
    assert c.passed is None
    assert c.figure == "预估39–88分"
    assert c.message == (
        "预估39–88分（知识产权8–30分、科技成果转化能力19–24分、研究开发组织管理水平0–20分、企业成长性12–14分），"
        "能否超过70分取决于专家对知识产权、科技成果转化能力、研究开发组织管理水平、企业成长性的评分"
    )
    assert (a.score.low, a.score.high, a.score.estimate) == (39, 88, Decimal("63.5"))
    assert a.eligible is None


def test_score_range_with_a_maximum_of_exactly_70_fails():
    """工作指引 三（七）: IP ≤30 + 成果转化 0 (none) + 组织管理 ≤20 + 成长性 ≤20 = at most 70, not above 70 → fails."""
    years = hnte_years(
        (1000, 1350, 1822.5), (60, 81, 109.35), net_assets=(1000, 1350, 1822.5), achievements=(0, 0, 0)
    )
    a = assess_hnte(FACTS, years, on=ON)
    c = check(a, "hnte.innovation")
    assert (a.score.low, a.score.high) == (26, 70)
    assert c.passed is False
    assert c.message == (
        "各项按最高分计也只有70分，未超过70分（知识产权8–30分、科技成果转化能力0分、研究开发组织管理水平0–20分、"
        "企业成长性18–20分）"
    )
    assert c.gap == "创新能力评价最高70分，未超过70分；失分在：科技成果转化能力最高0分（满分30分）"


@pytest.mark.parametrize(
    ("class1", "class2", "used", "band", "low", "high"),
    [
        (1, 0, 0, "A", 7, 8),
        (0, 5, 0, "B", 5, 6),
        (0, 4, 0, "C", 3, 4),
        (0, 3, 0, "C", 3, 4),
        (0, 2, 0, "D", 1, 2),
        (0, 1, 0, "D", 1, 2),
        (0, 6, 2, "C", 3, 4),
        (0, 0, 0, "E", 0, 0),
    ],
)
def test_ip_quantity_band(class1, class2, used, band, low, high):
    """工作指引 三（七）1（3）: ≥1 Ⅰ类 A 7–8; ≥5 Ⅱ类 B 5–6; 3–4 C 3–4; 1–2 D 1–2; 0 E 0 (used Ⅱ类 excluded)."""
    years = hnte_years(ip_invention=class1, ip_utility_model=class2, ip_class2_used_before=used)
    item = part(assess_hnte(FACTS, years, on=ON), "hnte.ip.quantity")
    assert (item.band, item.low, item.high) == (band, low, high)


def test_ip_part_cannot_exceed_30_with_the_bonus():
    """工作指引 三（七）1: items (1)–(5) sum to 32 at most, but 知识产权 is capped at 30."""
    facts = EnterpriseFacts(
        founded_on=date(2015, 3, 1), tech_field="new_materials", industry="C", led_standard=True
    )
    ip = part(assess_hnte(facts, hnte_years(), on=ON), "hnte.ip")
    assert (ip.low, ip.high) == (9, 30)
    assert part(assess_hnte(facts, hnte_years(), on=ON), "hnte.ip.bonus").low == 1


def test_achievement_average_over_three_years():
    """工作指引 三（七）2: 5 + 5 + 4 = 14 in 3 years → 4.67 a year → B (≥4项) 19–24."""
    item = part(assess_hnte(FACTS, hnte_years(achievements=(5, 5, 4)), on=ON), "hnte.achievement")
    assert (item.band, item.low, item.high) == ("B", 19, 24)
    assert item.basis == "3年内科技成果转化14项，年均4.67项 → B档（19–24分），专家在档内打分"


def test_achievement_average_divides_by_the_years_in_operation():
    """工作指引 三（七）2 with 实际经营不满三年: 3 + 4 in two years → 3.5 a year → C (≥3项) 13–18."""
    facts = EnterpriseFacts(founded_on=date(2023, 5, 1), tech_field="new_materials", industry="C")
    item = part(assess_hnte(facts, hnte_years(achievements=(9, 3, 4)), on=ON), "hnte.achievement")
    assert (item.band, item.low, item.high) == ("C", 13, 18)


# ---------------------------------------------------------------------------------------------
# 企业成长性 — rules.md §1.6 E; 工作指引 三（七）4


def growth(net, sales, facts=FACTS):
    a = assess_hnte(facts, hnte_years(sales, (1, 1, 1)[: len(sales)], net_assets=net), on=ON)
    return part(a, "hnte.growth.net_assets"), part(a, "hnte.growth.sales"), a


def test_example_e_growth_22_5_and_27_5_percent():
    """§1.6 E: 净资产 1000/1200/1500 → 22.5% C (5–6); 销售收入 3000/3600/4860 → 27.5% B (7–8); 成长性 12–14."""
    assert growth_rate([W(1000), W(1200), W(1500)])[0] == Decimal("0.225")
    assert growth_rate([W(3000), W(3600), W(4860)])[0] == Decimal("0.275")
    net, sales, a = growth((1000, 1200, 1500), (3000, 3600, 4860))
    assert (net.band, net.low, net.high) == ("C", 5, 6)
    assert (sales.band, sales.low, sales.high) == ("B", 7, 8)
    assert net.basis == "净资产增长率22.50%（½×(第二年÷第一年＋第三年÷第二年)−1） → C档（5–6分）"
    whole = part(a, "hnte.growth")
    assert (whole.low, whole.high) == (12, 14)


def test_example_e_first_year_zero_uses_the_latter_two_years():
    """§1.6 E edge: 净资产 0/800/1000 → 第一年为0按后两年计算 → 1000/800 − 1 = 25% → B (7–8)."""
    assert growth_rate([Decimal(0), W(800), W(1000)]) == (Decimal("0.25"), "第一年为0，按后两年计算")
    net, _, _ = growth((0, 800, 1000), (3000, 3600, 4860))
    assert (net.band, net.low, net.high) == ("B", 7, 8)


def test_example_e_second_year_zero_scores_0():
    """§1.6 E edge: 销售收入 500/0/900 → 第二年为0按0分计算."""
    assert growth_rate([W(500), Decimal(0), W(900)]) == (None, "第二年为0，按0分计算")
    _, sales, _ = growth((1000, 1200, 1500), (500, 0, 900))
    assert (sales.band, sales.low, sales.high) == ("F", 0, 0)


def test_example_e_negative_growth_scores_0():
    """§1.6 E edge: 2000/1800/1900 → ½(0.9 + 1.0556) − 1 = −2.22% → 增长率为负按0分."""
    net, _, _ = growth((2000, 1800, 1900), (3000, 3600, 4860))
    assert (net.band, net.low, net.high) == ("F", 0, 0)
    assert net.basis == "净资产增长率-2.22%（½×(第二年÷第一年＋第三年÷第二年)−1） → F档（0分）"


@pytest.mark.parametrize(
    ("values", "band", "low", "high"),
    [
        ((100, 135, 182.25), "A", 9, 10),  # exactly 35%
        ((100, 134, 180), "B", 7, 8),  # ½(1.34 + 1.3433) − 1 = 34.16%
        ((100, 125, 156.25), "B", 7, 8),  # exactly 25%
        ((100, 115, 132.25), "C", 5, 6),  # exactly 15%
        ((100, 105, 110.25), "D", 3, 4),  # exactly 5%: main text ≥5% → D
        ((100, 100, 100.01), "E", 1, 2),  # 0.005% > 0
        ((100, 100, 100), "F", 0, 0),  # 0 is not > 0
    ],
)
def test_growth_band_edges(values, band, low, high):
    """工作指引 三（七）4: ≥35% A 9–10, ≥25% B 7–8, ≥15% C 5–6, ≥5% D 3–4, >0 E 1–2, ≤0 F 0."""
    net, _, _ = growth(values, (3000, 3600, 4860))
    assert (net.band, net.low, net.high) == (band, low, high)


def test_growth_of_exactly_5_percent_is_flagged_for_review():
    """工作指引 三（七）4: main text "≥5%" (D) vs 附件4 "＞5%" (E) → D, flagged for a person."""
    net, sales, a = growth((100, 105, 110.25), (3000, 3600, 4860))
    review = "净资产增长率恰为5%：正文分档为“≥5%”（D档3–4分），附件4《财务专家评价表》为“＞5%”（则为E档1–2分），需人工复核"
    assert net.review == review
    assert sales.review == ""
    assert a.notes == [review]


def test_growth_with_two_years_of_operation():
    """工作指引 三（七）4 实际经营不满三年 (reading of rules.md §1.4): two years → 第二年 ÷ 第一年 − 1."""
    facts = EnterpriseFacts(founded_on=date(2023, 5, 1), tech_field="new_materials", industry="C")
    _, sales, _ = growth((1000, 1000, 1100), (9999, 1000, 1300), facts)
    assert (sales.band, sales.low, sales.high) == ("B", 7, 8)
    assert sales.basis == "销售收入增长率30.00%（实际经营两年，第二年÷第一年−1） → B档（7–8分）"


def test_growth_with_one_year_of_operation_scores_0():
    """工作指引 三（七）4: one year of operation → no rate → 0分."""
    facts = EnterpriseFacts(founded_on=date(2024, 1, 10), tech_field="new_materials", industry="C")
    net, sales, a = growth((1000, 1000, 1100), (9999, 1000, 1300), facts)
    assert a.years == [2024]
    assert (net.low, net.high, sales.low, sales.high) == (0, 0, 0, 0)
    assert sales.basis == "实际经营不足两年，无法计算增长率，按0分计算 → 0分"


# ---------------------------------------------------------------------------------------------
# 高企: the whole assessment


def test_assessment_records_its_ruleset_and_period():
    """rules.md: an assessment names the ruleset in force on its date (hnte-2016 from 2016-01-01)."""
    a = assess_hnte(FACTS, hnte_years(), on=ON)
    assert (a.kind, a.ruleset, a.reference_year, a.years) == ("hnte", "hnte-2016", 2024, [2022, 2023, 2024])
    assert [c.code for c in a.checks] == [
        "hnte.resident",
        "hnte.registration",
        "hnte.ip",
        "hnte.tech_field",
        "hnte.st_staff",
        "hnte.rd_ratio",
        "hnte.rd_domestic",
        "hnte.hitech_income",
        "hnte.innovation",
        "hnte.no_incident",
    ]
    assert (a.failed, a.undetermined) == (0, 1)
    assert json.loads(json.dumps(a.as_dict()))["checks"][5]["figure"] == "6.00%"


def test_no_ruleset_before_2016():
    """rules.md §1.1: the 2008 rules are not implemented; an application dated 2015 has no ruleset."""
    with pytest.raises(RulesetNotFound):
        assess_hnte(FACTS, hnte_years(), on=date(2015, 12, 31))


def test_ruleset_for_picks_the_one_in_force():
    """rules.md: rule sets are versioned by period; old records are judged by the rules of their date."""
    old = Ruleset("x-2016", "old", date(2016, 1, 1), None, valid_to=date(2023, 12, 31))
    new = Ruleset("x-2024", "new", date(2024, 1, 1), None)
    assert ruleset_for([old, new], date(2023, 12, 31)) is old
    assert ruleset_for([old, new], date(2024, 1, 1)) is new
    assert ruleset_for(HNTE_RULESETS, ON).code == "hnte-2016"
    assert ruleset_for(TSME_RULESETS, ON).code == "tsme-2017"
    assert ruleset_for(SD_RULESETS, ON).code == "sd-2023"
    with pytest.raises(RulesetNotFound):
        ruleset_for([old, new], date(2015, 1, 1))


# ---------------------------------------------------------------------------------------------
# 科技型中小企业 — rules.md §2.7 and 115号 boundaries


def tsme_year(staff, st, rd, revenue, *, cost=None, class1=0, class2=0, assets=5000, **kw) -> YearData:
    return YearData(
        year=2024,
        main_revenue=W(revenue),
        cost_total=None if cost is None else W(cost),
        sd_rd_personnel=W(rd),
        staff_total=Decimal(staff),
        st_staff=Decimal(st),
        total_assets=W(assets),
        ip_invention=class1,
        ip_utility_model=class2,
        **kw,
    )


def points(a):
    return [(p.code, p.low) for p in a.score.parts]


def test_example_t_a_scores_84_and_passes():
    """§2.7 T-a; 115号 第七条: 20/80 = 25% → 16; 180/3000 = 6% → 50; 3 Ⅱ类 → 18; 84 ≥ 60 → pass."""
    a = assess_tsme(FACTS, tsme_year(80, 20, 180, 3000, class2=3), on=ON)
    assert points(a) == [("tsme.st", 16), ("tsme.rd", 50), ("tsme.ip", 18)]
    assert a.score.value == Decimal(84)
    c = check(a, "tsme.score")
    assert c.passed is True
    assert c.message == "得分科技人员指标16＋研发投入指标50＋科技成果指标18＝84分，不低于60分"
    assert (a.eligible, a.route, a.ruleset, a.missing) == (True, "score", "tsme-2017", [])


def test_example_t_b_fails_because_the_staff_score_is_0():
    """§2.7 T-b; 115号 第六条（五）: 4/50 = 8% → 科技人员 0分; 80 points but 科技人员指标得分不得为0 → fail."""
    a = assess_tsme(FACTS, tsme_year(50, 4, 180, 3000, class1=1), on=ON)
    assert a.score.value == Decimal(80)
    assert check(a, "tsme.score").passed is True
    c = check(a, "tsme.st_staff")
    assert c.passed is False
    assert c.message == "科技人员占比8.00%，低于10%，科技人员指标得0分（得0分的不符合条件），还差1人"
    assert a.eligible is False
    assert a.missing == ["科技人员还差1人（占比须达到10%）"]


def test_example_t_c_passes_only_with_option_2():
    """§2.7 T-c; 115号 第七条（二）: 350/10000 = 3.5% → 20, 350/1200 = 29.17% → 40; higher used → 12 + 40 + 12 = 64."""
    a = assess_tsme(FACTS, tsme_year(200, 45, 350, 10000, cost=1200, class2=2), on=ON)
    rd = part(a, "tsme.rd")
    assert (rd.low, rd.choice) == (40, "cost")
    assert [(i.code, i.low) for i in rd.items] == [("tsme.rd.sales", 20), ("tsme.rd.cost", 40)]
    assert a.score.value == Decimal(64)
    assert a.eligible is True


def test_example_t_c_with_option_1_only_gives_44_and_fails():
    """§2.7 T-c: without 成本费用支出总额 only option (1) is available: 12 + 20 + 12 = 44 < 60."""
    a = assess_tsme(FACTS, tsme_year(200, 45, 350, 10000, class2=2), on=ON)
    c = check(a, "tsme.score")
    assert a.score.value == Decimal(44)
    assert c.passed is False
    assert c.gap == (
        "综合评分还差16分（科技人员增加5人可使占比达到25%（16分）；研发费用增加约50.00万元可使占销售收入比例达到4%（30分）；"
        "可填报成本费用支出总额，按方式二（研发费用占成本费用支出总额）计分；取得1项Ⅰ类知识产权可得30分）"
    )


def test_example_t_d_fails_scoring_but_a_valid_hnte_certificate_confirms_directly():
    """§2.7 T-d; 115号 第八条（一）: 4 + 0 + 12 = 16 fails, but a valid 高企 certificate confirms without scoring."""
    year = tsme_year(120, 12, 100, 15000, class2=2)
    a = assess_tsme(FACTS, year, on=ON)
    assert a.score.value == Decimal(16)
    assert (a.eligible, a.route) == (False, "score")
    facts = EnterpriseFacts(
        founded_on=date(2015, 3, 1), tech_field="new_materials", industry="C", valid_hnte=True
    )
    a = assess_tsme(facts, year, on=ON)
    assert (a.eligible, a.route, a.missing) == (True, "direct", [])
    assert check(a, "tsme.score").passed is False
    assert check(a, "tsme.score").required is False
    assert check(a, "tsme.direct").message == (
        "拥有有效期内的高新技术企业资格证书（第八条（一））：满足第六条（一）～（四）即可直接确认，不需评分"
    )


def test_direct_confirmation_still_needs_the_size_conditions():
    """115号 第八条: the direct routes need 第六条（一）～（四）; revenue over 2亿 still fails."""
    facts = EnterpriseFacts(
        founded_on=date(2015, 3, 1), tech_field="", industry="C", provincial_rd_institution=True
    )
    year = tsme_year(120, 12, 100, 20000, class2=2, other_revenue=Decimal("0.01"))
    a = assess_tsme(facts, year, on=ON)
    assert a.route == "direct"
    assert a.eligible is False
    assert a.missing == ["销售收入超过2亿元的上限"]


@pytest.mark.parametrize(
    ("staff", "revenue", "assets", "failing"),
    [
        (Decimal(500), W(20000), W(20000), []),
        (Decimal(501), W(20000), W(20000), ["tsme.staff_total"]),
        (Decimal("500.01"), W(20000), W(20000), ["tsme.staff_total"]),
        (Decimal(500), W(20000) + Decimal("0.01"), W(20000), ["tsme.revenue"]),
        (Decimal(500), W(20000), W(20000) + Decimal("0.01"), ["tsme.assets"]),
    ],
)
def test_size_limits_include_the_boundary(staff, revenue, assets, failing):
    """115号 第六条（二）: 职工总数不超过500人、年销售收入不超过2亿元、资产总额不超过2亿元 ("不超过" = ≤)."""
    year = YearData(
        year=2024,
        main_revenue=revenue,
        total_assets=assets,
        staff_total=staff,
        st_staff=staff,
        sd_rd_personnel=W(1300),
        ip_invention=1,
    )
    a = assess_tsme(FACTS, year, on=ON)
    assert [c.code for c in a.checks if c.required and c.passed is False] == failing


def test_size_failure_message():
    """115号 第六条（二）: the message states the figure and how far over the limit it is."""
    year = tsme_year(501, 100, 100, 3000, class1=1)
    c = check(assess_tsme(FACTS, year, on=ON), "tsme.staff_total")
    assert c.message == "2024年职工总数501人，超过500人的上限1人，不属于科技型中小企业的规模"


def test_tsme_staff_uses_the_six_month_figures_when_given():
    """115号 第九条: 科小 counts part-time staff working ≥6 months (not the 高企 183 days); its own figures win."""
    year = tsme_year(80, 20, 180, 3000, class2=3, tsme_staff_total=Decimal(100), tsme_st_staff=Decimal(30))
    assert part(assess_tsme(FACTS, year, on=ON), "tsme.st").low == 20


def test_score_of_exactly_60_passes_and_58_fails():
    """115号 第六条（五） "不低于60分": 16 + 20 + 24 = 60 passes; 16 + 30 + 12 = 58 fails, 2 points short."""
    a = assess_tsme(FACTS, tsme_year(100, 25, 30, 1000, class2=4), on=ON)
    assert points(a) == [("tsme.st", 16), ("tsme.rd", 20), ("tsme.ip", 24)]
    assert (a.score.value, a.eligible) == (Decimal(60), True)
    a = assess_tsme(FACTS, tsme_year(100, 25, 40, 1000, class2=2), on=ON)
    assert a.score.value == Decimal(58)
    assert (
        check(a, "tsme.score").message
        == "得分科技人员指标16＋研发投入指标30＋科技成果指标12＝58分，低于60分，还差2分"
    )
    assert a.eligible is False


@pytest.mark.parametrize(
    ("st", "pts"),
    [
        ("30", 20),
        ("29.99", 16),
        ("25", 16),
        ("24.99", 12),
        ("20", 12),
        ("15", 8),
        ("14.99", 4),
        ("10", 4),
        ("9.99", 0),
    ],
)
def test_staff_band_edges(st, pts):
    """115号 第七条（一）: 30%及以上 20; 25%(含)–30% 16; 20%–25% 12; 15%–20% 8; 10%–15% 4; <10% 0."""
    year = tsme_year(100, Decimal(st), 180, 3000, class1=1)
    assert part(assess_tsme(FACTS, year, on=ON), "tsme.st").low == pts


@pytest.mark.parametrize(
    ("rd", "pts"),
    [(600, 50), (599.99, 40), (500, 40), (400, 30), (399.99, 20), (300, 20), (200, 10), (199.99, 0)],
)
def test_rd_sales_band_edges(rd, pts):
    """115号 第七条（二）(1): 研发费用/销售收入 6%及以上 50; 5%(含)–6% 40; 4%–5% 30; 3%–4% 20; 2%–3% 10; <2% 0."""
    item = part(assess_tsme(FACTS, tsme_year(100, 20, rd, 10000), on=ON), "tsme.rd.sales")
    assert item.low == pts


@pytest.mark.parametrize(
    ("rd", "pts"), [(300, 50), (299.99, 40), (250, 40), (200, 30), (150, 20), (100, 10), (99.99, 0)]
)
def test_rd_cost_band_edges(rd, pts):
    """115号 第七条（二）(2): 研发费用/成本费用支出总额 30%及以上 50; 25%–30% 40; 20%–25% 30; 15%–20% 20; 10%–15% 10."""
    item = part(assess_tsme(FACTS, tsme_year(100, 20, rd, 100000, cost=1000), on=ON), "tsme.rd.cost")
    assert item.low == pts


@pytest.mark.parametrize(
    ("class1", "class2", "pts"),
    [(1, 0, 30), (0, 5, 24), (0, 4, 24), (0, 3, 18), (0, 2, 12), (0, 1, 6), (0, 0, 0)],
)
def test_achievement_points(class1, class2, pts):
    """115号 第七条（三）: ≥1 Ⅰ类 30; ≥4 Ⅱ类 24; 3 → 18; 2 → 12; 1 → 6; none → 0."""
    year = tsme_year(100, 20, 180, 3000, class1=class1, class2=class2)
    assert part(assess_tsme(FACTS, year, on=ON), "tsme.ip").low == pts


def test_tsme_rd_uses_the_super_deduction_basis_with_the_10_percent_cap():
    """115号 第九条 (财税〔2015〕119号 口径): 其他相关费用 ≤ 90 × 10% ÷ 90% = 10 → R&D 100, 5% of 2000 → 40."""
    year = tsme_year(100, 20, 90, 2000, sd_rd_other=W(20))
    item = part(assess_tsme(FACTS, year, on=ON), "tsme.rd.sales")
    assert item.low == 40
    assert item.basis == "研发费用100.00万元÷销售收入2,000.00万元=5.00% → 40分"


def test_incident_abnormal_list_or_integrity_breach_fails():
    """115号 第六条（四）: 事故、科研严重失信、经营异常名录 → not eligible, whatever the score."""
    facts = EnterpriseFacts(
        founded_on=date(2015, 3, 1), tech_field="", industry="C", abnormal_listed=True, valid_hnte=True
    )
    a = assess_tsme(facts, tsme_year(80, 20, 180, 3000, class2=3), on=ON)
    c = check(a, "tsme.no_violation")
    assert (c.passed, c.message) == (False, "列入经营异常名录或严重违法失信企业名单")
    assert a.eligible is False


def test_missing_staff_figures_leave_the_tsme_score_undecided():
    """115号 第七条: without staff figures the 科技人员 indicator is 0–20, so 50 + 30 + 0–20 is undecided."""
    year = YearData(
        year=2024, main_revenue=W(3000), total_assets=W(1000), sd_rd_personnel=W(180), ip_invention=1
    )
    a = assess_tsme(FACTS, year, on=ON)
    assert (a.score.low, a.score.high, a.score.value) == (80, 100, None)
    assert check(a, "tsme.st_staff").passed is None
    assert a.eligible is None


# ---------------------------------------------------------------------------------------------
# 研发费用加计扣除 — rules.md §3.5 official examples and §3.6 constructed examples


def test_official_example_other_cost_cap_19_11():
    """§3.5 (执行指引2.0 四（二）3); 2021年第28号 三: (88 + 84) × 10% ÷ 90% = 19.11万 < 20万 → 191.11万 × 100%."""
    sd = super_deduction(YearData(year=2023, sd_rd_personnel=W(88 + 84), sd_rd_other=W(12 + 8)))
    assert sd.rd.other_cap == Decimal("191111.11")
    assert sd.rd.other_allowed == Decimal("191111.11")
    assert sd.eligible == Decimal("1911111.11")
    assert sd.extra_deduction == Decimal("1911111.11")
    lines = {line.label: line.text for line in sd.lines}
    assert lines["其他相关费用限额"] == "19.11万元"
    assert lines["可加计扣除的研发费用"] == "191.11万元"
    assert lines["费用化研发费用加计扣除额"] == "191.11万元"
    assert (sd.ruleset, sd.rate) == ("sd-2023", Decimal("1.00"))


def test_official_example_commissioned_related_party_80_percent():
    """§3.5 (执行指引2.0 四（二）6); 119号 二（二）: 委托 100万 → 100 × 80% × 100% = 80万."""
    sd = super_deduction(YearData(year=2023, sd_rd_commissioned_domestic=W(100)))
    assert sd.extra_deduction == W(80)


def test_official_example_grant_booked_net():
    """§3.5 (执行指引2.0 四（三）3): R&D 200万 with a 50万 grant booked net → the net 150万 × 100% = 150万."""
    sd = super_deduction(YearData(year=2023, sd_rd_personnel=W(200) - W(50)))
    assert sd.extra_deduction == W(150)


def test_constructed_ordinary_manufacturer_500_and_capitalised_300_over_10_years():
    """§3.6; 2023年第7号: 费用化 500万 → 500万 extra (125万 tax at 25%, 75万 at 15%); 300万/10年 → 60万 (200%)."""
    sd = super_deduction(YearData(year=2024, sd_rd_personnel=W(500), sd_capitalized_amortization=W(30)))
    assert sd.extra_deduction == W(500)
    assert sd.capitalized_tax_amortization == W(60)
    assert sd.capitalized_extra == W(30)
    assert sd.total_extra == W(530)
    assert super_deduction(YearData(year=2024, sd_rd_personnel=W(500))).tax_saving(Decimal("0.25")) == W(125)
    assert super_deduction(YearData(year=2024, sd_rd_personnel=W(500))).tax_saving(Decimal("0.15")) == W(75)


def test_constructed_integrated_circuit_designer_120_and_220_percent():
    """§3.6; 2023年第44号: 集成电路 2025: 费用化 500万 → 600万 (120%); 300万/10年 → 66万 a year (220%)."""
    sd = super_deduction(
        YearData(year=2025, sd_rd_personnel=W(500), sd_capitalized_amortization=W(30), enhanced_rate=True)
    )
    assert sd.rate == Decimal("1.20")
    assert sd.extra_deduction == W(600)
    assert sd.capitalized_tax_amortization == W(66)
    assert sd.capitalized_extra == W(36)


def test_enhanced_rate_ends_with_2027():
    """2023年第44号: 120% from 2023-01-01 to 2027-12-31; in 2028 the ordinary 100% applies."""
    assert super_deduction(
        YearData(year=2027, sd_rd_personnel=W(500), enhanced_rate=True)
    ).extra_deduction == W(600)
    sd = super_deduction(YearData(year=2028, sd_rd_personnel=W(500), enhanced_rate=True))
    assert (sd.rate, sd.extra_deduction) == (Decimal("1.00"), W(500))
    assert sd.lines[-1].note == "集成电路/工业母机企业120%比例执行至2027年12月31日，本年度按100%"


def test_foreign_commissioned_rd_is_capped_at_two_thirds_of_domestic():
    """财税〔2018〕64号: 委托境外 300万 × 80% = 240万 > 2/3 × 300万 = 200万 → 200万 counts."""
    sd = super_deduction(YearData(year=2024, sd_rd_personnel=W(300), sd_rd_commissioned_foreign=W(300)))
    assert (sd.rd.foreign_counted, sd.rd.foreign_cap, sd.rd.foreign_allowed) == (W(240), W(200), W(200))
    assert sd.eligible == W(500)


def test_years_before_2023_are_not_supported():
    """rules.md §3.2: only the rates from 2023年第7号 are in the rule base; 2022 raises instead of guessing."""
    with pytest.raises(RulesetNotFound):
        super_deduction(YearData(year=2022, sd_rd_personnel=W(500)))


def test_negative_list_wholesale_51_1_percent_is_excluded_exactly_50_may_claim():
    """§3.6; 2015年第97号 四: >50%（不含） of 收入总额 − 不征税收入 − 投资收益 (10000 − 200 − 800 = 9000)."""
    assert negative_list_excluded(W(4600), W(10000), W(200), W(800)) is True
    assert negative_list_excluded(W(4500), W(10000), W(200), W(800)) is False


def test_negative_list_industries_by_gb_t_4754_code():
    """财税〔2015〕119号 四: 批发和零售业 F, 烟草制品业 C16, 娱乐业 R90 … other manufacturing is not listed."""
    assert negative_list_industry("F51") == "批发和零售业"
    assert negative_list_industry("C16") == "烟草制品业"
    assert negative_list_industry("R90") == "娱乐业"
    assert negative_list_industry("C38") is None
    assert negative_list_industry("R88") is None


def test_year_data_of_equals_the_constructor():
    """YearData.of (the batch's fast constructor) builds the same frozen value as YearData(**values)."""
    values = {"year": 2024, "main_revenue": W(3000), "ip_invention": 2, "has_major_incident": True}
    fast = YearData.of(values)
    assert fast == YearData(**values)
    assert (fast.other_revenue, fast.staff_total) == (Decimal(0), None)
    with pytest.raises(TypeError):
        YearData.of({"year": 2024, "revenue": W(1)})
    with pytest.raises(AttributeError):
        fast.year = 2025


def test_year_data_from_row_equals_the_constructor():
    """YearData.from_row (the batch's fast positional constructor) builds the same frozen value as YearData(*row)."""
    names = [f.name for f in fields(YearData)]
    values = {
        **{name: Decimal(i) for i, name in enumerate(names)},
        "year": 2024,
        "staff_total": None,
        "ip_invention": 2,
        "ip_software": 5,
        "has_major_incident": True,
        "enhanced_rate": False,
    }
    row = tuple(values[name] for name in names)
    fast, slow = YearData.from_row(row), YearData(*row)
    assert fast == slow
    assert hash(fast) == hash(slow)
    assert repr(fast) == repr(slow)
    assert [getattr(fast, name) for name in names] == list(row)
    assert replace(fast, year=2025) == replace(slow, year=2025)
    with pytest.raises(AttributeError):
        fast.year = 2025
    # other lengths behave as the constructor: defaults for the missing fields, TypeError for too many
    assert YearData.from_row((2024, W(100))) == YearData(2024, W(100))
    with pytest.raises(TypeError):
        YearData.from_row((*row, 1))
    with pytest.raises(TypeError):
        YearData.from_row(())


def test_results_keep_their_text_through_copies_and_pickles():
    """A passed check's text and a score part's basis are formatted when first read; copies and pickles
    (made before any read) give the same values, and reading twice gives the same text."""
    hnte = assess_hnte(FACTS, hnte_years(), on=ON)
    tsme = assess_tsme(FACTS, hnte_years()[-1], on=ON)
    for result in (hnte, tsme):
        copied, pickled = copy.deepcopy(result), pickle.loads(pickle.dumps(result))
        expected = result.as_dict()
        assert copied.as_dict() == expected
        assert pickled.as_dict() == expected
        assert result.as_dict() == expected
        assert pickled.checks == result.checks
        assert pickled.score.parts == result.score.parts
    staff = check(hnte, "hnte.st_staff")
    assert (staff.passed, staff.figure, staff.gap) == (True, "15.00%", "")
    assert staff.message == "2024年科技人员15人，占职工总数100人的15.00%，不低于10%"
    # a figure that is a str subclass (an enum member, say) is kept as given
    field = type("Field", (str,), {})("bogus")
    other = assess_hnte(replace(FACTS, tech_field=field), hnte_years(), on=ON)
    assert check(other, "hnte.tech_field").figure == "bogus"
