from django.urls import path

from .views import (
    access_log,
    actions,
    closure,
    documents,
    judgement,
    meetings,
    participants,
    rapid_review,
    ring_holder,
    summits,
    trigger,
)

app_name = "risksummits"

S = "<id:pk>/"

urlpatterns = [
    path("", summits.summit_list, name="list"),
    path("new/", trigger.summit_trigger, name="trigger"),
    path(
        "rapid-reviews/new/",
        trigger.summit_trigger,
        {"kind": "rapid_review"},
        name="rapid-review-start",
    ),
    path(
        S + "outcome/<id:provider_pk>/",
        rapid_review.rapid_review_outcome,
        name="rapid-review-outcome",
    ),
    path("referrals/pick-up/", trigger.referrals_pick_up, name="referrals-pick-up"),
    path(S, summits.summit_detail, name="detail"),
    path(S + "edit/", trigger.summit_edit, name="edit"),
    path(S + "participants/add/", participants.participant_add, name="participant-add"),
    path(
        S + "participants/<id:participant_pk>/remove/",
        participants.participant_remove,
        name="participant-remove",
    ),
    path(
        S + "participants/<id:participant_pk>/people/add/",
        participants.representative_add,
        name="representative-add",
    ),
    path(S + "guests/new/", participants.guest_invite, name="guest-invite"),
    path(S + "ring-holder/", ring_holder.ring_holder, name="ring-holder"),
    path(S + "ring-holder/propose/", ring_holder.ring_holder_propose, name="ring-holder-propose"),
    path(S + "ring-holder/agreed/", ring_holder.ring_holder_confirm, name="ring-holder-confirm"),
    path(S + "judgement/", judgement.judgement, name="judgement"),
    path(S + "checks/", judgement.checks, name="checks"),
    path(S + "impact/new/", judgement.impact_request, name="impact-request"),
    path(S + "impact/<id:request_pk>/", judgement.impact_respond, name="impact-respond"),
    path(S + "meetings/new/", meetings.meeting_book, name="meeting-book"),
    path(S + "meetings/<id:meeting_pk>/", meetings.meeting_detail, name="meeting"),
    path(S + "meetings/<id:meeting_pk>/record/", meetings.meeting_record, name="meeting-record"),
    path(S + "meetings/<id:meeting_pk>/move/", meetings.meeting_move, name="meeting-move"),
    path(S + "meetings/<id:meeting_pk>/cancel/", meetings.meeting_cancel, name="meeting-cancel"),
    path(S + "actions/new/", actions.action_create, name="action-create"),
    path(S + "actions/<id:action_pk>/", actions.action_detail, name="action"),
    path(S + "close/", closure.summit_close, name="close"),
    path(S + "documents/new/", documents.document_request, name="document-request"),
    path(S + "documents/<id:document_pk>/", documents.document_detail, name="document"),
    path(
        S + "documents/<id:document_pk>/download/",
        documents.document_download,
        name="document-download",
    ),
    path(S + "access-log/", access_log.access_log, name="access-log"),
]
