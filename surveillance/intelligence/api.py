"""The intelligence API: /api/v1/intelligence/.

Reads go through `surveillance.intelligence.access` (the same rules as the pages), writes through
`surveillance.intelligence.services`. The submitting organisation and person are left out of
every response for readers who may not see them ("do not attribute"); corroborating
organisations are named to the secretariat only, others get the count.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from qsg import dimensions
from qsg.api.base import AccessViewSet, denied_unless, idempotency_key
from qsg.api.fields import IdField
from qsg.api.filters import IdFilter
from surveillance.intelligence import access
from surveillance.intelligence import selectors as selectors_intelligence
from surveillance.intelligence import services as si
from surveillance.intelligence.models import Corroboration, IntelligenceItem, Theme

Item = IntelligenceItem


# Records made from items ----------------------------------------------------------------------


class InheritedListSerializer(serializers.ListSerializer):
    """A list of records made from intelligence: what the reader may not read among all their
    items, in one query (`access.withheld_ids`), for the child to apply."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        reader = getattr(self.context.get("request"), "user", None)
        self.child.withheld = access.withheld_ids(
            reader, {i for r in rows for i in self.child.links(r)}
        )
        return super().to_representation(rows)


class InheritedSerializer(serializers.ModelSerializer):
    """A record made from intelligence items (`links`): a reader who may not read one of them
    gets none of its `inherit_words` (`access.inherit`), on lists and on one record alike."""

    inherit_words: tuple[str, ...] = ()
    withheld: frozenset[int] | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.Meta.list_serializer_class = InheritedListSerializer

    def links(self, instance) -> list[int]:
        return list(instance.intelligence_item_ids or [])

    def to_representation(self, instance):
        data = super().to_representation(instance)
        row = {**data, "_links": self.links(instance)}
        withheld = self.withheld
        if withheld is None:
            reader = getattr(self.context.get("request"), "user", None)
            withheld = access.withheld_ids(reader, row["_links"])
        row = access.inherit([row], withheld, words=self.inherit_words, ids_key="_links")[0]
        return {k: v for k, v in row.items() if k in data}


# Reading --------------------------------------------------------------------------------------


