"""SimHash fingerprints: near copies are near, unrelated texts far (projects/similarity.py, no database)."""

import pytest

from kechuang.projects.similarity import content_fingerprint, hamming, simhash, title_fingerprint

ORIGINAL = (
    "针对印染废水色度高、可生化性差的问题，研究臭氧催化氧化与膜生物反应器耦合的深度处理工艺，"
    "开发适用于中小印染企业的成套装备，实现出水稳定达到一级排放标准，吨水处理成本降低百分之二十，"
    "并在柯桥印染集聚区开展示范应用，形成可复制推广的技术规范。"
)
EDITED = ORIGINAL.replace("降低百分之二十", "降低百分之三十").replace("柯桥印染集聚区", "越城区工业园")
UNRELATED = (
    "面向黄酒酿造过程的数字化管控需求，构建发酵温度与糖度在线监测网络，建立基于机理与数据融合的"
    "发酵过程模型，开发酿造工艺智能决策系统，提升黄酒品质一致性与产能利用率。"
)


def test_fingerprints_are_deterministic_signed_64_bit_integers():
    value = content_fingerprint(ORIGINAL)
    assert simhash(["印染", "废水", "废水"]) == simhash(["废水", "印染", "废水"])  # a bag of words
    assert -(2**63) <= value < 2**63
    assert simhash([]) is None and content_fingerprint("") is None
    assert hamming(value, None) == 64


def test_a_lightly_edited_copy_is_near_and_an_unrelated_text_is_far():
    original, edited, unrelated = map(content_fingerprint, (ORIGINAL, EDITED, UNRELATED))
    assert hamming(original, original) == 0
    assert hamming(original, edited) <= 12
    assert hamming(original, unrelated) >= 20
    assert (
        hamming(
            title_fingerprint("印染废水深度处理关键技术研究"),
            title_fingerprint("印染废水深度处理关键技术研究"),
        )
        == 0
    )


@pytest.mark.django_db
def test_the_database_computes_the_same_distance_as_python(world):
    # PostgreSQL's bit_count and SQLite's registered kc_hamming must agree with similarity.hamming,
    # negative (high bit set) fingerprints included.
    from django.db.models.functions import Least

    from kechuang.projects.expressions import hamming_or_max
    from kechuang.projects.models import Application

    from ..factories import make_call

    call = make_call()
    values = [0, 1, -1, 2**63 - 1, -(2**63), 0x5555_5555_5555_5555, -0x1234_5678_9ABC_DEF0, None]
    mine = -0x0F0F_0F0F_0F0F_0F0F
    for i, value in enumerate(values):
        Application.objects.create(
            call=call,
            organization=world["org_a"],
            region=world["org_a"].region,
            created_by=world["ent_a"],
            title=f"指纹{i}",
            title_fingerprint=value,
            content_fingerprint=values[-1 - i],
        )
    rows = (
        Application.objects.filter(call=call)
        .annotate(
            by_title=hamming_or_max("title_fingerprint", mine),
            nearest=Least(
                hamming_or_max("title_fingerprint", mine), hamming_or_max("content_fingerprint", mine)
            ),
        )
        .order_by("title")
        .values_list("title_fingerprint", "content_fingerprint", "by_title", "nearest")
    )
    assert [(t, n) for _a, _b, t, n in rows] == [
        (hamming(a, mine), min(hamming(a, mine), hamming(b, mine))) for a, b, _t, _n in rows
    ]
    assert [t for _a, _b, t, _n in rows][-1] == 64  # a missing fingerprint is as far as can be
