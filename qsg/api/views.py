"""The network API: organisations, QSGs, memberships, roles, providers and the caller."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from qsg.vocabulary import say

from .. import access, services
from ..models import QSG, Membership, Organisation, OrganisationType, Provider, QSGRole, User
from .base import AccessViewSet, denied_unless
from .fields import CodeField, TargetField, VisibleRelatedField
from .filters import IdFilter, StrictBooleanFilter

# Serializers --------------------------------------------------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    type = CodeField(queryset=OrganisationType.objects.all())
    type_label = serializers.CharField(source="type.label", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "type", "type_label", "ods_code", "email", "is_active"]
        read_only_fields = ["id", "is_active"]
        extra_kwargs = {"name": {"validators": []}}


class QSGSerializer(serializers.ModelSerializer):
    my_roles = serializers.SerializerMethodField()

    class Meta:
        model = QSG
        fields = [
            "id",
            "name",
            "slug",
            "level",
            "regional_qsg",
            "footprint",
            "moderation_enabled",
            "is_active",
            "my_roles",
        ]
        read_only_fields = ["id", "name", "slug", "level", "regional_qsg", "is_active"]

    def get_my_roles(self, obj) -> list[str]:
        return access.principal(self.context["request"].user).role_names(obj.pk)


class MembershipSerializer(serializers.ModelSerializer):
    qsg = TargetField(access.qsg_for_user, model=QSG, noun="QSG")
    organisation = VisibleRelatedField(access.organisation_directory_for, model=Organisation)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "qsg", "organisation", "organisation_name", "kind", "joined_on", "notes"]
        read_only_fields = ["id"]
        validators = []


class MembershipUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["kind", "joined_on", "notes"]


class RoleSerializer(serializers.ModelSerializer):
    qsg = TargetField(access.qsg_for_user, model=QSG, noun="QSG")
    user = VisibleRelatedField(access.assignable_people_anywhere_for, model=User, noun="person")
    user_name = serializers.CharField(source="user.display_name", read_only=True)
    organisation = serializers.CharField(
        source="user.organisation.name", read_only=True, default=None
    )

    class Meta:
        model = QSGRole
        fields = [
            "id",
            "qsg",
            "user",
            "user_name",
            "organisation",
            "role",
            "is_named_representative",
        ]
        read_only_fields = ["id"]
        validators = []


class ProviderSerializer(serializers.ModelSerializer):
    qsg = TargetField(access.qsg_for_user, model=QSG, noun="QSG")
    commissioners = VisibleRelatedField(
        access.organisation_directory_for, model=Organisation, many=True, required=False
    )
    ods_code = serializers.RegexField(r"^[A-Za-z0-9]{3,10}$", max_length=10)
    other_qsgs = VisibleRelatedField(
        access.footprint_groups_for,
        model=QSG,
        noun="QSG",
        many=True,
        required=False,
        help_text="Other local groups whose footprint it sits in (those you can see); `qsg` "
        "is the lead group. Setting it names local groups you see; those you cannot see are "
        "kept as they are.",
    )

    class Meta:
        model = Provider
        fields = [
            "id",
            "ods_code",
            "name",
            "sector",
            "qsg",
            "other_qsgs",
            "district",
            "commissioners",
            "is_active",
        ]
        read_only_fields = ["id", "is_active"]

    def to_representation(self, provider):
        data = super().to_representation(provider)
        p = access.principal(self.context["request"].user)
        data["other_qsgs"] = sorted(pk for pk in data["other_qsgs"] if p.sees_qsg(pk))
        return data

    def validate_qsg(self, qsg):
        if qsg.level != QSG.Level.LOCAL:
            raise serializers.ValidationError(say("Choose a local QSG: providers belong to one"))
        return qsg


# Filters ------------------------------------------------------------------------------------------


class ProviderFilter(django_filters.FilterSet):
    qsg = IdFilter(field_name="qsg_id")
    is_active = StrictBooleanFilter()

    class Meta:
        model = Provider
        fields = ["qsg", "sector", "ods_code", "is_active"]


class MembershipFilter(django_filters.FilterSet):
    qsg = IdFilter(field_name="qsg_id")
    organisation = IdFilter(field_name="organisation_id")

    class Meta:
        model = Membership
        fields = ["qsg", "organisation", "kind"]


class OrganisationFilter(django_filters.FilterSet):
    type = django_filters.CharFilter(field_name="type__code")
    is_active = StrictBooleanFilter()

    class Meta:
        model = Organisation
        fields = ["type", "is_active"]


class QSGFilter(django_filters.FilterSet):
    regional_qsg = IdFilter(field_name="regional_qsg_id")

    class Meta:
        model = QSG
        fields = ["level", "regional_qsg"]


class RoleFilter(django_filters.FilterSet):
    qsg = IdFilter(field_name="qsg_id")

    class Meta:
        model = QSGRole
        fields = ["qsg", "role"]


# ViewSets -----------------------------------------------------------------------------------------


class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AccessViewSet,
):
    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.all()
    search_fields = ["name", "ods_code"]
    ordering_fields = ["name"]
    filterset_class = OrganisationFilter

    def visible_queryset(self):
        return access.organisations_for(self.request.user).select_related("type").order_by("name")

    def fetch(self, pk, *, manage):
        return access.organisation_for_user(self.request.user, pk, manage=manage)

    def perform_create(self, serializer):
        denied_unless(bool(access.principal(self.request.user).managed_qsg_ids))
        serializer.instance = services.organisation_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.organisation_update(
            actor=self.request.user, organisation=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.organisation_delete(actor=self.request.user, organisation=instance)


class QSGViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, AccessViewSet
):
    serializer_class = QSGSerializer
    queryset = QSG.objects.all()
    search_fields = ["name", "footprint"]
    filterset_class = QSGFilter
    http_method_names = ["get", "patch", "head", "options"]

    def visible_queryset(self):
        return access.qsgs_for(self.request.user).order_by("level", "name")

    def fetch(self, pk, *, manage):
        return access.qsg_for_user(self.request.user, pk, manage=manage)

    def perform_update(self, serializer):
        serializer.instance = services.qsg_update(
            actor=self.request.user, qsg=serializer.instance, **serializer.validated_data
        )


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AccessViewSet,
):
    serializer_class = MembershipSerializer
    queryset = Membership.objects.all()
    filterset_class = MembershipFilter
    search_fields = ["organisation__name"]

    def get_serializer_class(self):
        if self.action in {"update", "partial_update"}:
            return MembershipUpdateSerializer
        return MembershipSerializer

    def visible_queryset(self):
        return (
            access.memberships_for(self.request.user)
            .select_related("organisation")
            .order_by("qsg_id", "organisation__name")
        )

    def fetch(self, pk, *, manage):
        return access.membership_for_user(self.request.user, pk, manage=manage)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        qsg = data.pop("qsg")  # TargetField: visible and managed
        serializer.instance = services.membership_add(actor=self.request.user, qsg=qsg, **data)

    def perform_update(self, serializer):
        serializer.instance = services.membership_update(
            actor=self.request.user, membership=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.membership_remove(actor=self.request.user, membership=instance)


class RoleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    AccessViewSet,
):
    serializer_class = RoleSerializer
    queryset = QSGRole.objects.all()
    filterset_class = RoleFilter

    def visible_queryset(self):
        return (
            access.roles_for(self.request.user)
            .select_related("user", "user__organisation")
            .order_by("qsg_id", "role")
        )

    def fetch(self, pk, *, manage):
        return access.role_for_user(self.request.user, pk, manage=manage)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        qsg = data.pop("qsg")
        user = data.pop("user")
        if not access.assignable_people_for(self.request.user, qsg).filter(pk=user.pk).exists():
            raise serializers.ValidationError(
                {"user": [say("This person's organisation is not a member of the QSG")]}
            )
        serializer.instance = services.role_assign(
            actor=self.request.user, qsg=qsg, user=user, **data
        )

    def perform_destroy(self, instance):
        services.role_remove(actor=self.request.user, qsg_role=instance)


class ProviderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AccessViewSet,
):
    serializer_class = ProviderSerializer
    queryset = Provider.objects.all()
    filterset_class = ProviderFilter
    search_fields = ["name", "ods_code", "district"]
    ordering_fields = ["name", "ods_code"]

    def visible_queryset(self):
        return (
            access.providers_for(self.request.user)
            .prefetch_related("commissioners", "other_qsgs")
            .order_by("name")
        )

    def fetch(self, pk, *, manage):
        return access.provider_for_user(self.request.user, pk, manage=manage)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        qsg = data.pop("qsg")
        serializer.instance = services.provider_create(actor=self.request.user, qsg=qsg, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "other_qsgs" in data:
            # Groups the caller cannot see stay as they are (`access.other_qsgs_unseen`).
            data["other_qsgs"] = [
                *data["other_qsgs"],
                *access.other_qsgs_unseen(self.request.user, serializer.instance),
            ]
        serializer.instance = services.provider_update(
            actor=self.request.user, provider=serializer.instance, **data
        )

    def perform_destroy(self, instance):
        services.provider_delete(actor=self.request.user, provider=instance)


# Self ---------------------------------------------------------------------------------------


@extend_schema(
    responses={
        200: inline_serializer(
            "Me",
            {
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "name": serializers.CharField(),
                "organisation": serializers.CharField(allow_null=True),
                "roles": serializers.ListField(child=serializers.DictField()),
            },
        )
    }
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request):
    """Who the caller is, and their roles."""
    user = request.user
    roles = [
        {"qsg": r.qsg_id, "qsg_name": r.qsg.name, "role": r.role}
        for r in QSGRole.objects.filter(user=user).select_related("qsg").order_by("qsg__name")
    ]
    return Response(
        {
            "id": user.pk,
            "username": user.username,
            "name": user.display_name,
            "organisation": user.organisation.name if user.organisation_id else None,
            "roles": roles,
        }
    )


def register(router) -> None:
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("qsgs", QSGViewSet, basename="qsg")
    router.register("memberships", MembershipViewSet, basename="membership")
    router.register("qsg-roles", RoleViewSet, basename="qsg-role")
    router.register("providers", ProviderViewSet, basename="provider")
