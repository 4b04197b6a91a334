from django.urls import path

from . import decision_views, execution_views, views, withdrawal_views

app_name = "projects"
urlpatterns = [
    path("calls/", views.call_list, name="call_list"),
    path("calls/<int:pk>/apply/", views.call_apply, name="call_apply"),
    path("manage/calls/", views.call_manage_list, name="call_manage_list"),
    path("manage/calls/new/", views.call_edit, name="call_create"),
    path("manage/calls/<int:pk>/", views.call_edit, name="call_edit"),
    path("manage/programs/", views.program_list, name="program_list"),
    path("manage/programs/new/", views.program_edit, name="program_create"),
    path("manage/programs/<int:pk>/", views.program_edit, name="program_edit"),
    path("figures/", views.figures, name="figures"),
    path("calls/<int:pk>/decision/", decision_views.call_decision, name="decision"),
    path("objections/<int:pk>/resolve/", decision_views.objection_resolve, name="objection_resolve"),
    path("notices/", decision_views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", decision_views.notice_detail, name="notice"),
    path("notices/<int:pk>/close/", decision_views.notice_close, name="notice_close"),
    path("list/", execution_views.project_list, name="project_list"),
    path("<int:pk>/", execution_views.project_detail, name="project"),
    path("<int:pk>/decide/", execution_views.project_decide, name="project_decide"),
    path("<int:pk>/pay/", execution_views.project_pay, name="project_pay"),
    path("<int:pk>/act/", execution_views.project_act, name="project_act"),
    path("<int:pk>/agreement.docx", execution_views.project_docx, name="project_docx"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/autosave/", views.application_autosave, name="application_autosave"),
    path("applications/<int:pk>/upload/", views.application_upload, name="application_upload"),
    path("applications/<int:pk>/submit/", views.application_submit_view, name="application_submit"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw_view, name="application_withdraw"),
    path(
        "applications/<int:pk>/withdrawal-requests/",
        withdrawal_views.withdrawal_request_create,
        name="withdrawal_request_create",
    ),
    path(
        "withdrawal-requests/<int:pk>/decide/",
        withdrawal_views.withdrawal_request_decide_view,
        name="withdrawal_request_decide",
    ),
    path("integrity/new/", execution_views.integrity_record_create_view, name="integrity_create"),
    path("applications/<int:pk>/recommend/", views.application_recommend_view, name="application_recommend"),
    path("applications/<int:pk>/check/", views.application_check_view, name="application_check"),
]
