"""Building blocks for API views that read through qsg.access."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, viewsets

from qsg import ids, once


class AccessViewSet(viewsets.GenericViewSet):
    """Lists come from `visible_queryset()`; single objects from `fetch(pk, manage=...)`.

    `fetch` must raise Http404 for what the caller cannot see and PermissionDenied for what
    they may see but not change, exactly like the pages.
    """

    write_actions = frozenset({"update", "partial_update", "destroy"})

    def visible_queryset(self):
        raise NotImplementedError

    def fetch(self, pk, *, manage: bool):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none() if self.queryset is not None else None
        return self.visible_queryset()

    def get_object(self):
        pk = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if self.lookup_field == "pk":
            # Not an id in range (qsg.ids): nothing has it, and the database is not asked.
            pk = ids.parse_id(pk)
            if pk is None:
                raise exceptions.NotFound()
        try:
            return self.fetch(pk, manage=self.action in self.write_actions)
        except Http404 as exc:
            raise exceptions.NotFound() from exc
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied() from exc


def denied_unless(allowed: bool) -> None:
    if not allowed:
        raise exceptions.PermissionDenied()


def idempotency_key(request, data: dict | None = None) -> str:
    """The request's key against double submits (`qsg.once`): the `Idempotency-Key` header, else
    an `idempotency_key` field of the body (taken out of `data`). A 400 if it is too long."""
    body = data.pop(once.BODY_FIELD, "") if data is not None else ""
    key = (request.headers.get(once.HEADER) or body or "").strip()
    if len(key) > once.MAX_LENGTH:
        raise exceptions.ValidationError(
            {once.BODY_FIELD: [f"Use {once.MAX_LENGTH} characters or fewer"]}
        )
    return key
