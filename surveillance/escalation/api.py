"""The API of escalation records.

/api/v1/escalations/: list (filters `qsg`, `provider`, `level`) and read (each record with its
decisions and exit criteria, and the progress of measured criteria) as the pages allow; POST
records a decision about a provider (or a named service of it), creating its record on the
first decision. Reads go through surveillance.escalation.access, the write through
surveillance.escalation.services.decision_record: the same rules and errors as the page.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.response import Response

from dashboard.models import Indicator
from qsg.api.base import AccessViewSet, idempotency_key
from qsg.api.fields import CodeField, IdField
from qsg.api.filters import IdFilter
from qsg.models import QSG, Organisation
from surveillance.escalation import access
from surveillance.escalation import selectors as sel
from surveillance.escalation import services as sv
from surveillance.escalation.models import EscalationRecord, ExitCriterion, Level
from surveillance.intelligence.api import InheritedSerializer
from surveillance.meetings.access import meetings_for
from surveillance.meetings.models import Meeting


class CriterionSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ExitCriterion
        fields = [
            "id", "level", "kind", "text", "indicator", "comparison", "target", "months",
            "status", "agreed_in", "met_in", "progress",
        ]  # fmt: skip
        read_only_fields = fields

    def get_progress(self, obj) -> dict | None:
        p = sel.progress(self.context["request"].user, obj)
        if p is None:
            return None
        return {
            "values": [{"period": d, "value": v, "meets_target": ok} for d, v, ok in p.values],
            "months_meeting": p.months_meeting,
            "concern_in_window": p.concern_in_window,
            "met_for_period": p.met_for_period,
        }


def decision_dict(view: sel.DecisionView) -> dict:
    d = view.decision
    return {
        "id": d.pk,
        "level_from": d.level_from,
        "level_to": d.level_to,
        "direction": d.direction,
        "decided_on": d.decided_on,
        "group": d.group_id,
        "meeting": view.meeting.pk if view.meeting else None,
        "decided_by": d.decided_by,
        "rationale": d.rationale,
        "lead_organisation": d.lead_organisation_id,
        "review_date": d.review_date,
        "improvement_plan": d.improvement_plan,
        "intelligence_item_ids": [i.pk for i in view.items],
        "signal_indicators": [i.code for i in view.signals],
        "inspection_findings": d.inspection_findings,
        "source": d.source,
        "source_reference": d.source_reference,
    }


class RecordSerializer(InheritedSerializer):
    """The improvement plan follows the decision it came from (`selectors.plan_links`)."""

    inherit_words = ("improvement_plan",)

    def links(self, instance) -> list[int]:
        return sel.plan_links(instance)

    class Meta:
        model = EscalationRecord
        fields = [
            "id", "provider", "service", "qsg", "level", "level_since", "lead_organisation",
            "review_date", "improvement_plan",
        ]  # fmt: skip
        read_only_fields = fields


class RecordDetailSerializer(RecordSerializer):
    decisions = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()

    class Meta(RecordSerializer.Meta):
        fields = [*RecordSerializer.Meta.fields, "decisions", "criteria"]
        read_only_fields = fields

    def get_decisions(self, obj) -> list[dict]:
        page = sel.record_page(self.context["request"].user, obj)
        return [decision_dict(v) for v in page["decisions"]]

    def get_criteria(self, obj) -> list[dict]:
        rows = obj.criteria.select_related("indicator", "record").order_by("pk")
        return CriterionSerializer(rows, many=True, context=self.context).data


class NewCriterionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    indicator = CodeField(queryset=Indicator.objects.all(), required=False, allow_null=True)
    comparison = serializers.ChoiceField(
        choices=ExitCriterion.Comparison.choices, required=False, allow_blank=True
    )
    target = serializers.FloatField(required=False, allow_null=True, min_value=-1e9, max_value=1e9)
    months = serializers.IntegerField(required=False, min_value=1, max_value=24, default=3)


class DecisionSerializer(serializers.Serializer):
    provider = IdField()
    service = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    level = serializers.ChoiceField(choices=Level.choices)
    decided_on = serializers.DateField()
    group = IdField(required=False)
    meeting = IdField(required=False, allow_null=True)
    decided_by = serializers.CharField(max_length=200)
    rationale = serializers.CharField(max_length=5000)
    lead_organisation = IdField(required=False, allow_null=True)
    review_date = serializers.DateField(required=False, allow_null=True)
    improvement_plan = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    intelligence_item_ids = serializers.ListField(
        child=IdField(), required=False, default=list, max_length=50
    )
    signal_indicators = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=50
    )
    inspection_findings = serializers.CharField(
        max_length=3000, required=False, allow_blank=True, default=""
    )
    exit_criteria = NewCriterionSerializer(many=True, required=False, default=list)
    criteria_met = serializers.ListField(
        child=IdField(), required=False, default=list, max_length=50
    )
    idempotency_key = serializers.CharField(
        max_length=80, required=False, allow_blank=True, write_only=True
    )


class RecordFilter(django_filters.FilterSet):
    qsg = IdFilter(field_name="qsg_id")
    provider = IdFilter(field_name="provider_id")
    level = django_filters.ChoiceFilter(choices=Level.choices)

    class Meta:
        model = EscalationRecord
        fields = ["qsg", "provider", "level"]


def _resolve(model, pk, field: str, queryset=None):
    """A related id from a body: unknown and invisible are the same 400."""
    if pk is None:
        return None
    obj = (queryset if queryset is not None else model.objects).filter(pk=pk).first()
    if obj is None:
        raise exceptions.ValidationError({field: ["Choose one you can see"]})
    return obj


class EscalationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, AccessViewSet
):
    queryset = EscalationRecord.objects.all()
    filterset_class = RecordFilter

    def get_serializer_class(self):
        if self.action == "create":
            return DecisionSerializer
        if self.action == "retrieve":
            return RecordDetailSerializer
        return RecordSerializer

    def visible_queryset(self):
        return sel.with_plan_links(access.records_for(self.request.user)).order_by("pk")

    def fetch(self, pk, *, manage):
        return access.record_for_user(self.request.user, pk, manage=manage)

    @extend_schema(request=DecisionSerializer, responses={201: RecordDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        v = dict(serializer.validated_data)
        key = idempotency_key(request, v)
        try:
            provider = access.provider_to_decide(request.user, v["provider"])
        except Http404 as exc:
            raise exceptions.NotFound() from exc
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied() from exc
        groups = QSG.objects.filter(pk__in=[provider.qsg_id, provider.qsg.regional_qsg_id])
        indicators = list(
            Indicator.objects.filter(code__in=[c.upper() for c in v["signal_indicators"]])
        )
        if len(indicators) != len({c.upper() for c in v["signal_indicators"]}):
            raise exceptions.ValidationError({"signal_indicators": ["Unknown indicator code"]})
        criteria = [
            {**c, "indicator": c.get("indicator"), "comparison": c.get("comparison") or ""}
            for c in v["exit_criteria"]
        ]
        decision = sv.decision_record(
            actor=request.user,
            provider=provider,
            service=v["service"],
            level=v["level"],
            decided_on=v["decided_on"],
            decided_by=v["decided_by"],
            rationale=v["rationale"],
            group=_resolve(QSG, v.get("group"), "group", groups),
            meeting=_resolve(Meeting, v.get("meeting"), "meeting", meetings_for(request.user)),
            lead_organisation=_resolve(
                Organisation, v.get("lead_organisation"), "lead_organisation",
                Organisation.objects.filter(is_active=True),
            ),
            review_date=v.get("review_date"),
            improvement_plan=v["improvement_plan"],
            intelligence_item_ids=v["intelligence_item_ids"],
            signal_indicators=indicators,
            inspection_findings=v["inspection_findings"],
            exit_criteria=criteria,
            criteria_met=v["criteria_met"],
            idempotency_key=key,
        )  # fmt: skip
        record = self.visible_queryset().get(pk=decision.record_id)
        body = RecordDetailSerializer(record, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("escalations", EscalationViewSet, basename="escalation")
