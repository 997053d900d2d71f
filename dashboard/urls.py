from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("indicators/", views.indicator_list, name="indicator-list"),
    path("indicators/new/", views.indicator_create, name="indicator-create"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator-detail"),
    path("indicators/<str:code>/edit/", views.indicator_edit, name="indicator-edit"),
    path("qsgs/<id:pk>/", views.qsg_matrix, name="qsg-matrix"),
    path("qsgs/<id:pk>/signals/", views.qsg_signals, name="qsg-signals"),
    path("providers/<id:pk>/", views.provider_dashboard, name="provider"),
    path("providers/<id:pk>/<str:code>/", views.series_detail, name="series"),
    path("providers/<id:pk>/<str:code>/rebase/", views.rebase_add, name="rebase-add"),
    path("imports/", views.import_list, name="import-list"),
    path("imports/new/", views.import_new, name="import-new"),
    path("imports/preview/<id:pk>/", views.import_preview, name="import-preview"),
    path("imports/template.csv", views.import_template, name="import-template"),
    path("imports/<id:pk>/", views.import_detail, name="import-detail"),
    path("imports/<id:pk>/errors.csv", views.import_errors, name="import-errors"),
    path("mappings/", views.mapping_list, name="mapping-list"),
    path("jobs/", views.job_list, name="job-list"),
]
