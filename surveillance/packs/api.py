"""The packs API: /api/v1/packs/ (list, detail with the render status, download).

Reads go through surveillance.packs.access, the same rules as the pages: each person sees the
files they may download (the secretariat every audience's, the chair the full pack, a member
their organisation's copy of the published version), and a download is logged.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action

from qsg import ids
from qsg.api.base import AccessViewSet
from qsg.models import Job
from surveillance.packs import access as ap
from surveillance.packs import services as sp
from surveillance.packs.models import MeetingPack, PackVersion


class PackFileSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = PackVersion
        fields = [
            "id",
            "number",
            "for_secretariat",
            "audience_label",
            "pages",
            "size",
            "checksum",
            "rendered_at",
            "download_url",
        ]

    def get_download_url(self, obj) -> str:
        return f"/api/v1/packs/{obj.pack_id}/download/?file={obj.pk}"


class PackJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    message = serializers.CharField()


class PackSerializer(serializers.ModelSerializer):
    meeting_title = serializers.CharField(source="meeting.title")
    starts_at = serializers.DateTimeField(source="meeting.starts_at")
    qsg = serializers.IntegerField(source="meeting.qsg_id")
    files = serializers.SerializerMethodField()
    render = serializers.SerializerMethodField()

    class Meta:
        model = MeetingPack
        fields = [
            "id",
            "meeting",
            "meeting_title",
            "starts_at",
            "qsg",
            "marking",
            "returns_due_on",
            "latest_number",
            "published_number",
            "published_at",
            "render",
            "files",
        ]
        read_only_fields = fields  # packs are made by the pages' jobs, not through the API

    def _user(self):
        return self.context["request"].user

    @extend_schema_field(PackFileSerializer(many=True))
    def get_files(self, obj) -> list[dict]:
        versions = ap.versions_for(self._user(), obj).order_by("-number", "-for_secretariat")
        return PackFileSerializer(versions, many=True).data

    @extend_schema_field(PackJobSerializer(allow_null=True))
    def get_render(self, obj) -> dict | None:
        """The latest render job, for the secretariat and chair."""
        if not ap.reads_everything(self._user(), obj.meeting.qsg_id) or not obj.latest_number:
            return None
        job = Job.objects.filter(key=sp.render_job_key(obj, obj.latest_number)).first()
        if job is None:
            return None
        return {
            "id": str(job.pk),
            "number": obj.latest_number,
            "status": job.status,
            "progress": job.progress,
            "message": job.message,
        }


class PackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessViewSet):
    serializer_class = PackSerializer
    queryset = MeetingPack.objects.all()

    def visible_queryset(self):
        return (
            ap.packs_for(self.request.user)
            .select_related("meeting")
            .order_by("-meeting__starts_at", "pk")
        )

    def fetch(self, pk, *, manage):
        return ap.pack_for_user(self.request.user, pk)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "file", ids.SCHEMA, description="A file id from `files`; default: your copy"
            )
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path="download")
    def download(self, request, pk=None):
        from surveillance.packs.views import download_response

        pack = self.get_object()
        raw = request.query_params.get("file")
        if raw not in (None, ""):
            file_id = ids.parse_id(raw)
            if file_id is None:
                raise exceptions.ValidationError({"file": [ids.OUT_OF_RANGE]})
            try:
                version = ap.version_for_user(request.user, pack, file_id)
            except Http404 as exc:
                raise exceptions.NotFound() from exc
        else:
            version = ap.own_copy(request.user, pack)
            if version is None:
                raise exceptions.NotFound()
        try:
            return download_response(request.user, version, via="api")
        except Http404 as exc:
            raise exceptions.NotFound() from exc


def register(router) -> None:
    router.register("packs", PackViewSet, basename="pack")