class IntelligenceItemSerializer(serializers.ModelSerializer):
    providers = serializers.SerializerMethodField()
    named_organisations = serializers.SerializerMethodField()
    submitting_organisation = serializers.SerializerMethodField()
    submitting_organisation_name = serializers.SerializerMethodField()
    submitted_by_name = serializers.SerializerMethodField()
    theme_label = serializers.SerializerMethodField()
    corroborations = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = [
            "id",
            "reference",
            "qsg",
            "providers",
            "service_site",
            "submitting_organisation",
            "submitting_organisation_name",
            "submitted_by_name",
            "source_type",
            "quality_dimension",
            "theme",
            "theme_label",
            "summary",
            "details",
            "observed_from",
            "observed_to",
            "source_reliability",
            "information_certainty",
            "review_by",
            "status",
            "distribution",
            "named_organisations",
            "do_not_attribute",
            "for_next_meeting",
            "outside_reason",
            "merged_into",
            "submitted_at",
            "triaged_at",
            "corroborations",
        ]
        read_only_fields = fields

    def _attributed(self, obj) -> bool:
        return access.sees_attribution(self.context["request"].user, obj)

    def get_providers(self, obj) -> list[int]:
        return sorted(p.pk for p in obj.providers.all())

    def get_named_organisations(self, obj) -> list[int]:
        return sorted(o.pk for o in obj.named_organisations.all())

    def get_submitting_organisation(self, obj) -> int | None:
        return obj.submitting_organisation_id if self._attributed(obj) else None

    def get_submitting_organisation_name(self, obj) -> str | None:
        return obj.submitting_organisation.name if self._attributed(obj) else None

    def get_submitted_by_name(self, obj) -> str | None:
        return obj.submitted_by.display_name if self._attributed(obj) else None

    def get_theme_label(self, obj) -> str | None:
        return obj.theme.label if obj.theme_id else None

    @extend_schema(
        responses=inline_serializer(
            "IntelligenceCorroborations",
            {
                "count": serializers.IntegerField(),
                "ours": serializers.BooleanField(),
                "organisations": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get_corroborations(self, obj) -> dict:
        rows = self.context.get("corroborations", {}).get(obj.pk)
        if rows is None:
            rows = list(obj.corroborations.select_related("organisation"))
        user = self.context["request"].user
        names = (
            sorted(r.organisation.name for r in rows)
            if access.sees_corroborators(user, obj)
            else []
        )
        return {
            "count": len(rows),
            "ours": any(r.organisation_id == user.organisation_id for r in rows),
            "organisations": names,
        }


def corroborations_by_item(items) -> dict[int, list[Corroboration]]:
    """One query for the corroborations of a page of items."""
    out: dict[int, list[Corroboration]] = {i.pk: [] for i in items}
    if out:
        for row in Corroboration.objects.filter(item_id__in=list(out)).select_related(
            "organisation"
        ):
            out[row.item_id].append(row)
    return out


class IntelligenceFilter(django_filters.FilterSet):
    provider = IdFilter(method="filter_provider")
    qsg = IdFilter(field_name="qsg_id")
    theme = IdFilter(field_name="theme_id")
    dimension = django_filters.ChoiceFilter(
        field_name="quality_dimension", choices=dimensions.choices
    )
    source_type = django_filters.ChoiceFilter(choices=Item.SourceType.choices)
    status = django_filters.ChoiceFilter(choices=Item.Status.choices)
    distribution = django_filters.ChoiceFilter(choices=Item.Distribution.choices)
    observed_after = django_filters.DateFilter(method="filter_after")
    observed_before = django_filters.DateFilter(field_name="observed_from", lookup_expr="lte")

    class Meta:
        model = Item
        fields = [
            "provider",
            "qsg",
            "theme",
            "dimension",
            "source_type",
            "status",
            "distribution",
            "observed_after",
            "observed_before",
        ]

    def filter_provider(self, queryset, name, value):
        through = Item.providers.through
        return queryset.filter(
            pk__in=through.objects.filter(provider_id=value).values("intelligenceitem_id")
        )

    def filter_after(self, queryset, name, value):
        return queryset.filter(
            Q(observed_to__gte=value) | Q(observed_to__isnull=True, observed_from__gte=value)
        )


# Writing --------------------------------------------------------------------------------------


class IntelligenceSubmitSerializer(serializers.Serializer):
    """What a member submits. Ids that are not found and every rule of the issue are checked by
    the service, which answers with field errors (400)."""

    qsg = IdField()
    providers = serializers.ListField(child=IdField(), allow_empty=True, max_length=100)
    service_site = serializers.CharField(allow_blank=True, required=False, trim_whitespace=True)
    source_type = serializers.ChoiceField(choices=Item.SourceType.choices)
    # the codes every profile has (the schema); a request offers its profile's rows
    quality_dimension = serializers.ChoiceField(choices=Item.QualityDimension.choices)
    theme = IdField(required=False, allow_null=True)
    summary = serializers.CharField(allow_blank=True)
    details = serializers.CharField(allow_blank=True)
    observed_from = serializers.DateField()
    observed_to = serializers.DateField(required=False, allow_null=True)
    source_reliability = serializers.ChoiceField(choices=Item.Reliability.choices)
    information_certainty = serializers.ChoiceField(choices=Item.Certainty.choices)
    review_by = serializers.DateField(required=False, allow_null=True)
    distribution = serializers.ChoiceField(
        choices=Item.Distribution.choices, default=Item.Distribution.QSG
    )
    named_organisations = serializers.ListField(
        child=IdField(), required=False, default=list, max_length=100
    )
    do_not_attribute = serializers.BooleanField(required=False, default=False)
    outside_reason = serializers.CharField(allow_blank=True, required=False, default="")
    idempotency_key = serializers.CharField(
        max_length=80, required=False, allow_blank=True, write_only=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:  # the schema is built without reading the database
            self.fields["quality_dimension"].choices = dimensions.choices()


class TriageSerializer(serializers.Serializer):
    theme = IdField(required=False, allow_null=True)
    providers = serializers.ListField(child=IdField(), required=False, max_length=100)
    for_next_meeting = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(
        choices=[
            (Item.Status.TRIAGED, "Triaged"),
            (Item.Status.ON_AGENDA, "On an agenda"),
            (Item.Status.CONSIDERED, "Considered"),
        ],
        default=Item.Status.TRIAGED,
    )


class CorroborateSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, default="")


@extend_schema(
    parameters=[
        OpenApiParameter(
            "search", str, description="Full-text search in summary, details and service"
        )
    ]
)
class IntelligenceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    AccessViewSet,
):
    """Soft intelligence the caller may see. POST submits an item (Idempotency-Key header or
    `idempotency_key`: one item per key)."""

    serializer_class = IntelligenceItemSerializer
    queryset = Item.objects.all()
    filterset_class = IntelligenceFilter
    search_fields: list[str] = []  # full-text search is ours (selectors_intelligence.search)
    ordering_fields = ["created_at", "submitted_at", "observed_from"]

    @property
    def ordering(self) -> list[str]:
        """Newest first; a search, best match first (unless `ordering` asks otherwise)."""
        newest = ["-created_at", "-id"]
        if self.action == "list" and selectors_intelligence.search_text(
            self.request.query_params.get("search")
        ):
            return ["-rank", *newest]
        return newest

    # Submissions (and every other write) are throttled per person by the default
    # qsg.api.throttles.SubmissionThrottle (scope "submission"); reads are not.

    def visible_queryset(self, items=None):
        """`items`: one visibility arm (`access.item_arms_for`) instead of all of them."""
        qs = access.items_for(self.request.user) if items is None else items
        text = self.request.query_params.get("search", "") if self.action == "list" else ""
        qs = selectors_intelligence.search(qs, text)
        return (
            qs.select_related("theme", "submitting_organisation", "submitted_by")
            .prefetch_related("providers", "named_organisations")
            .order_by(*self.ordering)
        )

    def fetch(self, pk, *, manage):
        item = access.item_for_user(self.request.user, pk, manage=manage)
        return item

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        text = request.query_params.get("search")
        self.paginator.count_cap = selectors_intelligence.count_cap(text)
        if not request.query_params.get("ordering"):
            # Past the cap, newest first (ranking every match would read every one).
            self.paginator.capped_order = ["-created_at", "-id"]
        if selectors_intelligence.count_by_arms(text):
            # The total: the same filters on each visibility arm, counted as a UNION.
            self.paginator.count_parts = lambda: [
                self.filter_queryset(self.visible_queryset(arm))
                for arm in access.item_arms_for(request.user)
            ]
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        si.reads_log(user=request.user, items=rows, channel="api")
        context = {**self.get_serializer_context(), "corroborations": corroborations_by_item(rows)}
        data = IntelligenceItemSerializer(rows, many=True, context=context).data
        if page is not None:
            return self.get_paginated_response(data)
        return Response(data)

    def retrieve(self, request, *args, **kwargs):
        item = self.get_object()
        si.intelligence_item_record_view(user=request.user, item=item, channel="api")
        return Response(
            IntelligenceItemSerializer(item, context=self.get_serializer_context()).data
        )

    @extend_schema(
        request=IntelligenceSubmitSerializer, responses={201: IntelligenceItemSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = IntelligenceSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        key = idempotency_key(request, data)
        item = si.intelligence_item_submit(actor=request.user, idempotency_key=key, **data)
        item = access.item_for_user(request.user, item.pk)
        return Response(
            IntelligenceItemSerializer(item, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=TriageSerializer, responses={200: IntelligenceItemSerializer})
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        item = self.get_object()
        denied_unless(access.can_triage(request.user, item))
        serializer = TriageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = si.intelligence_item_triage(
            actor=request.user, item=item, **serializer.validated_data
        )
        item = access.item_for_user(request.user, item.pk)
        return Response(
            IntelligenceItemSerializer(item, context=self.get_serializer_context()).data
        )

    @extend_schema(
        request=CorroborateSerializer,
        responses={
            201: IntelligenceItemSerializer,
            200: IntelligenceItemSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def corroborate(self, request, pk=None):
        item = self.get_object()
        denied_unless(access.can_corroborate(request.user, item))
        serializer = CorroborateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, created = si.intelligence_item_corroborate(
            actor=request.user, item=item, note=serializer.validated_data["note"]
        )
        return Response(
            IntelligenceItemSerializer(item, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["id", "code", "label"]


class ThemeViewSet(mixins.ListModelMixin, AccessViewSet):
    """The themes intelligence is filed under (reference data, readable by anyone signed in)."""

    serializer_class = ThemeSerializer
    queryset = Theme.objects.all()
    pagination_class = None
    filter_backends: list = []

    def visible_queryset(self):
        return Theme.objects.filter(is_active=True)


def register(router) -> None:
    router.register("intelligence", IntelligenceViewSet, basename="intelligence")
    router.register("intelligence-themes", ThemeViewSet, basename="intelligence-theme")
