"""The dashboard's API: indicators, observations (and their import), SPC results, signals.

Every endpoint reads through dashboard.access, exactly like the pages: providers outside the
caller's scope are not found, and lists leave them out.
"""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from qsg import access as qsg_access
from qsg import dimensions
from qsg.api.base import AccessViewSet, denied_unless, idempotency_key
from qsg.api.fields import DimensionField, VisibleRelatedField
from qsg.api.filters import IdFilter, StrictBooleanFilter

from . import access, selectors, services
from .models import INDICATOR_EDITABLE, ColumnMapping, ImportBatch, Indicator, Observation
from .results import unpack_points

# Indicators -------------------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    quality_dimension = DimensionField()

    class Meta:
        model = Indicator
        fields = ["code", *INDICATOR_EDITABLE]
        extra_kwargs = {"code": {"validators": []}}


class IndicatorUpdateSerializer(IndicatorSerializer):
    class Meta(IndicatorSerializer.Meta):
        read_only_fields = ["code"]


class IndicatorFilter(django_filters.FilterSet):
    is_active = StrictBooleanFilter()
    quality_dimension = django_filters.CharFilter(
        method="filter_dimension",
        max_length=20,
        help_text="A quality dimension's code (`safe` and `effective` read as `safety` and "
        "`effectiveness`).",
    )

    def filter_dimension(self, queryset, name, value):
        code = dimensions.ALIASES.get(value.strip().lower(), value.strip().lower())
        return queryset.filter(quality_dimension=code)

    class Meta:
        model = Indicator
        fields = ["domain", "quality_dimension", "kind", "is_active"]


class IndicatorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    AccessViewSet,
):
    """The indicator catalogue: anyone may read it; analysts change it."""

    queryset = Indicator.objects.all()
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_]+"
    filterset_class = IndicatorFilter
    search_fields = ["code", "name", "metric"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action in {"update", "partial_update"}:
            return IndicatorUpdateSerializer
        return IndicatorSerializer

    def visible_queryset(self):
        return access.indicators_for(self.request.user).order_by("domain", "code")

    def fetch(self, pk, *, manage):
        return access.indicator_for_user(self.request.user, pk, manage=manage)

    def perform_create(self, serializer):
        denied_unless(access.can_edit_catalogue(self.request.user))
        serializer.instance = services.indicator_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.indicator_update(
            actor=self.request.user, indicator=serializer.instance, **serializer.validated_data
        )


# Observations and their import ------------------------------------------------------------------


class ObservationSerializer(serializers.ModelSerializer):
    ods_code = serializers.CharField(source="provider.ods_code", read_only=True)
    indicator = serializers.CharField(source="indicator.code", read_only=True)

    class Meta:
        model = Observation
        fields = [
            "id",
            "provider",
            "ods_code",
            "indicator",
            "period",
            "value",
            "numerator",
            "denominator",
            "source",
            "batch",
            "updated_at",
        ]
        read_only_fields = fields  # observations come in by import only


class ObservationFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code", lookup_expr="iexact")
    ods_code = django_filters.CharFilter(field_name="provider__ods_code", lookup_expr="iexact")
    provider = IdFilter(field_name="provider_id")
    qsg = IdFilter(field_name="provider__qsg_id")
    period_from = django_filters.DateFilter(field_name="period", lookup_expr="gte")
    period_to = django_filters.DateFilter(field_name="period", lookup_expr="lte")

    class Meta:
        model = Observation
        fields = ["provider", "indicator", "ods_code", "qsg", "period"]


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    mapping = VisibleRelatedField(
        access.mappings_for,
        model=ColumnMapping,
        noun="column mapping",
        required=False,
        allow_null=True,
    )
    source = serializers.CharField(max_length=120, required=False, allow_blank=True)


class ImportJobSerializer(serializers.ModelSerializer):
    job = serializers.UUIDField(source="job.pk", read_only=True)
    status = serializers.CharField(source="job.status", read_only=True)
    progress = serializers.IntegerField(source="job.progress", read_only=True)
    message = serializers.CharField(source="job.message", read_only=True)
    recompute_status = serializers.CharField(
        source="recompute_job.status", read_only=True, default=None
    )
    errors_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "job",
            "id",
            "status",
            "progress",
            "message",
            "file_name",
            "outcome",
            "rows_read",
            "rows_created",
            "rows_updated",
            "rows_unchanged",
            "rows_invalid",
            "series_changed",
            "recompute_status",
            "errors_url",
            "created_at",
        ]

    def get_errors_url(self, obj) -> str | None:
        if obj.outcome != ImportBatch.Outcome.REJECTED:
            return None
        return reverse("dashboard:import-errors", args=[obj.pk], request=self.context["request"])


class ObservationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessViewSet):
    """Monthly values of the providers the caller may see; analysts import files here."""

    queryset = Observation.objects.all()
    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
    ordering_fields = ["period", "value"]

    def visible_queryset(self):
        return (
            access.observations_for(self.request.user)
            .select_related("provider", "indicator")
            .order_by("indicator__code", "provider__ods_code", "period")
        )

    def fetch(self, pk, *, manage):
        try:
            return self.visible_queryset().get(pk=int(pk))
        except (Observation.DoesNotExist, TypeError, ValueError):
            raise qsg_access.not_found() from None

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={202: ImportJobSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Repeat a request with the same key to get the same job back.",
            )
        ],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
        serializer_class=ImportRequestSerializer,
    )
    def import_file(self, request):
        """Upload a CSV or Excel file. 202 with the job; poll /api/v1/import-jobs/<job>/."""
        denied_unless(access.is_analyst(request.user))
        serializer = ImportRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        batch, _ = services.import_submit(
            actor=request.user,
            file_name=upload.name,
            content=upload.read(),
            mapping=serializer.validated_data.get("mapping"),
            source=serializer.validated_data.get("source", ""),
            token=idempotency_key(request),
        )
        batch.refresh_from_db()
        data = ImportJobSerializer(batch, context={"request": request}).data
        data["status_url"] = reverse("api:import-job-detail", args=[batch.job_id], request=request)
        return Response(data, status=status.HTTP_202_ACCEPTED)


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own imports, by job id."""

    serializer_class = ImportJobSerializer
    queryset = ImportBatch.objects.none()
    lookup_field = "job"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportBatch.objects.none()
        return access.batches_for(self.request.user).select_related("job", "recompute_job")

    def list(self, request, *args, **kwargs):
        denied_unless(access.is_analyst(request.user))
        return super().list(request, *args, **kwargs)

    def get_object(self):
        batch = self.get_queryset().filter(job_id=self.kwargs["job"]).first()
        if batch is None:
            raise exceptions.NotFound()
        return batch


# SPC results and signals ------------------------------------------------------------------------


class SpcQuerySerializer(serializers.Serializer):
    provider = serializers.CharField(help_text="The provider's id or ODS code")
    indicator = serializers.CharField(help_text="The indicator's code")


class SpcViewSet(viewsets.GenericViewSet):
    """One provider's SPC result for one indicator: the summary and every point."""

    serializer_class = SpcQuerySerializer
    pagination_class = None
    filter_backends = ()

    @extend_schema(
        parameters=[SpcQuerySerializer],
        responses={
            200: inline_serializer(
                "SpcResult",
                {
                    "provider": serializers.DictField(),
                    "indicator": serializers.DictField(),
                    "summary": serializers.DictField(),
                    "peers": serializers.DictField(),
                    "points": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def list(self, request):
        query = SpcQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        provider = query.validated_data["provider"].strip()
        if not provider.isdigit():
            found = qsg_access.providers_for(request.user).filter(ods_code=provider.upper()).first()
            if found is None:
                raise exceptions.NotFound()
            provider = found.pk
        try:
            series = access.series_for_user(
                request.user, provider, query.validated_data["indicator"]
            )
        except Http404:
            raise exceptions.NotFound() from None
        points = unpack_points(series.points, series.groups)
        return Response(
            {
                "provider": {
                    "id": series.provider_id,
                    "ods_code": series.provider.ods_code,
                    "name": series.provider.name,
                },
                "indicator": {
                    "code": series.indicator.code,
                    "name": series.indicator.name,
                    "unit": series.indicator.unit,
                    "improvement_direction": series.indicator.improvement_direction,
                    "frequency": series.indicator.frequency,
                },
                "summary": {
                    "computed_at": series.computed_at,
                    "up_to_date": series.is_current,
                    "n_points": series.n_points,
                    "latest_period": series.latest_period,
                    "latest_value": series.latest_value,
                    "mean": series.mean,
                    "lpl": series.lpl,
                    "upl": series.upl,
                    "target": series.target,
                    "variation": series.variation,
                    "assurance": series.assurance or None,
                    "short_group_warning": series.short_group,
                    "rebase_groups": series.groups,
                    "reference": "NHSRplotthedots 0.2.2 ptd_spc() defaults",
                },
                "peers": {
                    "period": series.peer_period,
                    "national_value": series.national_value,
                    "national_z": series.national_z,
                    "national_flag": series.national_flag,
                    "peer_group": series.provider.sector,
                    "peer_value": series.peer_value,
                    "peer_z": series.peer_z,
                    "peer_flag": series.peer_flag,
                },
                "points": [
                    {
                        "period": p.period,
                        "period_label": series.indicator.period_label(p.period),
                        "value": None if p.missing else p.value,
                        "missing": p.missing,
                        "rebase_group": p.rebase_group,
                        "mean": p.mean,
                        "lpl": p.lpl,
                        "upl": p.upl,
                        "outside_limits": p.outside_limits,
                        "relative_to_mean": p.relative_to_mean,
                        "close_to_limits": p.close_to_limits,
                        "special_cause_type": p.special_cause,
                        "point_type": p.point_type,
                    }
                    for p in points
                ],
            }
        )


class SignalQuerySerializer(serializers.Serializer):
    qsg = serializers.CharField(help_text="The QSG's id or slug")
    since = serializers.DateField()


class SignalViewSet(viewsets.GenericViewSet):
    """Signals for a QSG since a date (special cause concerns, missed targets, peer outliers)."""

    serializer_class = SignalQuerySerializer
    pagination_class = None
    filter_backends = ()
    queryset = Observation.objects.none()  # for the browsable API's form; never listed

    @extend_schema(parameters=[SignalQuerySerializer])
    def list(self, request):
        query = SignalQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        key = query.validated_data["qsg"].strip()
        if not key.isdigit():
            found = qsg_access.qsgs_for(request.user).filter(slug=key).first()
            key = found.pk if found else 0
        try:
            qsg = qsg_access.qsg_for_user(request.user, key)
        except Http404:
            raise exceptions.NotFound() from None
        signals = selectors.signals_since(request.user, qsg, query.validated_data["since"])
        return Response(
            [
                {
                    "kind": s.kind,
                    "provider": s.provider_id,
                    "ods_code": s.ods_code,
                    "provider_name": s.provider_name,
                    "indicator": s.indicator_code,
                    "period": s.period,
                    "period_label": s.period_label,
                    "detail": s.detail,
                }
                for s in signals
            ]
        )


def register(router) -> None:
    router.register("indicators", IndicatorViewSet, basename="indicator")
    router.register("observations", ObservationViewSet, basename="observation")
    router.register("import-jobs", ImportJobViewSet, basename="import-job")
    router.register("spc", SpcViewSet, basename="spc")
    router.register("signals", SignalViewSet, basename="signal")
