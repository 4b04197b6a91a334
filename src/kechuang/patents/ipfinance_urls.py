"""IP finance pages (mounted at /patents/ip/, names in the patents: namespace)."""

from django.urls import path

from . import ipfinance_views as views

urlpatterns = [
    path("pledges/", views.pledge_list, name="pledges"),
    path("pledges/new/", views.pledge_new, name="pledge_new"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge"),
    path("pledges/<int:pk>/edit/", views.pledge_edit, name="pledge_edit"),
    path("pledges/<int:pk>/<slug:action>/", views.pledge_action, name="pledge_action"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/steps/", views.case_step, name="case_step"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("demonstration-enterprises/", views.demo_enterprise_list, name="demo_enterprises"),
]
