"""URLs of local reports, the regional view and assurance returns (surveillance namespace)."""

from django.urls import path

from surveillance.regional import views as v

urlpatterns = [
    path("regional/", v.regional_index, name="regional-index"),
    path("regional/regions/<id:pk>/", v.regional_view, name="regional-view"),
    path(
        "regional/regions/<id:pk>/recommendations/new/",
        v.recommendation_create,
        name="recommendation-create",
    ),
    path("regional/qsgs/<id:qsg_pk>/reports/", v.local_report_list, name="local-report-list"),
    path(
        "regional/qsgs/<id:qsg_pk>/reports/new/",
        v.local_report_create,
        name="local-report-create",
    ),
    path("regional/reports/<id:pk>/", v.local_report_detail, name="local-report-detail"),
    path(
        "regional/reports/<id:pk>/sections/<id:section_pk>/edit/",
        v.local_report_section_edit,
        name="local-report-section-edit",
    ),
    path("regional/reports/<id:pk>/redraft/", v.local_report_redraft, name="local-report-redraft"),
    path("regional/reports/<id:pk>/submit/", v.local_report_submit, name="local-report-submit"),
    path("regional/reports/<id:pk>/comment/", v.local_report_comment, name="local-report-comment"),
    path(
        "regional/reports/<id:pk>/acknowledge/",
        v.local_report_acknowledge,
        name="local-report-acknowledge",
    ),
    path("regional/qsgs/<id:qsg_pk>/assurance/", v.assurance_list, name="assurance-list"),
    path(
        "regional/qsgs/<id:qsg_pk>/assurance/<str:month>/",
        v.assurance_return,
        name="assurance-return",
    ),
]
