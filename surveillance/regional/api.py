"""The API of local reports to the region and assurance returns.

/api/v1/local-reports/: list and read (as the pages allow), POST to draft one for a period
(the local secretariat), POST {id}/submit/ to submit it. The region's review of a submitted
report: GET {id}/comments/ (whoever reads the report), POST {id}/comments/ and
POST {id}/acknowledge/ (those who oversee its QSG, as on the pages; the local secretariat is
e-mailed a link when a comment is added).
/api/v1/assurance-returns/: list and read; POST with a QSG, a month and answers creates or
updates that month's return (one per QSG per month), with "submit": true to submit it.
Reads go through surveillance.regional.access; writes through surveillance.regional.services.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from qsg import access as qsg_access
from qsg import once
from qsg.api.base import AccessViewSet, denied_unless, idempotency_key
from qsg.api.fields import TargetField, VisibleRelatedField
from qsg.api.filters import IdFilter
from qsg.models import QSG
from surveillance.regional import access as ar
from surveillance.regional import services as sv
from surveillance.regional.models import (
    AssuranceAnswer,
    AssuranceQuestion,
    AssuranceReturn,
    LocalReport,
    LocalReportComment,
    LocalReportSection,
)

# Local reports ---------------------------------------------------------------------------------


class SectionPassageSerializer(serializers.Serializer):
    text = serializers.CharField(read_only=True)
    withheld = serializers.IntegerField(
        read_only=True, help_text="How many of its intelligence items the reader may not read."
    )


class LocalReportSectionSerializer(serializers.ModelSerializer):
    """A section as its reader may read it (`access.sections_as_read`): each passage made from
    intelligence items the reader may not read is a plain "N items not shared with your
    organisation" line; the rest keeps its words."""

    title = serializers.CharField(read_only=True)
    passages = SectionPassageSerializer(many=True, read_only=True)

    class Meta:
        model = LocalReportSection
        fields = ["id", "key", "title", "text", "passages", "edited"]
        read_only_fields = fields

    def to_representation(self, instance):
        reader = getattr(self.context.get("request"), "user", None)
        (as_read,) = ar.sections_as_read(reader, [instance])
        return super().to_representation(as_read)


class LocalReportCommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name", read_only=True)
    text = serializers.CharField(max_length=3000, allow_blank=True)

    class Meta:
        model = LocalReportComment
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class LocalReportSerializer(serializers.ModelSerializer):
    qsg = TargetField(qsg_access.qsg_for_user, model=QSG, noun="QSG")
    sections = LocalReportSectionSerializer(many=True, read_only=True)
    withheld_total = serializers.IntegerField(read_only=True)
    comments = LocalReportCommentSerializer(many=True, read_only=True)

    class Meta:
        model = LocalReport
        fields = [
            "id",
            "qsg",
            "period_start",
            "period_end",
            "status",
            "withheld",
            "withheld_total",
            "drafted_at",
            "submitted_at",
            "acknowledged_at",
            "sections",
            "comments",
        ]
        read_only_fields = [
            "id",
            "status",
            "withheld",
            "withheld_total",
            "drafted_at",
            "submitted_at",
            "acknowledged_at",
            "sections",
            "comments",
        ]
        validators: list = []  # one report per period: the service returns the existing one


class LocalReportFilter(django_filters.FilterSet):
    qsg = IdFilter(field_name="qsg_id")

    class Meta:
        model = LocalReport
        fields = ["qsg", "status"]


class LocalReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, AccessViewSet
):
    serializer_class = LocalReportSerializer
    queryset = LocalReport.objects.all()
    filterset_class = LocalReportFilter
    write_actions = frozenset({"submit"})

    def visible_queryset(self):
        return (
            ar.local_reports_for(self.request.user)
            .prefetch_related("sections", "comments__author")
            .order_by("-period_end", "pk")
        )

    def fetch(self, pk, *, manage):
        return ar.local_report_for_user(self.request.user, pk, manage=manage)

    def perform_create(self, serializer):
        data = serializer.validated_data
        qsg = data["qsg"]  # TargetField: visible and managed
        serializer.instance = sv.local_report_draft(
            actor=self.request.user,
            qsg=qsg,
            period_start=data["period_start"],
            period_end=data["period_end"],
        )

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = sv.local_report_submit(actor=request.user, report=self.get_object())
        return Response(self.get_serializer(report).data)

    @extend_schema(
        request=LocalReportCommentSerializer,
        responses={200: LocalReportCommentSerializer(many=True), 201: LocalReportCommentSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        report = self.get_object()
        if request.method == "GET":
            rows = report.comments.select_related("author")
            return Response(LocalReportCommentSerializer(rows, many=True).data)
        denied_unless(ar.can_review(request.user, report))
        serializer = LocalReportCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment, first = once.run_once(
            lambda: sv.local_report_comment(
                actor=request.user, report=report, text=serializer.validated_data["text"]
            ),
            user=request.user,
            scope="local-report-comment",
            token=idempotency_key(request),
            model=LocalReportComment,
        )
        if comment is None:  # a repeat whose first comment is gone
            raise serializers.ValidationError(once.ALREADY_SENT)
        return Response(
            LocalReportCommentSerializer(comment).data,
            status=status.HTTP_201_CREATED if first else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses=LocalReportSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        report = self.get_object()
        denied_unless(ar.can_review(request.user, report))
        sv.local_report_acknowledge(actor=request.user, report=report)
        return Response(self.get_serializer(self.fetch(report.pk, manage=False)).data)


# Assurance returns -----------------------------------------------------------------------------


class AssuranceAnswerSerializer(serializers.ModelSerializer):
    # The pro forma's questions are reference data: every question is there to answer.
    question = VisibleRelatedField(
        lambda user: AssuranceQuestion.objects.all(), model=AssuranceQuestion
    )
    code = serializers.CharField(source="question.code", read_only=True)
    rag = serializers.ChoiceField(choices=["", *AssuranceAnswer.Rag.values], allow_blank=True)
    comments = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    evidence = serializers.CharField(max_length=2000, allow_blank=True, required=False)

    class Meta:
        model = AssuranceAnswer
        fields = ["question", "code", "rag", "comments", "evidence"]


class AssuranceReturnSerializer(serializers.ModelSerializer):
    qsg = TargetField(qsg_access.qsg_for_user, model=QSG, noun="QSG")
    month = serializers.DateField(help_text="Any day of the month; stored as its first day.")
    answers = AssuranceAnswerSerializer(many=True)
    submit = serializers.BooleanField(write_only=True, default=False)

    class Meta:
        model = AssuranceReturn
        fields = ["id", "qsg", "month", "status", "submitted_at", "answers", "submit"]
        read_only_fields = ["id", "status", "submitted_at"]
        validators: list = []  # one per QSG per month: the service updates the existing one

    def validate_answers(self, value):
        ids = [a["question"].pk for a in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("Answer each question once")
        return value


class AssuranceReturnFilter(django_filters.FilterSet):
    qsg = IdFilter(field_name="qsg_id")
    month = django_filters.DateFilter(field_name="month")

    class Meta:
        model = AssuranceReturn
        fields = ["qsg", "month", "status"]


class AssuranceReturnViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, AccessViewSet
):
    serializer_class = AssuranceReturnSerializer
    queryset = AssuranceReturn.objects.all()
    filterset_class = AssuranceReturnFilter

    def visible_queryset(self):
        return (
            ar.assurance_returns_for(self.request.user)
            .prefetch_related("answers__question")
            .order_by("qsg_id", "-month")
        )

    def fetch(self, pk, *, manage):
        return ar.assurance_return_for_user(self.request.user, pk, manage=manage)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        qsg = data["qsg"]
        answers = {
            a["question"].pk: {
                "rag": a.get("rag", ""),
                "comments": a.get("comments", ""),
                "evidence": a.get("evidence", ""),
            }
            for a in data["answers"]
        }
        ret = sv.assurance_return_save(
            actor=request.user,
            qsg=qsg,
            month=data["month"],
            answers=answers,
            submit=data["submit"],
        )
        ret = self.visible_queryset().get(pk=ret.pk)
        return Response(self.get_serializer(ret).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("local-reports", LocalReportViewSet, basename="local-report")
    router.register("assurance-returns", AssuranceReturnViewSet, basename="assurance-return")
