"""Thread pages and API (issue 5 items 4 and 7): who reads and downloads (pages and API alike), posting with htmx,
the state bar, the listing panel, and query counts of the lists."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kechuang.accounts.services import api_token_create
from kechuang.market.enums import ListingKind, ListingState, ThreadState
from kechuang.market.models import Message, Thread
from kechuang.market.thread_views import panel
from kechuang.market.threads import message_post, thread_set_broker, thread_start, thread_transition

from .test_threads import PDF, institution_org, make_listing, started

pytestmark = pytest.mark.django_db


def _api(client, user):
    _, raw = api_token_create(user=user, name="test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def _with_attachment(world):
    thread = started(world)
    message = message_post(
        thread=thread,
        body="报价单",
        attachment=SimpleUploadedFile("报价单.pdf", PDF, content_type="application/pdf"),
        by=world["ent_a"],
    )
    return thread, message


# --- a third organization ----------------------------------------------------------------------------------


def test_a_third_organization_neither_reads_a_thread_nor_downloads_its_attachments_in_pages(client, world):
    thread, message = _with_attachment(world)
    client.force_login(world["ent_b"])
    page = client.get(reverse("market:thread", args=[thread.pk]))
    assert page.status_code == 403
    assert "您不是该洽谈的参与方，无权查看。" in page.content.decode()
    download = client.get(reverse("market:thread_attachment", args=[message.pk]))
    assert download.status_code == 403
    assert b"%PDF" not in download.content
    listed = client.get(reverse("market:threads")).content.decode()
    assert 'data-testid="thread-row"' not in listed
    post = client.post(reverse("market:thread_post", args=[thread.pk]), {"body": "我也想谈"})
    assert post.status_code == 403
    assert thread.messages.count() == 2


def test_a_third_organization_neither_reads_a_thread_nor_downloads_its_attachments_in_the_api(client, world):
    thread, message = _with_attachment(world)
    _api(client, world["ent_b"])
    detail = client.get(f"/api/market/threads/{thread.pk}")
    assert (detail.status_code, detail.json()) == (403, {"detail": "您不是该洽谈的参与方，无权查看。"})
    download = client.get(f"/api/market/threads/messages/{message.pk}/attachment")
    assert download.status_code == 403
    assert client.get("/api/market/threads").json()["items"] == []
    post = client.post(f"/api/market/threads/{thread.pk}/messages", {"body": "我也想谈"})
    assert post.status_code == 403
    moved = client.post(
        f"/api/market/threads/{thread.pk}/transitions",
        json.dumps({"action": "fail", "reason": "捣乱"}),
        content_type="application/json",
    )
    assert moved.status_code == 403
    assert Thread.objects.get(pk=thread.pk).state == ThreadState.CONTACTED


def test_participants_and_the_regions_bureau_download_with_the_original_name(client, world):
    thread, message = _with_attachment(world)
    for who in ("ent_a", "institution", "staff"):
        client.force_login(world[who])
        response = client.get(reverse("market:thread_attachment", args=[message.pk]))
        assert response.status_code == 200, who
        assert b"".join(response.streaming_content) == PDF
        assert (
            response["Content-Disposition"] == "attachment; filename*=utf-8''%E6%8A%A5%E4%BB%B7%E5%8D%95.pdf"
        )
        assert response["Cache-Control"] == "private, no-store"
    client.force_login(world["kq_staff"])  # the bureau of another county
    assert client.get(reverse("market:thread_attachment", args=[message.pk])).status_code == 403
    client.force_login(world["broker"])  # a broker not assigned
    assert client.get(reverse("market:thread_attachment", args=[message.pk])).status_code == 403
    thread_set_broker(thread=thread, broker=world["broker"], by=world["ent_a"])
    assert client.get(reverse("market:thread_attachment", args=[message.pk])).status_code == 200
    client.logout()
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    _api(client, world["institution"])
    api = client.get(f"/api/market/threads/messages/{message.pk}/attachment")
    assert (api.status_code, b"".join(api.streaming_content)) == (200, PDF)


def test_no_public_media_url_serves_an_attachment(client, world):
    _thread, message = _with_attachment(world)
    client.force_login(world["institution"])
    assert client.get("/media/" + message.attachment.name).status_code == 404


# --- the API ---------------------------------------------------------------------------------------------------


def test_the_api_starts_posts_with_a_file_and_moves_a_thread(client, world):
    listing = make_listing(institution_org(world))
    _api(client, world["ent_a"])
    start = client.post(
        "/api/market/threads",
        json.dumps({"listing_id": listing.pk, "message": "希望洽谈"}),
        content_type="application/json",
    )
    assert start.status_code == 201
    body = start.json()
    assert (body["state"], body["my_side"], body["allowed_actions"]) == (
        "contacted",
        "party",
        ["negotiate", "fail"],
    )
    assert [(m["side"], m["body"]) for m in body["messages"]] == [("party", "希望洽谈")]
    again = client.post(
        "/api/market/threads",
        json.dumps({"listing_id": listing.pk, "message": "再问一次"}),
        content_type="application/json",
    )
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    pk = body["id"]
    # The author is always the caller: a field naming someone else is ignored.
    posted = client.post(
        f"/api/market/threads/{pk}/messages",
        {
            "body": "附件为报价",
            "author": world["institution"].pk,
            "attachment": SimpleUploadedFile("报价.pdf", PDF),
        },
    )
    assert posted.status_code == 201
    out = posted.json()
    assert (out["author"]["id"], out["side"], out["attachment_name"]) == (
        world["ent_a"].pk,
        "party",
        "报价.pdf",
    )
    assert out["attachment_url"] == f"/api/market/threads/messages/{out['id']}/attachment"
    refused = client.post(
        f"/api/market/threads/{pk}/messages", {"body": "", "attachment": SimpleUploadedFile("a.exe", b"MZ")}
    )
    assert (refused.status_code, refused.json()) == (
        400,
        {"detail": "只接受 PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG 文件。", "field": "attachment"},
    )
    version = Thread.objects.get(pk=pk).version
    moved = client.post(
        f"/api/market/threads/{pk}/transitions",
        json.dumps({"action": "negotiate", "version": version}),
        content_type="application/json",
    )
    assert (moved.status_code, moved.json()["state"]) == (200, "negotiating")
    stale = client.post(
        f"/api/market/threads/{pk}/transitions",
        json.dumps({"action": "intent", "intent_amount": "10000", "version": version}),
        content_type="application/json",
    )
    assert (stale.status_code, stale.json()["detail"]) == (409, "该记录已被他人修改，请刷新后重新编辑。")
    illegal = client.post(
        f"/api/market/threads/{pk}/transitions",
        json.dumps({"action": "close"}),
        content_type="application/json",
    )
    assert (illegal.status_code, illegal.json()["detail"]) == (
        400,
        "当前状态为“洽谈中”，不能执行“洽谈完成”。",
    )
    detail = client.get(f"/api/market/threads/{pk}").json()
    assert [(t["from_state"], t["to_state"]) for t in detail["transitions"]] == [("contacted", "negotiating")]
    assert [m["body"] for m in detail["messages"]] == ["希望洽谈", "再问一次", "附件为报价"]


def test_the_api_lets_a_party_invite_a_broker(client, world):
    thread = started(world)
    _api(client, world["institution"])
    response = client.post(
        f"/api/market/threads/{thread.pk}/broker",
        json.dumps({"broker_id": world["broker"].pk}),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["broker"]["id"]) == (200, world["broker"].pk)
    wrong = client.post(
        f"/api/market/threads/{thread.pk}/broker",
        json.dumps({"broker_id": world["expert"].pk}),
        content_type="application/json",
    )
    assert (wrong.status_code, wrong.json()["detail"]) == (400, "所选用户不是技术经纪人。")
    client.defaults.pop("HTTP_AUTHORIZATION")
    _api(client, world["broker"])
    assert [t["id"] for t in client.get("/api/market/threads").json()["items"]] == [thread.pk]


# --- pages -------------------------------------------------------------------------------------------------------


def test_the_thread_page_shows_the_timeline_the_state_bar_and_the_allowed_actions(client, world):
    thread = started(world)
    message_post(thread=thread, body="欢迎面谈", by=world["institution"])
    client.force_login(world["ent_a"])
    html = client.get(reverse("market:thread", args=[thread.pk])).content.decode()
    assert 'data-testid="thread-state">洽谈中<' in html
    assert html.count('data-testid="message"') == 2
    assert html.count('data-testid="transition"') == 1
    assert "状态由“已联系”改为“洽谈中”" in html and "发布方首次回复" in html
    assert '<option value="intent">达成意向</option><option value="fail">终止洽谈</option>' in html
    assert 'hx-post="' + reverse("market:thread_post", args=[thread.pk]) in html
    # the bureau reads without acting
    client.force_login(world["staff"])
    html = client.get(reverse("market:thread", args=[thread.pk])).content.decode()
    assert 'data-testid="transition-form"' not in html and 'data-testid="message-form"' not in html
    assert 'data-testid="broker-form"' in html


def test_posting_with_htmx_returns_the_live_part_without_a_reload(client, world):
    thread = started(world)
    client.force_login(world["institution"])
    url = reverse("market:thread_post", args=[thread.pk])
    response = client.post(url, {"body": "请提供样品测试数据"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="thread-main">') and "<html" not in html
    assert "请提供样品测试数据" in html
    assert 'data-testid="thread-state">洽谈中<' in html  # the owner's first reply moved it
    error = client.post(
        url, {"body": "", "attachment": SimpleUploadedFile("x.exe", b"MZ")}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "只接受 PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG 文件。" in error
    assert thread.messages.count() == 2


def test_posting_without_htmx_redirects_to_the_message(client, world):
    thread = started(world)
    client.force_login(world["ent_a"])
    response = client.post(reverse("market:thread_post", args=[thread.pk]), {"body": "补充资料"})
    message = Message.objects.latest("pk")
    assert response["Location"] == reverse("market:thread", args=[thread.pk]) + f"#m{message.pk}"


def test_start_page_and_transition_and_broker_forms(client, world):
    listing = make_listing(institution_org(world))
    demand = make_listing(world["org_a"], kind=ListingKind.DEMAND, title="染色需求")
    client.force_login(world["ent_a"])
    url = reverse("market:thread_start", args=[listing.pk])
    page = client.get(url, {"counter": demand.pk}).content.decode()
    assert f'<option value="{demand.pk}" selected>技术需求：染色需求</option>' in page
    response = client.post(url, {"message": "希望合作", "counter_listing": demand.pk})
    thread = Thread.objects.get()
    assert response["Location"] == reverse("market:thread", args=[thread.pk])
    assert thread.counter_listing_id == demand.pk
    assert client.get(url)["Location"] == reverse(
        "market:thread", args=[thread.pk]
    )  # a second start opens it
    to = reverse("market:thread_transition", args=[thread.pk])
    client.post(to, {"action": "fail", "reason": "", "version": thread.version})
    assert Thread.objects.get().state == ThreadState.CONTACTED
    client.post(to, {"action": "negotiate", "version": thread.version})
    assert Thread.objects.get().state == ThreadState.NEGOTIATING
    client.post(to, {"action": "intent", "intent_amount": "200000", "version": thread.version})  # stale
    assert Thread.objects.get().state == ThreadState.NEGOTIATING
    client.post(to, {"action": "intent", "intent_amount": "200000", "version": thread.version + 1})
    assert (Thread.objects.get().state, str(Thread.objects.get().intent_amount)) == ("intent", "200000.00")
    client.post(
        reverse("market:thread_broker", args=[thread.pk]),
        {"broker": world["broker"].pk, "version": thread.version + 2},
    )
    assert Thread.objects.get().broker_id == world["broker"].pk


def test_the_listing_panel(world):
    listing = make_listing(institution_org(world))
    from django.contrib.auth.models import AnonymousUser

    assert panel(AnonymousUser(), listing)["login_url"] == "/accounts/login/?next=" + reverse(
        "market:thread_start", args=[listing.pk]
    ).replace("/", "%2F")
    fresh = panel(world["ent_a"], listing)
    assert (fresh["can_start"], fresh["threads"]) == (True, [])
    assert panel(world["institution"], listing) is None  # the owner, before anyone wrote
    assert panel(world["broker"], listing) is None
    thread = thread_start(listing=listing, message="x", by=world["ent_a"])
    mine = panel(world["ent_a"], listing)
    assert (mine["can_start"], [r["thread"] for r in mine["threads"]]) == (False, [thread])
    owner = panel(world["institution"], listing)
    assert ([r["counterpart"] for r in owner["threads"]], owner["is_owner"]) == ([world["org_a"]], True)
    assert panel(world["ent_b"], listing)["can_start"] is True
    assert [r["thread"] for r in panel(world["staff"], listing)["threads"]] == [thread]
    assert panel(world["ent_b"], make_listing(institution_org(world), state=ListingState.PENDING)) is None


# --- query counts -------------------------------------------------------------------------------------------


def _many_threads(world, n):
    threads = []
    for i in range(n):
        listing = make_listing(institution_org(world), title=f"成果{i}")
        thread = thread_start(listing=listing, message=f"留言{i}", by=world["ent_a"])
        if i % 2:
            thread_set_broker(thread=thread, broker=world["broker"], by=world["ent_a"])
            thread_transition(thread=thread, action="negotiate", by=world["institution"])
        threads.append(thread)
    return threads


def test_my_threads_list_queries_do_not_grow_with_the_rows(client, world, django_assert_max_num_queries):
    _many_threads(world, 3)
    client.force_login(world["ent_a"])
    url = reverse("market:threads")
    client.get(url)
    with django_assert_max_num_queries(10) as few:
        response = client.get(url)
    assert response.content.decode().count('data-testid="thread-row"') == 3
    _many_threads_more = [make_listing(institution_org(world), title=f"更多{i}") for i in range(6)]
    for listing in _many_threads_more:
        thread_start(listing=listing, message="x", by=world["ent_a"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"state": "contacted"})
    assert response.content.decode().count('data-testid="thread-row"') == 8


def test_the_thread_page_and_api_lists_are_query_bounded(client, world, django_assert_max_num_queries):
    thread = _many_threads(world, 2)[1]
    for i in range(5):
        message_post(thread=thread, body=f"消息{i}", by=world["ent_a" if i % 2 else "institution"])
    client.force_login(world["ent_a"])
    url = reverse("market:thread", args=[thread.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        html = client.get(url).content.decode()
    assert html.count('data-testid="message"') == 6
    with django_assert_max_num_queries(8):
        items = client.get("/api/market/threads").json()["items"]
    assert len(items) == 2
