from django.urls import path

from . import content_views as v

urlpatterns = [
    path("policies/", v.policy_list, name="policies"),
    path("policies/<int:pk>/", v.policy_detail, name="policy"),
    path("policies/<int:pk>/documents/<int:document_pk>/", v.policy_document, name="policy_document"),
    path("notices/", v.notice_list, name="notices"),
    path("notices/<int:pk>/", v.notice_detail, name="notice"),
    path("notices/<int:pk>/attachment/", v.notice_attachment, name="notice_attachment"),
    path("guide/", v.guide_list, name="guides"),
    path("guide/<int:pk>/", v.guide_detail, name="guide"),
    path("search/", v.search, name="search"),
    # The bureau's pages
    path("policies/new/", v.content_new, {"kind": "policy"}, name="policy_new"),
    path("policies/<int:pk>/edit/", v.content_edit, {"kind": "policy"}, name="policy_edit"),
    path(
        "policies/<int:pk>/publish/",
        v.content_action,
        {"kind": "policy", "action": "publish"},
        name="policy_publish",
    ),
    path(
        "policies/<int:pk>/withdraw/",
        v.content_action,
        {"kind": "policy", "action": "withdraw"},
        name="policy_withdraw",
    ),
    path("policies/<int:pk>/documents/add/", v.policy_document_add, name="policy_document_add"),
    path(
        "policies/<int:pk>/documents/<int:document_pk>/remove/",
        v.policy_document_remove,
        name="policy_document_remove",
    ),
    path("notices/new/", v.content_new, {"kind": "notice"}, name="notice_new"),
    path("notices/<int:pk>/edit/", v.content_edit, {"kind": "notice"}, name="notice_edit"),
    path(
        "notices/<int:pk>/publish/",
        v.content_action,
        {"kind": "notice", "action": "publish"},
        name="notice_publish",
    ),
    path(
        "notices/<int:pk>/withdraw/",
        v.content_action,
        {"kind": "notice", "action": "withdraw"},
        name="notice_withdraw",
    ),
    path("guide/new/", v.content_new, {"kind": "guide"}, name="guide_new"),
    path("guide/<int:pk>/edit/", v.content_edit, {"kind": "guide"}, name="guide_edit"),
    path(
        "guide/<int:pk>/publish/",
        v.content_action,
        {"kind": "guide", "action": "publish"},
        name="guide_publish",
    ),
    path(
        "guide/<int:pk>/withdraw/",
        v.content_action,
        {"kind": "guide", "action": "withdraw"},
        name="guide_withdraw",
    ),
]
