"""Request id for structured logs, a cap on request size, an absolute session lifetime, and no
caching of what a signed-in person is served."""

import contextvars
import logging
import re
import time
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.cache import patch_cache_control

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Takes X-Request-ID from a trusted proxy or makes one; echoes it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        request.request_id = request_id
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class AbsoluteSessionExpiryMiddleware:
    """Ends a session a fixed time after login, however active it has been."""

    KEY = "_qsg_login_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(self.KEY)
            now = int(time.time())
            if started is None:
                request.session[self.KEY] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """Nothing served to a signed-in person is kept by a browser's or a proxy's cache.

    Pages, API answers and downloads (PDF packs and notes, summit documents, exports, calendar
    files) carry what the access layer allowed this person; a shared cache or the disk of a
    shared computer must not keep them. A view that sets its own Cache-Control keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


def max_request_bytes() -> int:
    """The largest request body accepted: the import file cap plus room for the form."""
    return settings.QSG_MAX_UPLOAD_BYTES + 1024 * 1024


class RequestSizeLimitMiddleware:
    """Refuses a body larger than max_request_bytes() from its Content-Length, before Django
    reads it (an upload would otherwise be streamed to a temporary file first). Pages get a
    page saying what the limit is; the API gets 413 with a detail. A body sent without a
    Content-Length (chunked) is stopped by UploadSizeLimitHandler instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_request_bytes():
            from .views import request_too_large

            return request_too_large(request)
        return self.get_response(request)


class UploadSizeLimitHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the request cap, whatever the headers said
    (a file between the import cap and this gets the form's own clear error)."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_request_bytes():
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
