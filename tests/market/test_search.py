"""Search of the market (market/search.py): what is found, filters, order, highlighting, pages, freshness."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from kechuang.core.jobs import run_job_now
from kechuang.market import search as search_module
from kechuang.market.models import Listing
from kechuang.market.search import highlight, highlight_terms, listing_changed, search, snippet

from .search_helpers import found, make_listing

pytestmark = pytest.mark.django_db


# -- what is found, and in which order ---------------------------------------------------------------------


def test_words_of_the_query_rank_listings_that_have_them_first():
    make_listing("工业机器人视觉引导系统", "基于深度学习的机器视觉定位。")
    make_listing("印染废水深度处理技术", "采用臭氧催化氧化处理印染废水，出水达标。")
    make_listing("中水回用改造", "纺织企业废水处理后回用于生产。")
    assert found(query="印染废水") == ["印染废水深度处理技术", "中水回用改造"]
    assert found(query="机器视觉") == ["工业机器人视觉引导系统"]
    assert found(query="石墨烯") == []


def test_the_title_counts_more_than_the_description():
    make_listing("膜生物反应器污水处理", "一种工艺。", published_days_ago=5)
    make_listing("一种污水处理工艺", "其中采用膜生物反应器。", published_days_ago=1)
    assert found(query="膜生物反应器")[0] == "膜生物反应器污水处理"


def test_domain_terms_are_found_whole_and_by_their_parts():
    make_listing("难降解有机废水处理成套装备", "针对化工园区难降解有机废水。")
    make_listing("秸秆还田机械", "秸秆资源化。")
    assert found(query="难降解有机废水") == ["难降解有机废水处理成套装备"]
    assert found(query="有机废水") == ["难降解有机废水处理成套装备"]
    assert found(query="废水") == ["难降解有机废水处理成套装备"]


def test_an_empty_query_lists_newest_first():
    make_listing("旧成果", published_days_ago=30)
    make_listing("新成果", published_days_ago=1)
    make_listing("中间成果", published_days_ago=10)
    page = search(query="")
    assert [hit.listing.title for hit in page.hits] == ["新成果", "中间成果", "旧成果"]
    assert page.total == 3 and {hit.score for hit in page.hits} == {None}
    assert found(query="   ") == ["新成果", "中间成果", "旧成果"]


def test_only_published_listings_in_force_are_ever_found(world):
    make_listing("草稿中的碳纤维成果", state="draft", organization=world["org_a"])
    make_listing("待审核的碳纤维成果", state="pending", organization=world["org_a"])
    make_listing("已撤回的碳纤维成果", state="withdrawn", organization=world["org_a"])
    make_listing("已过期的碳纤维成果", state="expired", organization=world["org_a"])
    make_listing("有效期已过的碳纤维成果", expires_in_days=-1, organization=world["org_a"])
    make_listing("已发布的碳纤维成果", organization=world["org_a"])
    assert found(query="碳纤维") == ["已发布的碳纤维成果"]
    assert found(query="") == ["已发布的碳纤维成果"]
    assert found(query="草稿中的碳纤维成果") == ["已发布的碳纤维成果"]


# -- filters -------------------------------------------------------------------------------------------


def test_each_filter():
    make_listing(
        "碳纤维需求甲",
        kind="demand",
        tech_field="new_materials",
        cooperation="commissioned",
        budget_min=100_000,
        budget_max=300_000,
    )
    make_listing("碳纤维成果乙", tech_field="new_materials", cooperation="license", maturity=7, price=500_000)
    make_listing(
        "碳纤维成果丙", tech_field="advanced_manufacturing", cooperation="transfer", maturity=4, price=80_000
    )
    make_listing("碳纤维成果丁面议", tech_field="new_materials", cooperation="transfer", maturity=8)
    q = {"query": "碳纤维"}
    assert set(found(**q, kind="demand")) == {"碳纤维需求甲"}
    assert set(found(**q, kind="achievement")) == {"碳纤维成果乙", "碳纤维成果丙", "碳纤维成果丁面议"}
    assert set(found(**q, tech_field="advanced_manufacturing")) == {"碳纤维成果丙"}
    assert set(found(**q, cooperation="transfer")) == {"碳纤维成果丙", "碳纤维成果丁面议"}
    assert set(found(**q, maturity_min=7)) == {"碳纤维成果乙", "碳纤维成果丁面议"}
    assert set(found(**q, maturity_max=5)) == {"碳纤维成果丙"}  # no maturity stated: left out
    assert set(found(**q, maturity_min=5, maturity_max=7)) == {"碳纤维成果乙"}
    # An achievement's price in the range, a demand's budget range meeting it; 面议 left out.
    assert set(found(**q, price_min=200_000)) == {"碳纤维需求甲", "碳纤维成果乙"}
    assert set(found(**q, price_max=90_000)) == {"碳纤维成果丙"}
    assert set(found(**q, price_min=250_000, price_max=400_000)) == {"碳纤维需求甲"}
    assert set(found(query="", kind="demand", tech_field="new_materials")) == {"碳纤维需求甲"}


def test_a_demand_budget_with_one_bound_is_open_on_the_other_side():
    make_listing("只写了下限的需求", kind="demand", budget_min=1_000_000)
    make_listing("只写了上限的需求", kind="demand", budget_max=50_000)
    assert found(query="需求", price_min=5_000_000) == ["只写了下限的需求"]
    assert found(query="需求", price_max=10_000) == ["只写了上限的需求"]


def test_a_region_includes_its_sub_regions():
    make_listing("柯桥街道的纺织成果", region_code="330603L01")  # a town of 柯桥区
    make_listing("柯桥区的纺织成果", region_code="330603")
    make_listing("诸暨的纺织成果", region_code="330681L01")
    assert set(found(query="纺织", region_code="330603")) == {"柯桥街道的纺织成果", "柯桥区的纺织成果"}
    assert set(found(query="纺织", region_code="330603L01")) == {"柯桥街道的纺织成果"}
    assert set(found(query="纺织", region_code="330600")) == {
        "柯桥街道的纺织成果",
        "柯桥区的纺织成果",
        "诸暨的纺织成果",
    }
    assert found(query="纺织", region_code="330681L01") == ["诸暨的纺织成果"]
    assert found(query="纺织", region_code="330400") == []  # 嘉兴
    assert found(query="纺织", region_code="nowhere") == []


# -- highlighting --------------------------------------------------------------------------------------


def test_highlighting_marks_the_query_words_and_escapes_everything_else():
    terms = highlight_terms("印染废水")
    assert highlight('<script>alert("x")</script>印染废水&处理', terms) == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<mark>印染废水</mark>&amp;处理"
    )
    # Parts of a term are marked too, full-width letters are matched as half-width, Latin only as a word.
    assert highlight("含废水的染料", terms) == "含<mark>废水</mark>的染料"
    assert highlight("ＡＩ质检与email", highlight_terms("ai")) == "<mark>ＡＩ</mark>质检与email"


def test_the_snippet_is_the_passage_with_the_words():
    text = "开头的介绍。" * 30 + "本成果采用臭氧催化氧化工艺处理<印染废水>。" + "结尾。" * 30
    html = snippet(text, highlight_terms("印染废水"))
    assert html.startswith("…") and html.endswith("…")
    assert "&lt;<mark>印染废水</mark>&gt;" in html
    assert len(snippet("短文本", ())) == 3 and snippet("a<b", ()) == "a&lt;b"


def test_results_carry_highlighted_title_and_snippet():
    make_listing("印染废水<处理>装置", "该装置用于印染废水的预处理。")
    hit = search(query="印染废水").hits[0]
    assert hit.title_html == "<mark>印染废水</mark>&lt;处理&gt;装置"
    assert "<mark>印染废水</mark>" in hit.snippet_html
    assert hit.score > 0


# -- pages ---------------------------------------------------------------------------------------------


def test_pagination():
    for i in range(25):
        make_listing(f"第{i:02d}项数控机床成果", published_days_ago=i)
    first = search(query="数控机床", per_page=10)
    third = search(query="数控机床", page=3, per_page=10)
    assert (first.total, first.num_pages, len(first.hits), len(third.hits)) == (25, 3, 10, 5)
    pages = [search(query="数控机床", page=p, per_page=10) for p in (1, 2, 3)]
    titles = [hit.listing.title for page in pages for hit in page.hits]
    assert len(set(titles)) == 25
    assert (first.has_previous, first.has_next, third.has_next, third.start_index, third.end_index) == (
        False,
        True,
        False,
        21,
        25,
    )
    assert search(query="数控机床", page=9, per_page=10).hits == []
    newest = [
        hit.listing.title
        for page in (search(query="", page=p, per_page=10) for p in (1, 2, 3))
        for hit in page.hits
    ]
    assert newest == [f"第{i:02d}项数控机床成果" for i in range(25)]


# -- freshness -------------------------------------------------------------------------------------------


def test_a_published_listing_is_found_after_listing_changed_and_a_withdrawn_one_is_gone():
    make_listing("已有的轴承成果")
    assert found(query="石墨烯") == []  # the index is built now
    listing = make_listing("石墨烯导热膜", "高导热石墨烯膜。", state="draft")
    listing_changed(listing.pk)
    assert found(query="石墨烯") == []  # a draft is not found
    Listing.objects.filter(pk=listing.pk).update(state="published", published_at=timezone.now(), version=2)
    listing_changed(listing.pk)
    assert found(query="石墨烯") == ["石墨烯导热膜"]
    assert found(query="") == ["石墨烯导热膜", "已有的轴承成果"]
    # Edited: found by its new words, no longer by the old ones.
    Listing.objects.filter(pk=listing.pk).update(title="碳纳米管导热膜", description="碳纳米管。", version=3)
    listing_changed(listing.pk)
    assert found(query="碳纳米管") == ["碳纳米管导热膜"]
    assert found(query="石墨烯") == []
    Listing.objects.filter(pk=listing.pk).update(state="withdrawn", version=4)
    listing_changed(listing.pk)
    assert found(query="碳纳米管") == []
    assert found(query="") == ["已有的轴承成果"]


def test_a_change_of_a_listing_of_the_main_index_replaces_it():
    listing = make_listing("齿轮箱故障诊断")
    assert found(query="齿轮箱") == ["齿轮箱故障诊断"]
    Listing.objects.filter(pk=listing.pk).update(title="减速机故障诊断", description="减速机。", version=2)
    listing_changed(listing.pk)
    assert found(query="齿轮箱") == []
    assert found(query="减速机") == ["减速机故障诊断"]
    assert search(query="").total == 1


def test_the_listing_changed_job_runs_the_search_hook():
    make_listing("伺服电机控制器")
    assert found(query="变频器") == []
    listing = make_listing("变频器节能改造")
    ran = run_job_now("market.listing_changed", {"listing_id": listing.pk})
    assert "kechuang.market.search" in ran
    assert found(query="变频器") == ["变频器节能改造"]


def test_another_process_sees_a_change_at_its_next_look_at_the_database(settings):
    """No hook runs here: the change is found by the look at the database (audit line / content time)."""
    make_listing("热处理工艺优化")
    assert found(query="激光雷达") == []
    listing = make_listing("激光雷达点云处理")  # created after the index was built, no listing_changed
    assert found(query="激光雷达") == []  # the last look was less than a refresh interval ago
    settings.KECHUANG_SEARCH_REFRESH_SECONDS = 0
    assert found(query="激光雷达") == ["激光雷达点云处理"]
    listing.state = "withdrawn"
    listing.state_since = timezone.now()
    listing.save()  # an audit line, no change of the text
    assert found(query="激光雷达") == []


def test_an_expired_validity_hides_a_listing_without_any_change():
    listing = make_listing("农产品保鲜技术", expires_in_days=0)
    assert found(query="农产品保鲜") == ["农产品保鲜技术"]
    Listing.objects.filter(pk=listing.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    search_module.reset()
    assert found(query="农产品保鲜") == []


# -- the saved index -----------------------------------------------------------------------------------


def test_a_large_index_is_saved_and_the_next_process_maps_it(settings, tmp_path):
    settings.KECHUANG_SEARCH_PERSIST_MIN_DOCS = 1
    make_listing("智慧农业节水灌溉")
    assert found(query="节水灌溉") == ["智慧农业节水灌溉"]
    generation = search_module.index_info()["generation"]
    assert generation and (search_module.search_dir() / generation / "bm25-data.npy").exists()
    search_module.reset()  # as a new process would start
    later = make_listing("节水灌溉物联网控制")
    info = search_module.index_info()
    assert info["generation"] == generation  # loaded, not built again
    assert info["delta"] == 1  # what changed after the saved watermark was read at start
    assert set(found(query="节水灌溉")) == {"节水灌溉物联网控制", "智慧农业节水灌溉"}
    assert later.pk in search_module._state.delta.docs


def test_rebuild_saves_a_new_generation_that_other_processes_switch_to(settings):
    settings.KECHUANG_SEARCH_PERSIST_MIN_DOCS = 1
    make_listing("垃圾焚烧余热回收")
    assert found(query="余热回收") == ["垃圾焚烧余热回收"]
    first = search_module.index_info()["generation"]
    time.sleep(0.01)
    make_listing("余热回收换热器")
    result = run_job_now("market.search_rebuild", {})
    assert result["listings"] == 2 and result["generation"] != first
    info = search_module.index_info()
    assert (info["generation"], info["listings"], info["delta"]) == (result["generation"], 2, 0)
    skipped = search_module.rebuild(after=(timezone.now() - timedelta(hours=1)).isoformat())
    assert skipped["skipped"] == "the saved index is newer"


def test_a_small_index_is_rebuilt_in_place_when_the_delta_grows(settings):
    settings.KECHUANG_SEARCH_DELTA_MAX = 2
    make_listing("光伏组件清洗机器人")
    assert found(query="光伏") == ["光伏组件清洗机器人"]
    for title in ("光伏逆变器", "光伏支架"):
        listing_changed(make_listing(title).pk)
    assert search_module.index_info()["delta"] == 2
    listing_changed(make_listing("光伏跟踪系统").pk)
    info = search_module.index_info()
    assert (info["listings"], info["delta"]) == (4, 0)
    assert len(found(query="光伏")) == 4


def test_a_saved_index_made_with_another_dictionary_is_built_anew(settings, monkeypatch):
    settings.KECHUANG_SEARCH_PERSIST_MIN_DOCS = 1
    make_listing("气凝胶保温毡")
    assert found(query="气凝胶") == ["气凝胶保温毡"]
    first = search_module.index_info()["generation"]
    monkeypatch.setattr(search_module, "tokenizer_key", lambda: "another-dictionary")
    search_module.reset()
    time.sleep(0.01)
    assert search_module.index_info()["generation"] != first
    assert found(query="气凝胶") == ["气凝胶保温毡"]
