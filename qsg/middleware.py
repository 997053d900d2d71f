"""Request id for structured logs, a cap on request size, an idle (rolling) and an absolute
session lifetime, and no caching of what a signed-in person is served."""

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


def session_renew_seconds() -> int:
    """How far a session's idle expiry may lag behind the last request before it is written again:
    a minute (SESSION_RENEW_SECONDS), or a tenth of the idle time if that is shorter."""
    return max(0, min(settings.SESSION_RENEW_SECONDS, settings.SESSION_COOKIE_AGE // 10))


class RollingSessionMiddleware:
    """Rolls the idle expiry forward without writing the session on every request.

    Django's SESSION_SAVE_EVERY_REQUEST writes the session row on every request (an UPDATE in
    the request's path) only to move its expiry date. Here a session that was read and not
    changed is written only when its stored expiry is more than session_renew_seconds() behind
    what a write now would give it; the time of the last write is kept in the session. An idle
    session therefore ends between SESSION_COOKIE_AGE minus that lag and SESSION_COOKIE_AGE
    after the last request, never later; any other change to the session is written as before.
    Sits after SessionMiddleware, so its response side runs before the session is saved."""

    KEY = "_qsg_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return response
        now = int(time.time())
        renewed = session.get(self.KEY)
        if session.modified or renewed is None or now - int(renewed) > session_renew_seconds():
            session[self.KEY] = now  # marks it modified: SessionMiddleware writes it
        return response


def stamp_session_at_sign_in(sender, request, user, **kwargs) -> None:
    """A sign-in writes the session anyway (its key changes): the absolute expiry counts from
    it and it counts as the last renewal, so the next request need not write the session again.
    Connected to `user_logged_in` (qsg.apps)."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[AbsoluteSessionExpiryMiddleware.KEY] = now
        session[RollingSessionMiddleware.KEY] = now


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
