"""URLs of meetings, included in the surveillance namespace by surveillance/urls.py."""

from django.urls import path

from surveillance.meetings.views import (
    actions,
    agenda,
    attendance,
    note,
    pdf,
    plans,
    schedule,
    workflow,
)

urlpatterns = [
    path("meetings/", schedule.meeting_index, name="meeting-index"),
    path("qsgs/<id:qsg_pk>/meetings/", schedule.meeting_list, name="meeting-list"),
    path("qsgs/<id:qsg_pk>/meetings/series/new/", schedule.series_create, name="series-create"),
    path("qsgs/<id:qsg_pk>/meetings/new/", schedule.meeting_create, name="meeting-create"),
    path("qsgs/<id:qsg_pk>/meetings.ics", schedule.qsg_ics, name="qsg-ics"),
    path("qsgs/<id:qsg_pk>/business-plans/", plans.plan_list, name="plan-list"),
    path("qsgs/<id:qsg_pk>/coverage/", plans.coverage, name="coverage"),
    path("qsgs/<id:qsg_pk>/quorum/", attendance.quorum_settings, name="quorum-settings"),
    path("qsgs/<id:qsg_pk>/quorum/defaults/", attendance.quorum_defaults, name="quorum-defaults"),
    path(
        "qsgs/<id:qsg_pk>/quorum/<id:requirement_pk>/remove/",
        attendance.quorum_requirement_delete,
        name="quorum-requirement-delete",
    ),
    path("meetings/series/<id:series_pk>.ics", schedule.series_ics, name="series-ics"),
    path("meetings/<id:pk>/", schedule.meeting_detail, name="meeting-detail"),
    path("meetings/<id:pk>/edit/", schedule.meeting_edit, name="meeting-edit"),
    path("meetings/<id:pk>/meeting.ics", schedule.meeting_ics, name="meeting-ics"),
    path("meetings/<id:pk>/agenda/", agenda.agenda, name="agenda"),
    path("meetings/<id:pk>/agenda/template/", agenda.agenda_template, name="agenda-template"),
    path(
        "meetings/<id:pk>/agenda/proposals/",
        agenda.agenda_suggestions_add,
        name="agenda-suggestions",
    ),
    path(
        "meetings/<id:pk>/agenda/items/new/", agenda.agenda_item_create, name="agenda-item-create"
    ),
    path(
        "meetings/<id:pk>/agenda/items/<id:item_pk>/edit/",
        agenda.agenda_item_edit,
        name="agenda-item-edit",
    ),
    path(
        "meetings/<id:pk>/agenda/items/<id:item_pk>/remove/",
        agenda.agenda_item_delete,
        name="agenda-item-delete",
    ),
    path(
        "meetings/<id:pk>/agenda/items/<id:item_pk>/move/",
        agenda.agenda_item_move,
        name="agenda-item-move",
    ),
    path("meetings/<id:pk>/attendance/", attendance.attendance, name="attendance"),
    path("meetings/<id:pk>/attendance/quorum/", attendance.quorum_panel, name="quorum-panel"),
    path(
        "meetings/<id:pk>/attendance/expected/",
        attendance.attendance_expected,
        name="attendance-expected",
    ),
    path(
        "meetings/<id:pk>/attendance/<id:row_pk>/edit/",
        attendance.attendance_edit,
        name="attendance-edit",
    ),
    path(
        "meetings/<id:pk>/attendance/<id:row_pk>/remove/",
        attendance.attendance_delete,
        name="attendance-delete",
    ),
    path("meetings/<id:pk>/note/", note.note, name="note"),
    path("meetings/<id:pk>/note/start/", note.note_start, name="note-start"),
    path("meetings/<id:pk>/note/records/new/", note.passage_create, name="passage-create"),
    path(
        "meetings/<id:pk>/note/records/<id:passage_pk>/edit/",
        note.passage_edit,
        name="passage-edit",
    ),
    path(
        "meetings/<id:pk>/note/records/<id:passage_pk>/remove/",
        note.passage_delete,
        name="passage-delete",
    ),
    path(
        "meetings/<id:pk>/note/conclusions/new/", note.conclusion_create, name="conclusion-create"
    ),
    path(
        "meetings/<id:pk>/note/conclusions/<id:conclusion_pk>/edit/",
        note.conclusion_edit,
        name="conclusion-edit",
    ),
    path(
        "meetings/<id:pk>/note/conclusions/<id:conclusion_pk>/remove/",
        note.conclusion_delete,
        name="conclusion-delete",
    ),
    path(
        "meetings/<id:pk>/note/conclusions/<id:conclusion_pk>/settle/",
        note.conclusion_settle,
        name="conclusion-settle",
    ),
    path("meetings/<id:pk>/note/actions/new/", actions.action_create, name="action-create"),
    path(
        "meetings/<id:pk>/note/actions/<id:action_pk>/edit/",
        actions.action_edit,
        name="action-edit",
    ),
    path(
        "meetings/<id:pk>/note/actions/<id:action_pk>/remove/",
        actions.action_delete,
        name="action-delete",
    ),
    path("meetings/<id:pk>/note/circulate/", workflow.note_circulate, name="note-circulate"),
    path("meetings/<id:pk>/note/comments/", workflow.note_comment, name="note-comment"),
    path("meetings/<id:pk>/note/agree/", workflow.note_agree, name="note-agree"),
    path("meetings/<id:pk>/note/new-version/", workflow.note_revise, name="note-revise"),
    path("meetings/<id:pk>/note/publish/", workflow.note_publish, name="note-publish"),
    path("meetings/<id:pk>/note/versions/<id:number>/", workflow.note_version, name="note-version"),
    path("meetings/<id:pk>/note/pdf/", pdf.note_pdf, name="note-pdf"),
    path("meetings/<id:pk>/note/pdf/<uuid:job_id>/", pdf.note_pdf_status, name="note-pdf-status"),
    path(
        "meetings/<id:pk>/note/pdf/<uuid:job_id>/download/",
        pdf.note_pdf_download,
        name="note-pdf-download",
    ),
    path("actions/", actions.action_list, name="action-list"),
    path("actions/<id:action_pk>/", actions.action_update, name="action-update"),
    path("business-plans/<id:pk>/", plans.plan_detail, name="plan-detail"),
    path("business-plans/<id:pk>/entries/new/", plans.plan_entry_create, name="plan-entry-create"),
    path(
        "business-plans/<id:pk>/entries/<id:entry_pk>/remove/",
        plans.plan_entry_delete,
        name="plan-entry-delete",
    ),
    path("business-plans/<id:pk>/distribute/", plans.plan_distribute, name="plan-distribute"),
]
