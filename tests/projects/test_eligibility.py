from kechuang.projects.eligibility import Facts, eligibility_problems
from kechuang.projects.models import default_eligibility

BASE = Facts(
    organization_kind="enterprise",
    organization_verified=True,
    region_path="330000/330600/330603/330603L01/",
    qualifications=frozenset(),
    integrity_blocked_until=None,
    applications_in_call=0,
)


def _facts(**changes):
    return Facts(**{**BASE.__dict__, **changes})


def test_a_clean_verified_enterprise_may_apply():
    assert eligibility_problems(default_eligibility(), BASE) == []


def test_every_reason_is_listed():
    rules = {
        "organization_kinds": ["institution"],
        "region_codes": ["330681"],
        "qualifications": ["tsme", "hnte"],
        "require_clean_integrity": True,
        "max_applications_per_organization": 1,
    }
    facts = _facts(organization_verified=False, integrity_blocked_until="2027-06-30", applications_in_call=1)
    assert eligibility_problems(rules, facts) == [
        "本指南只接受以下单位申报：高校院所。",
        "单位信息尚未通过科技局核验。",
        "本单位所在属地不在本指南的申报范围内。",
        "须具有有效的科技型中小企业或高新技术企业资质。",
        "单位有科研失信记录，2027-06-30（含）前不得申报。",
        "每个单位最多申报 1 项，本单位已达上限。",
    ]


def test_region_rule_matches_whole_codes_on_the_path():
    rules = {**default_eligibility(), "region_codes": ["330603"]}
    assert eligibility_problems(rules, BASE) == []
    assert eligibility_problems({**rules, "region_codes": ["33060"]}, BASE) == [
        "本单位所在属地不在本指南的申报范围内。"
    ]


def test_one_of_the_qualifications_suffices():
    rules = {**default_eligibility(), "qualifications": ["tsme", "hnte"]}
    assert eligibility_problems(rules, _facts(qualifications=frozenset({"hnte"}))) == []
