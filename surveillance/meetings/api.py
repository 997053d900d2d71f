"""The meetings API: meetings, agenda items, attendance, conclusions and actions.

Reads go through surveillance.meetings.access (the same rules as the pages: confidential
rows only for those who see confidential material, note content by the note's state);
writes through surveillance.meetings.services.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils import timezone
from rest_framework import mixins, serializers

from qsg import access as qsg_access
from qsg.api.base import AccessViewSet, denied_unless
from qsg.api.fields import CodeField, TargetField, VisibleRelatedField
from qsg.api.filters import IdFilter, StrictBooleanFilter
from qsg.models import QSG, Organisation, Provider, User
from surveillance.intelligence.api import InheritedSerializer
from surveillance.meetings import access as am
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import (
    Action,
    AgendaItem,
    Attendance,
    Conclusion,
    ConclusionCategory,
    FOIExemption,
    Meeting,
    MeetingNote,
)
from surveillance.meetings.services import actions as actions_services
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.services import attendance as attendance_services
from surveillance.meetings.services import note as note_services
from surveillance.meetings.services import schedule as schedule_services

# Meetings -------------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    qsg = TargetField(qsg_access.qsg_for_user, model=QSG, noun="QSG")
    date = serializers.DateField(write_only=True)
    start_time = serializers.TimeField(write_only=True)
    end_time = serializers.TimeField(write_only=True)
    note_status = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "qsg",
            "series",
            "title",
            "starts_at",
            "ends_at",
            "date",
            "start_time",
            "end_time",
            "venue",
            "dial_in",
            "status",
            "note_status",
        ]
        read_only_fields = ["id", "series", "starts_at", "ends_at", "note_status"]

    def get_note_status(self, obj) -> str | None:
        try:
            return obj.note.status
        except MeetingNote.DoesNotExist:
            return None

    def to_internal_value(self, data):
        if self.instance is not None and self.partial:
            local_start = timezone.localtime(self.instance.starts_at)
            data = {
                "date": local_start.date().isoformat(),
                "start_time": local_start.strftime("%H:%M"),
                "end_time": timezone.localtime(self.instance.ends_at).strftime("%H:%M"),
                "qsg": self.instance.qsg_id,
                **data,
            }
        return super().to_internal_value(data)


class MeetingFilter(django_filters.FilterSet):
    qsg = IdFilter(field_name="qsg_id")

    class Meta:
        model = Meeting
        fields = ["qsg", "status"]


class AgendaItemFilter(django_filters.FilterSet):
    meeting = IdFilter(field_name="meeting_id")

    class Meta:
        model = AgendaItem
        fields = ["meeting"]


class AttendanceFilter(django_filters.FilterSet):
    meeting = IdFilter(field_name="meeting_id")

    class Meta:
        model = Attendance
        fields = ["meeting", "status"]


class ConclusionFilter(django_filters.FilterSet):
    provider = IdFilter(field_name="provider_id")
    meeting = IdFilter(field_name="note__meeting_id")

    class Meta:
        model = Conclusion
        fields = ["provider", "meeting"]


class MeetingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    AccessViewSet,
):
    serializer_class = MeetingSerializer
    queryset = Meeting.objects.all()
    filterset_class = MeetingFilter
    ordering_fields = ["starts_at"]

    def visible_queryset(self):
        return am.meetings_for(self.request.user).select_related("note").order_by("starts_at")

    def fetch(self, pk, *, manage):
        return am.meeting_for_user(self.request.user, pk, manage=manage)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        qsg = data.pop("qsg")  # TargetField: visible and managed
        data.pop("status", None)
        serializer.instance = schedule_services.meeting_create(
            actor=self.request.user, qsg=qsg, **data
        )

    def perform_update(self, serializer):
        meeting = serializer.instance
        data = dict(serializer.validated_data)
        data.pop("qsg", None)
        fields = {
            "title": meeting.title,
            "venue": meeting.venue,
            "dial_in": meeting.dial_in,
            "status": meeting.status,
            **data,
        }
        serializer.instance = schedule_services.meeting_update(
            actor=self.request.user, meeting=meeting, **fields
        )


# Agenda items ----------------------------------------------------------------------------------


class AgendaItemSerializer(InheritedSerializer):
    """No words of an item made from intelligence the reader may not read."""

    inherit_words = am.AGENDA_WORDS
    meeting = TargetField(am.meeting_for_user, model=Meeting)
    providers = VisibleRelatedField(
        qsg_access.providers_for, model=Provider, many=True, required=False
    )
    presenter_organisation = VisibleRelatedField(
        qsg_access.organisations_for, model=Organisation, required=False, allow_null=True
    )

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "position",
            "title",
            "kind",
            "description",
            "presenter",
            "presenter_organisation",
            "duration_minutes",
            "papers",
            "is_confidential",
            "providers",
            "source",
        ]
        read_only_fields = ["id", "position", "source"]


class AgendaItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AccessViewSet,
):
    serializer_class = AgendaItemSerializer
    queryset = AgendaItem.objects.all()
    filterset_class = AgendaItemFilter

    def visible_queryset(self):
        return (
            am.agenda_items_for(self.request.user)
            .prefetch_related("providers")
            .order_by("meeting_id", "position")
        )

    def fetch(self, pk, *, manage):
        item = self.visible_queryset().filter(pk=am._int(pk)).select_related("meeting").first()
        if item is None:
            raise qsg_access.not_found()
        if manage:
            qsg_access.require(am.manages(self.request.user, item.meeting.qsg_id))
        return item

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        meeting = data.pop("meeting")  # TargetField: visible and managed
        providers = data.pop("providers", [])
        serializer.instance = agenda_services.agenda_item_create(
            actor=self.request.user, meeting=meeting, providers=providers, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("meeting", None)
        providers = data.pop("providers", None)
        serializer.instance = agenda_services.agenda_item_update(
            actor=self.request.user, item=serializer.instance, providers=providers, **data
        )

    def perform_destroy(self, instance):
        agenda_services.agenda_item_delete(actor=self.request.user, item=instance)


# Attendance -------------------------------------------------------------------------------------


class AttendanceSerializer(serializers.ModelSerializer):
    meeting = TargetField(am.meeting_for_user, model=Meeting)
    user = VisibleRelatedField(
        qsg_access.people_for, model=User, noun="person", required=False, allow_null=True
    )
    # Guests come from any organisation: the directory the secretariat chooses from.
    organisation = VisibleRelatedField(qsg_access.organisation_directory_for, model=Organisation)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    minutes = serializers.IntegerField(read_only=True)

    class Meta:
        model = Attendance
        fields = [
            "id",
            "meeting",
            "user",
            "name",
            "organisation",
            "organisation_name",
            "capacity",
            "status",
            "present_from",
            "present_to",
            "minutes",
            "deputy_for",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {"name": {"required": False, "allow_blank": True}}


class AttendanceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AccessViewSet,
):
    serializer_class = AttendanceSerializer
    queryset = Attendance.objects.all()
    filterset_class = AttendanceFilter

    def visible_queryset(self):
        return (
            am.attendance_for(self.request.user)
            .select_related("organisation")
            .order_by("meeting_id", "name")
        )

    def fetch(self, pk, *, manage):
        row = self.visible_queryset().select_related("meeting").filter(pk=am._int(pk)).first()
        if row is None:
            raise qsg_access.not_found()
        if manage:
            qsg_access.require(am.manages(self.request.user, row.meeting.qsg_id))
        return row

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        meeting = data.pop("meeting")
        serializer.instance = attendance_services.attendance_add(
            actor=self.request.user, meeting=meeting, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("meeting", None)
        serializer.instance = attendance_services.attendance_update(
            actor=self.request.user, row=serializer.instance, **data
        )

    def perform_destroy(self, instance):
        attendance_services.attendance_remove(actor=self.request.user, row=instance)


# Conclusions ------------------------------------------------------------------------------------


class ConclusionSerializer(InheritedSerializer):
    inherit_words = selectors_meetings.CONCLUSION_WORDS
    meeting = TargetField(am.meeting_for_user, model=Meeting, source="note.meeting")
    provider = VisibleRelatedField(qsg_access.providers_for, model=Provider)
    category = CodeField(
        queryset=ConclusionCategory.objects.none(),
        help_text="The code of a conclusion category the deployment's profile offers "
        "(a conclusion keeps its own category on update).",
    )
    category_label = serializers.CharField(source="category.label", read_only=True)
    foi_exemption = CodeField(
        queryset=FOIExemption.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    agenda_item = VisibleRelatedField(
        am.agenda_items_for, model=AgendaItem, required=False, allow_null=True
    )

    class Meta:
        model = Conclusion
        fields = [
            "id",
            "meeting",
            "provider",
            "agenda_item",
            "category",
            "category_label",
            "key_issues",
            "rationale",
            "dissent",
            "chair_decision",
            "foi_exemption",
        ]
        read_only_fields = ["id", "chair_decision"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own = getattr(self.instance, "category_id", None)
        self.fields["category"].queryset = selectors_meetings.categories(keep=own)


class ConclusionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    AccessViewSet,
):
    serializer_class = ConclusionSerializer
    queryset = Conclusion.objects.all()
    filterset_class = ConclusionFilter

    def visible_queryset(self):
        return (
            am.conclusions_for(self.request.user)
            .select_related("note", "category", "foi_exemption")
            .order_by("note__meeting__starts_at", "provider__name")
        )

    def fetch(self, pk, *, manage):
        row = self.visible_queryset().select_related("note__meeting").filter(pk=am._int(pk)).first()
        if row is None:
            raise qsg_access.not_found()
        if manage:
            qsg_access.require(am.manages(self.request.user, row.note.meeting.qsg_id))
        return row

    def _save(self, serializer, conclusion=None):
        data = dict(serializer.validated_data)
        named = data.pop("note", {}).get("meeting")  # TargetField: visible and managed
        meeting = conclusion.note.meeting if conclusion else named
        note = am.note_for_user(self.request.user, meeting)
        provider = data.pop("provider", conclusion.provider if conclusion else None)
        fields = {
            "category": conclusion.category if conclusion else None,
            "key_issues": conclusion.key_issues if conclusion else "",
            "rationale": conclusion.rationale if conclusion else "",
            "dissent": conclusion.dissent if conclusion else "",
            "agenda_item": conclusion.agenda_item if conclusion else None,
            "foi_exemption": conclusion.foi_exemption if conclusion else None,
            **data,
        }
        if fields["category"] is None:
            raise serializers.ValidationError({"category": ["This field is required."]})
        serializer.instance = note_services.conclusion_save(
            actor=self.request.user, note=note, provider=provider, conclusion=conclusion, **fields
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


# Actions --------------------------------------------------------------------------------------


class ActionSerializer(InheritedSerializer):
    inherit_words = am.ACTION_WORDS
    reference = serializers.CharField(read_only=True)
    meeting = serializers.IntegerField(source="note.meeting_id", read_only=True, allow_null=True)
    owner_organisation_name = serializers.CharField(
        source="owner_organisation.name", read_only=True
    )
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "reference",
            "qsg",
            "meeting",
            "transferred_from",
            "provider",
            "description",
            "owner_organisation",
            "owner_organisation_name",
            "owner",
            "due_date",
            "status",
            "progress_note",
            "completed_on",
            "is_overdue",
        ]
        read_only_fields = [
            "id",
            "qsg",
            "transferred_from",
            "provider",
            "description",
            "owner_organisation",
            "owner",
            "due_date",
        ]

    def get_is_overdue(self, obj) -> bool:
        return obj.is_open and obj.due_date < timezone.localdate()


class ActionFilter(django_filters.FilterSet):
    overdue = StrictBooleanFilter(method="filter_overdue")
    qsg = IdFilter(field_name="qsg_id")
    owner_organisation = IdFilter(field_name="owner_organisation_id")
    provider = IdFilter(field_name="provider_id")

    class Meta:
        model = Action
        fields = ["qsg", "owner_organisation", "status", "provider"]

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(
                due_date__lt=timezone.localdate(), status__in=Action.OPEN_STATUSES
            )
        return queryset


class ActionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    AccessViewSet,
):
    """Actions agreed at meetings. PATCH records progress (status, progress note, date completed):
    the secretariat or the action's owner."""

    serializer_class = ActionSerializer
    queryset = Action.objects.all()
    filterset_class = ActionFilter
    ordering_fields = ["due_date", "number"]

    def visible_queryset(self):
        return (
            am.actions_for(self.request.user)
            .select_related("owner_organisation", "note")
            .order_by("due_date", "number")
        )

    def fetch(self, pk, *, manage):
        action = am.action_for_user(self.request.user, pk)
        if manage:
            denied_unless(am.can_update_action(self.request.user, action))
        return action

    def perform_update(self, serializer):
        data = serializer.validated_data
        action = serializer.instance
        completed = data.get("completed_on", action.completed_on)
        serializer.instance = actions_services.action_update_status(
            actor=self.request.user,
            action=action,
            status=data.get("status", action.status),
            progress_note=data.get("progress_note", action.progress_note),
            completed_on=completed if isinstance(completed, dt.date) else None,
        )


def register(router) -> None:
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
    router.register("attendance", AttendanceViewSet, basename="attendance")
    router.register("conclusions", ConclusionViewSet, basename="conclusion")
    router.register("actions", ActionViewSet, basename="action")
