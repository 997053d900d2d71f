"""URLs of meetings, included in the surveillance namespace by surveillance/urls.py."""

from django.urls import path

from surveillance.meetings import views as v

urlpatterns = [
    path("meetings/", v.meeting_index, name="meeting-index"),
    path("qsgs/<int:qsg_pk>/meetings/", v.meeting_list, name="meeting-list"),
    path("qsgs/<int:qsg_pk>/meetings/series/new/", v.series_create, name="series-create"),
    path("qsgs/<int:qsg_pk>/meetings/new/", v.meeting_create, name="meeting-create"),
    path("qsgs/<int:qsg_pk>/meetings.ics", v.qsg_ics, name="qsg-ics"),
    path("qsgs/<int:qsg_pk>/business-plans/", v.plan_list, name="plan-list"),
    path("qsgs/<int:qsg_pk>/coverage/", v.coverage, name="coverage"),
    path("qsgs/<int:qsg_pk>/quorum/", v.quorum_settings, name="quorum-settings"),
    path("qsgs/<int:qsg_pk>/quorum/defaults/", v.quorum_defaults, name="quorum-defaults"),
    path(
        "qsgs/<int:qsg_pk>/quorum/<int:requirement_pk>/remove/",
        v.quorum_requirement_delete,
        name="quorum-requirement-delete",
    ),
    path("meetings/series/<int:series_pk>.ics", v.series_ics, name="series-ics"),
    path("meetings/<int:pk>/", v.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", v.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/meeting.ics", v.meeting_ics, name="meeting-ics"),
    path("meetings/<int:pk>/agenda/", v.agenda, name="agenda"),
    path("meetings/<int:pk>/agenda/template/", v.agenda_template, name="agenda-template"),
    path(
        "meetings/<int:pk>/agenda/proposals/", v.agenda_suggestions_add, name="agenda-suggestions"
    ),
    path("meetings/<int:pk>/agenda/items/new/", v.agenda_item_create, name="agenda-item-create"),
    path(
        "meetings/<int:pk>/agenda/items/<int:item_pk>/edit/",
        v.agenda_item_edit,
        name="agenda-item-edit",
    ),
    path(
        "meetings/<int:pk>/agenda/items/<int:item_pk>/remove/",
        v.agenda_item_delete,
        name="agenda-item-delete",
    ),
    path(
        "meetings/<int:pk>/agenda/items/<int:item_pk>/move/",
        v.agenda_item_move,
        name="agenda-item-move",
    ),
    path("meetings/<int:pk>/attendance/", v.attendance, name="attendance"),
    path("meetings/<int:pk>/attendance/quorum/", v.quorum_panel, name="quorum-panel"),
    path(
        "meetings/<int:pk>/attendance/<int:row_pk>/edit/", v.attendance_edit, name="attendance-edit"
    ),
    path(
        "meetings/<int:pk>/attendance/<int:row_pk>/remove/",
        v.attendance_delete,
        name="attendance-delete",
    ),
    path("meetings/<int:pk>/note/", v.note, name="note"),
    path("meetings/<int:pk>/note/start/", v.note_start, name="note-start"),
    path("meetings/<int:pk>/note/records/new/", v.passage_create, name="passage-create"),
    path(
        "meetings/<int:pk>/note/records/<int:passage_pk>/edit/", v.passage_edit, name="passage-edit"
    ),
    path(
        "meetings/<int:pk>/note/records/<int:passage_pk>/remove/",
        v.passage_delete,
        name="passage-delete",
    ),
    path("meetings/<int:pk>/note/conclusions/new/", v.conclusion_create, name="conclusion-create"),
    path(
        "meetings/<int:pk>/note/conclusions/<int:conclusion_pk>/edit/",
        v.conclusion_edit,
        name="conclusion-edit",
    ),
    path(
        "meetings/<int:pk>/note/conclusions/<int:conclusion_pk>/remove/",
        v.conclusion_delete,
        name="conclusion-delete",
    ),
    path(
        "meetings/<int:pk>/note/conclusions/<int:conclusion_pk>/settle/",
        v.conclusion_settle,
        name="conclusion-settle",
    ),
    path("meetings/<int:pk>/note/actions/new/", v.action_create, name="action-create"),
    path("meetings/<int:pk>/note/actions/<int:action_pk>/edit/", v.action_edit, name="action-edit"),
    path(
        "meetings/<int:pk>/note/actions/<int:action_pk>/remove/",
        v.action_delete,
        name="action-delete",
    ),
    path("meetings/<int:pk>/note/circulate/", v.note_circulate, name="note-circulate"),
    path("meetings/<int:pk>/note/comments/", v.note_comment, name="note-comment"),
    path("meetings/<int:pk>/note/agree/", v.note_agree, name="note-agree"),
    path("meetings/<int:pk>/note/new-version/", v.note_revise, name="note-revise"),
    path("meetings/<int:pk>/note/publish/", v.note_publish, name="note-publish"),
    path("meetings/<int:pk>/note/versions/<int:number>/", v.note_version, name="note-version"),
    path("meetings/<int:pk>/note/pdf/", v.note_pdf, name="note-pdf"),
    path("meetings/<int:pk>/note/pdf/<uuid:job_id>/", v.note_pdf_status, name="note-pdf-status"),
    path(
        "meetings/<int:pk>/note/pdf/<uuid:job_id>/download/",
        v.note_pdf_download,
        name="note-pdf-download",
    ),
    path("actions/", v.action_list, name="action-list"),
    path("actions/<int:action_pk>/", v.action_update, name="action-update"),
    path("business-plans/<int:pk>/", v.plan_detail, name="plan-detail"),
    path("business-plans/<int:pk>/entries/new/", v.plan_entry_create, name="plan-entry-create"),
    path(
        "business-plans/<int:pk>/entries/<int:entry_pk>/remove/",
        v.plan_entry_delete,
        name="plan-entry-delete",
    ),
    path("business-plans/<int:pk>/distribute/", v.plan_distribute, name="plan-distribute"),
]
