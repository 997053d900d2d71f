"""The risk summits API: /api/v1/risk-summits/ with participants, meetings, judgements, actions.

The same access rules as the pages (risksummits.access): a summit the caller may not see is not
found; a participant limited to shared items gets only the heading, shared meetings and shared
actions. Every read of a summit is recorded in its access log.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from qsg import access as qsg_access
from qsg.api.base import AccessViewSet, idempotency_key
from qsg.api.fields import IdField, VisibleRelatedField
from qsg.api.filters import IdFilter
from qsg.models import Organisation, User
from surveillance.intelligence.access import items_for
from surveillance.intelligence.api import InheritedSerializer
from surveillance.meetings.access import agenda_items_for

from . import access, rules, selectors
from .models import (
    CQCJudgement,
    Participant,
    RiskSummit,
    SummitAction,
    SummitMeeting,
)
from .services.access_log import access_log_record
from .services.actions import action_create
from .services.trigger import summit_trigger


class SummitSerializer(InheritedSerializer):
    """A reader who may not read what the summit was raised from gets none of its words
    (`access.SOURCE_WORDS`) nor its source's ids."""

    inherit_words = (*access.SOURCE_WORDS, "source_item", "source_agenda_item")

    providers = serializers.SerializerMethodField()
    qsg_name = serializers.CharField(source="qsg.name", read_only=True)
    ring_holder_name = serializers.CharField(
        source="ring_holder.name", read_only=True, default=None
    )
    first_meeting_due = serializers.DateTimeField(read_only=True)
    clock = serializers.SerializerMethodField()
    stage = serializers.SerializerMethodField()
    # Both use the yes / no / not applicable answers: plain strings keep one enum in the schema.
    adult_safeguarding_followed = serializers.CharField(read_only=True)
    lscb_notified = serializers.CharField(read_only=True)

    class Meta:
        model = RiskSummit
        fields = [
            "id",
            "reference",
            "status",
            "qsg",
            "qsg_name",
            "providers",
            "concern",
            "source",
            "source_detail",
            "source_item",
            "source_agenda_item",
            "urgency",
            "clock_hours",
            "judged_at",
            "first_meeting_due",
            "clock",
            "stage",
            "involves_adult_safeguarding",
            "involves_child_safeguarding",
            "origin",
            "triggered_at",
            "ring_holder",
            "ring_holder_name",
            "ring_holder_status",
            "ring_holder_basis",
            "professional_referral",
            "professional_regulator",
            "professional_referral_on",
            "adult_safeguarding_followed",
            "lscb_notified",
            "lscb_notified_on",
            "closed_at",
            "outcome",
            "outcome_summary",
            "level_after",
        ]
        read_only_fields = fields

    LIMITED = (
        "id",
        "reference",
        "status",
        "qsg",
        "qsg_name",
        "providers",
        "ring_holder",
        "ring_holder_name",
        "ring_holder_status",
        "triggered_at",
        "closed_at",
    )

    def get_providers(self, obj) -> list[dict]:
        return [{"id": p.pk, "name": p.name, "ods_code": p.ods_code} for p in obj.providers.all()]

    def get_clock(self, obj) -> str:
        return selectors.clock_for(obj, obj.meetings.all()).state

    def get_stage(self, obj) -> str:
        """first_meeting_due, meeting or closed (`risksummits.rules`)."""
        return rules.stage_name(obj, obj.meetings.all())

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.pk in self.context.get("limited_ids", ()):
            data = {k: v for k, v in data.items() if k in self.LIMITED}
        return data


def _sources(user, data: dict) -> dict:
    """`source_item` and `source_agenda_item` ids (API) as the records `user` may see; an id
    that is hidden or missing gets the same 400."""
    out = {}
    for field, rows, noun in (
        ("source_item", items_for, "an intelligence item"),
        ("source_agenda_item", agenda_items_for, "an agenda item"),
    ):
        pk = data.get(field)
        if pk is None:
            continue
        found = rows(user).filter(pk=pk).first()
        if found is None:
            raise exceptions.ValidationError({field: [f"Choose {noun} you can see"]})
        out[field] = found
    return out


