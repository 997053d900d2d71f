from django.urls import path

from . import views

app_name = "risksummits"

S = "<int:pk>/"

urlpatterns = [
    path("", views.summit_list, name="list"),
    path("new/", views.summit_trigger, name="trigger"),
    path("referrals/pick-up/", views.referrals_pick_up, name="referrals-pick-up"),
    path(S, views.summit_detail, name="detail"),
    path(S + "edit/", views.summit_edit, name="edit"),
    path(S + "participants/add/", views.participant_add, name="participant-add"),
    path(
        S + "participants/<int:participant_pk>/remove/",
        views.participant_remove,
        name="participant-remove",
    ),
    path(
        S + "participants/<int:participant_pk>/people/add/",
        views.representative_add,
        name="representative-add",
    ),
    path(S + "guests/new/", views.guest_invite, name="guest-invite"),
    path(S + "ring-holder/", views.ring_holder, name="ring-holder"),
    path(S + "ring-holder/propose/", views.ring_holder_propose, name="ring-holder-propose"),
    path(S + "ring-holder/agreed/", views.ring_holder_confirm, name="ring-holder-confirm"),
    path(S + "judgement/", views.judgement, name="judgement"),
    path(S + "checks/", views.checks, name="checks"),
    path(S + "impact/new/", views.impact_request, name="impact-request"),
    path(S + "impact/<int:request_pk>/", views.impact_respond, name="impact-respond"),
    path(S + "meetings/new/", views.meeting_book, name="meeting-book"),
    path(S + "meetings/<int:meeting_pk>/", views.meeting_detail, name="meeting"),
    path(S + "meetings/<int:meeting_pk>/record/", views.meeting_record, name="meeting-record"),
    path(S + "meetings/<int:meeting_pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path(S + "actions/new/", views.action_create, name="action-create"),
    path(S + "actions/<int:action_pk>/", views.action_detail, name="action"),
    path(S + "close/", views.summit_close, name="close"),
    path(S + "documents/new/", views.document_request, name="document-request"),
    path(S + "documents/<int:document_pk>/", views.document_detail, name="document"),
    path(
        S + "documents/<int:document_pk>/download/",
        views.document_download,
        name="document-download",
    ),
    path(S + "access-log/", views.access_log, name="access-log"),
]
