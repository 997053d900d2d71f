"""URLs of the intelligence pages, included in the surveillance namespace."""

from django.urls import path

from surveillance.intelligence import views as v

urlpatterns = [
    path("intelligence/", v.intelligence_list, name="intelligence-list"),
    path("intelligence/export.csv", v.intelligence_export, name="intelligence-export"),
    path("intelligence/new/", v.intelligence_new, name="intelligence-new"),
    path("intelligence/drafts/<id:pk>/check/", v.intelligence_check, name="intelligence-check"),
    path(
        "intelligence/drafts/<id:pk>/delete/",
        v.intelligence_draft_delete,
        name="intelligence-draft-delete",
    ),
    path(
        "intelligence/drafts/<id:pk>/<slug:step>/",
        v.intelligence_step,
        name="intelligence-step",
    ),
    path("intelligence/triage/", v.intelligence_triage_queue, name="intelligence-triage-queue"),
    path("intelligence/access-log/", v.intelligence_access_log, name="intelligence-access-log"),
    path("intelligence/<id:pk>/", v.intelligence_detail, name="intelligence-detail"),
    path(
        "intelligence/<id:pk>/submitted/",
        v.intelligence_submitted,
        name="intelligence-submitted",
    ),
    path(
        "intelligence/<id:pk>/similar/",
        v.intelligence_corroborate,
        name="intelligence-corroborate",
    ),
    path("intelligence/<id:pk>/sharing/", v.intelligence_widen, name="intelligence-widen"),
    path("intelligence/<id:pk>/triage/", v.intelligence_triage, name="intelligence-triage"),
    path("intelligence/<id:pk>/merge/", v.intelligence_merge, name="intelligence-merge"),
]