class SummitTriggerSerializer(serializers.Serializer):
    providers = serializers.ListField(child=IdField(), min_length=1, max_length=100)
    concern = serializers.CharField(max_length=4000)
    source = serializers.ChoiceField(choices=RiskSummit.Source.choices)
    source_detail = serializers.CharField(max_length=200, required=False, allow_blank=True)
    source_item = IdField(required=False, help_text="The intelligence item that raised it")
    source_agenda_item = IdField(
        required=False, help_text="The QSG agenda item whose discussion raised it"
    )
    urgency = serializers.ChoiceField(choices=RiskSummit.Urgency.choices)
    judged_at = serializers.DateTimeField()
    clock_hours = serializers.IntegerField(min_value=1, max_value=168, required=False)
    involves_adult_safeguarding = serializers.BooleanField(required=False, default=False)
    involves_child_safeguarding = serializers.BooleanField(required=False, default=False)
    idempotency_key = serializers.CharField(max_length=80, required=False, allow_blank=True)


class SummitParticipantSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    people = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()

    class Meta:
        model = Participant
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "basis",
            "role",
            "is_guest",
            "shared_items_only",
            "ring_holder_position",
            "people",
        ]
        read_only_fields = fields

    def get_people(self, obj) -> list[str]:
        return [r.user.display_name for r in obj.representatives.all()]

    def get_role(self, obj) -> str:
        """Why the organisation takes part; "Holds the ring" only for the ring-holder now."""
        return rules.participant_role(self.context.get("summit") or obj.summit, obj)


class SummitMeetingSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    attendance = serializers.SerializerMethodField()

    class Meta:
        model = SummitMeeting
        fields = [
            "id",
            "number",
            "title",
            "starts_at",
            "ends_at",
            "status",
            "format",
            "venue",
            "late_reason",
            "shared_with_provider",
            "chaired_by",
            "discussion",
            "judgements",
            "attendance",
        ]
        read_only_fields = fields

    def get_attendance(self, obj) -> list[dict]:
        return [
            {"name": a.user.display_name, "organisation": a.organisation.name}
            for a in obj.attendance.all()
        ]


class SummitJudgementSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = CQCJudgement
        fields = ["id", "finding", "judged_on", "rationale", "organisation_name", "created_at"]
        read_only_fields = fields


def _of_summit(choices):
    """What the summit in the serializer's context offers (risksummits.access): a body naming
    anything else, or anything hidden, is answered as a missing id."""
    return lambda field, user: choices(field.context["standing"])


class SummitActionSerializer(serializers.ModelSerializer):
    owner_organisation = VisibleRelatedField(
        _of_summit(access.action_organisations_for), model=Organisation, with_field=True
    )
    owner = VisibleRelatedField(
        _of_summit(access.action_owners_for),
        model=User,
        noun="person",
        with_field=True,
        required=False,
        allow_null=True,
    )
    meeting = VisibleRelatedField(
        _of_summit(access.action_meetings_for),
        model=SummitMeeting,
        noun="risk summit meeting",
        with_field=True,
        required=False,
        allow_null=True,
    )
    owner_organisation_name = serializers.CharField(
        source="owner_organisation.name", read_only=True
    )
    idempotency_key = serializers.CharField(
        max_length=80, required=False, allow_blank=True, write_only=True
    )

    class Meta:
        model = SummitAction
        fields = [
            "id",
            "number",
            "objective",
            "description",
            "owner_organisation",
            "owner_organisation_name",
            "owner",
            "due_on",
            "status",
            "meeting",
            "shared_with_provider",
            "transferred_to",
            "idempotency_key",
        ]
        read_only_fields = ["id", "number", "status", "transferred_to"]


class SummitFilter(django_filters.FilterSet):
    qsg = IdFilter(field_name="qsg_id")

    class Meta:
        model = RiskSummit
        fields = ["status", "qsg", "ring_holder_status"]


def _translate(fn):
    try:
        return fn()
    except Http404 as exc:
        raise exceptions.NotFound() from exc
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied() from exc


class RiskSummitViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, AccessViewSet
):
    """Risk summits the caller may see. POST triggers a summit (idempotency_key: one per key)."""

    queryset = RiskSummit.objects.all()
    serializer_class = SummitSerializer
    filterset_class = SummitFilter
    search_fields = ["reference", "providers__name", "providers__ods_code"]
    ordering_fields = ["triggered_at", "reference"]

    def visible_queryset(self):
        return (
            access.summits_for(self.request.user)
            .select_related("qsg", "ring_holder")
            .prefetch_related("providers", "meetings")
            .order_by("-triggered_at", "-pk")
        )

    def fetch(self, pk, *, manage):
        self.standing = access.summit_for_user(self.request.user, pk, manage=manage)
        return self.standing.summit

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            p = qsg_access.principal(user)
            rows = Participant.objects.filter(
                representatives__user=user, shared_items_only=True, is_active=True
            ).values_list("summit_id", "summit__qsg_id")
            ctx["limited_ids"] = {
                sid for sid, qid in rows if not (p.is_team(qid) or p.reads_from_above(qid))
            }
        return ctx

    def get_serializer_class(self):
        if self.action == "create":
            return SummitTriggerSerializer
        return SummitSerializer

    def retrieve(self, request, *args, **kwargs):
        summit = self.get_object()
        access_log_record(user=request.user, summit=summit, what="API summit", channel="api")
        ctx = self.get_serializer_context()
        if self.standing.shared_only:
            ctx["limited_ids"] = {summit.pk}
        return Response(SummitSerializer(summit, context=ctx).data)

    @extend_schema(request=SummitTriggerSerializer, responses={201: SummitSerializer})
    def create(self, request, *args, **kwargs):
        serializer = SummitTriggerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        ids = data.pop("providers")
        key = idempotency_key(request, data)
        visible = set(
            qsg_access.providers_for(request.user).filter(pk__in=ids).values_list("pk", flat=True)
        )
        if set(ids) - visible:
            raise exceptions.NotFound()
        allowed = access.triggerable_providers_for(request.user).filter(pk__in=ids)
        providers = list(allowed)
        if len(providers) != len(set(ids)):
            raise exceptions.PermissionDenied()
        order = {pk: i for i, pk in enumerate(ids)}
        providers.sort(key=lambda p: order[p.pk])
        data.update(_sources(request.user, data))
        summit = summit_trigger(actor=request.user, providers=providers, form_token=key, **data)
        return Response(
            SummitSerializer(summit, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def _standing(self):
        pk = self.kwargs.get("pk")
        standing = _translate(lambda: access.summit_for_user(self.request.user, pk))
        access_log_record(
            user=self.request.user, summit=standing.summit, what=f"API {self.action}", channel="api"
        )
        return standing

    @extend_schema(responses=SummitParticipantSerializer(many=True))
    @action(detail=True, methods=["get"])
    def participants(self, request, pk=None):
        standing = self._standing()
        if standing.shared_only:
            rows = Participant.objects.none()
        else:
            rows = (
                access.participants_for(standing)
                .select_related("organisation")
                .prefetch_related("representatives__user")
                .order_by("organisation__name")
            )
        return Response(
            SummitParticipantSerializer(rows, many=True, context={"summit": standing.summit}).data
        )

    @extend_schema(responses=SummitMeetingSerializer(many=True))
    @action(detail=True, methods=["get"])
    def meetings(self, request, pk=None):
        standing = self._standing()
        rows = (
            access.meetings_for(standing)
            .prefetch_related("attendance__user", "attendance__organisation")
            .order_by("number")
        )
        return Response(SummitMeetingSerializer(rows, many=True).data)

    @extend_schema(responses=SummitJudgementSerializer(many=True))
    @action(detail=True, methods=["get"])
    def judgements(self, request, pk=None):
        standing = self._standing()
        rows = (
            CQCJudgement.objects.none()
            if standing.shared_only
            else CQCJudgement.objects.filter(summit=standing.summit).select_related("organisation")
        )
        return Response(SummitJudgementSerializer(rows, many=True).data)

    @extend_schema(request=SummitActionSerializer, responses=SummitActionSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def actions(self, request, pk=None):
        standing = self._standing()
        if request.method == "POST":
            if not standing.can_manage:
                raise exceptions.PermissionDenied()
            serializer = SummitActionSerializer(
                data=request.data, context={"request": request, "standing": standing}
            )
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            key = idempotency_key(request, data)
            created = action_create(
                actor=request.user, summit=standing.summit, form_token=key, **data
            )
            return Response(SummitActionSerializer(created).data, status=status.HTTP_201_CREATED)
        rows = access.actions_for(standing).select_related("owner_organisation").order_by("number")
        return Response(SummitActionSerializer(rows, many=True).data)


def register(router) -> None:
    router.register("risk-summits", RiskSummitViewSet, basename="risk-summit")
