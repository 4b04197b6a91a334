"""The classifications organizations are filed under, exactly as the standards publish them."""

from kechuang.organizations.enums import Industry, TechField


def test_industry_has_the_twenty_sections_of_gb_t_4754_2017():
    # GB/T 4754-2017 国民经济行业分类: 门类 A–T.
    assert Industry.values == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    assert (Industry.C.label, Industry.I.label, Industry.M.label) == (
        "制造业",
        "信息传输、软件和信息技术服务业",
        "科学研究和技术服务业",
    )


def test_tech_fields_are_the_eight_fields_in_the_published_order():
    # rules.md §1.3 条件三: the 8 first-level fields of 《国家重点支持的高新技术领域》, "与" not "及/和".
    assert [str(label) for label in TechField.labels] == [
        "电子信息",
        "生物与新医药",
        "航空航天",
        "新材料",
        "高技术服务",
        "新能源与节能",
        "资源与环境",
        "先进制造与自动化",
    ]
