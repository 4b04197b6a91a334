from django.urls import path

from . import carrier_views as views

# Mounted at /carriers/ in the "carriers" namespace.
urlpatterns = [
    path("", views.carrier_list, name="list"),
    path("new/", views.carrier_create_view, name="create"),
    path("<int:pk>/", views.carrier_detail, name="detail"),
    path("<int:pk>/edit/", views.carrier_edit_view, name="edit"),
    path("<int:pk>/remove/", views.carrier_remove_view, name="remove"),
    path("<int:pk>/restore/", views.carrier_restore_view, name="restore"),
    path("<int:pk>/certificate/", views.certificate_download, name="certificate"),
    path("<int:pk>/incubatees/new/", views.incubatee_add_view, name="incubatee_add"),
    path("incubatees/<int:pk>/edit/", views.incubatee_edit_view, name="incubatee_edit"),
    path("incubatees/<int:pk>/exit/", views.incubatee_exit_view, name="incubatee_exit"),
    path("incubatees/<int:pk>/revenue/", views.incubatee_revenue_view, name="incubatee_revenue"),
    path("<int:pk>/reports/<int:year>/", views.report_view, name="report"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/return/", views.report_return_view, name="report_return"),
    path("reports/<int:pk>/accept/", views.report_accept_view, name="report_accept"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/new/", views.indicator_create_view, name="indicator_create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit_view, name="indicator_edit"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/new/", views.scheme_create_view, name="scheme_create"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/edit/", views.scheme_edit_view, name="scheme_edit"),
    path("schemes/<int:pk>/evaluate/", views.scheme_evaluate_view, name="scheme_evaluate"),
    path("schemes/<int:pk>/publish/", views.scheme_publish_view, name="scheme_publish"),
    path("schemes/<int:pk>/export/", views.scheme_export, name="scheme_export"),
    path("evaluations/<int:pk>/note/", views.evaluation_note_view, name="evaluation_note"),
]
