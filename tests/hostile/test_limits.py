"""Upload size limits, rate limits (429 with Retry-After) and session expiry, tested for real."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dashboard.models import ImportBatch
from tests.cast import PASSWORD
from tests.signin import log_in

IMPORT_PAGE = "/dashboard/imports/new/"
IMPORT_API = "/api/v1/observations/import/"


# Upload sizes -------------------------------------------------------------------------------


def test_a_body_over_the_cap_is_refused_before_it_is_read(cast, client_for, settings):
    settings.QSG_MAX_UPLOAD_BYTES = 1024
    client = client_for("member_b")
    too_big = 1024 + 1024 * 1024 + 1  # the cap plus the 1 MB allowed for the rest of the form
    response = client.generic(
        "POST",
        IMPORT_PAGE,
        b"x" * too_big,
        content_type="multipart/form-data; boundary=zzz",
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert "The file is too large" in body and "smaller than 1 KB" in body
    assert "Nothing was uploaded" in body
    api = client.generic(
        "POST", IMPORT_API, b"x" * too_big, content_type="multipart/form-data; boundary=zzz"
    )
    assert api.status_code == 413
    assert "smaller than" in api.json()["detail"]
    assert not ImportBatch.objects.exists()


def test_the_default_cap_message_names_the_limit(cast, client_for, settings):
    response = client_for("member_b").generic(
        "POST",
        IMPORT_API,
        b"",
        content_type="multipart/form-data; boundary=zzz",
        CONTENT_LENGTH=str(settings.QSG_MAX_UPLOAD_BYTES + 2 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "The file must be smaller than 20 MB"


def test_a_file_just_over_the_import_cap_gets_a_field_error_on_page_and_api(
    cast, client_for, settings
):
    settings.QSG_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    content = b"provider,indicator,period,value\n" + b"RAA,AE_4HR,2019-03,5\n" * 110_000
    assert settings.QSG_MAX_UPLOAD_BYTES < len(content) < settings.QSG_MAX_UPLOAD_BYTES + 2**20
    client = client_for("member_b")
    page = client.post(IMPORT_PAGE, {"file": SimpleUploadedFile("big.csv", content)})
    assert page.status_code == 200
    text = page.content.decode()
    assert "nhsuk-error-summary" in text and "must be smaller than 2 MB" in text
    api = client.post(IMPORT_API, {"file": SimpleUploadedFile("big.csv", content)})
    assert api.status_code == 400
    assert "smaller than 2 MB" in str(api.json()["file"])
    assert not ImportBatch.objects.exists()


def test_an_oversized_json_body_is_400_not_500(cast, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client_for("secretariat_a").post(
        "/api/v1/organisations/",
        {"name": "x" * 20_000},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_upload_settings_are_bounded(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.QSG_MAX_UPLOAD_BYTES <= 50 * 1024 * 1024
    assert settings.FILE_UPLOAD_HANDLERS[0] == "qsg.middleware.UploadSizeLimitHandler"


# Rate limits --------------------------------------------------------------------------------


@pytest.fixture
def throttle(settings):
    """Small rates for the test, through the settings (qsg.api.throttles reads them each time)."""
    cache.clear()
    rates = {"token": "3/minute", "submission": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    yield rates
    cache.clear()


def test_token_endpoint_answers_429_with_retry_after(cast, throttle):
    client = Client()
    statuses = [
        client.post(
            "/api/v1/auth/token/",
            {"username": "member_a", "password": "wrong-password"},
            content_type="application/json",
        ).status_code
        for _ in range(3)
    ]
    assert 429 not in statuses
    limited = client.post(
        "/api/v1/auth/token/",
        {"username": "member_a", "password": PASSWORD},
        content_type="application/json",
    )
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "detail" in limited.json()


def test_every_api_write_counts_against_the_submission_limit(cast, client_for, throttle):
    client = client_for("secretariat_a")
    statuses = [
        client.post("/api/v1/organisations/", {}, content_type="application/json").status_code
        for _ in range(2)
    ]
    assert statuses == [400, 400]
    limited = client.post("/api/v1/providers/", {}, content_type="application/json")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert client.get("/api/v1/organisations/").status_code == 200, "reads are not limited"
    other = client_for("secretariat_b")
    assert (
        other.post("/api/v1/organisations/", {}, content_type="application/json").status_code == 400
    )


def test_every_api_view_is_rate_limited():
    from django.urls import URLPattern, URLResolver, get_resolver

    from qsg.api.throttles import SubmissionThrottle, TokenThrottle

    unlimited = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            assert isinstance(pattern, URLPattern)
            view = getattr(pattern.callback, "cls", None)
            path = prefix + str(pattern.pattern)
            if view is None or not path.startswith("api/v1/"):
                continue
            throttles = tuple(view.throttle_classes)
            if not any(issubclass(t, SubmissionThrottle | TokenThrottle) for t in throttles):
                unlimited.append(path)

    walk(get_resolver().url_patterns, "")
    assert not unlimited, f"API views without a rate limit: {unlimited}"


def test_the_rate_limit_lets_requests_through_when_the_cache_is_down(cast, client_for, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client_for("secretariat_a").post(
        "/api/v1/organisations/", {}, content_type="application/json"
    )
    assert response.status_code == 400


def test_login_page_locks_out_after_repeated_failures(cast):
    client = Client()
    for _ in range(5):
        client.post(reverse("qsg:login"), {"username": "member_b", "password": "nope-nope-1"})
    locked = Client().post(reverse("qsg:login"), {"username": "member_b", "password": PASSWORD})
    assert locked.status_code in (403, 429)
    assert "_auth_user_id" not in Client().session


# Sessions -----------------------------------------------------------------------------------


def test_idle_session_expires(cast, settings):
    settings.SESSION_COOKIE_AGE = 2
    client = Client()
    assert client.post(reverse("qsg:login"), {"username": "member_a", "password": PASSWORD})[
        "Location"
    ]
    assert client.get(reverse("qsg:home")).status_code == 200
    time.sleep(1)
    assert client.get(reverse("qsg:home")).status_code == 200, "activity keeps it alive"
    time.sleep(3)
    response = client.get(reverse("qsg:home"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_absolute_lifetime_ends_an_active_session(cast, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 3
    client = Client()
    client.post(reverse("qsg:login"), {"username": "member_a", "password": PASSWORD})
    deadline = time.monotonic() + 8
    statuses = []
    while time.monotonic() < deadline:
        statuses.append(client.get(reverse("qsg:home")).status_code)
        if statuses[-1] == 302:
            break
        time.sleep(0.5)
    assert statuses[0] == 200 and statuses[-1] == 302, statuses
    assert statuses.count(200) >= 3, "active use did not extend the absolute lifetime"


def test_logout_by_get_does_not_log_out(cast, client_for):
    client = client_for("member_a")
    assert client.get(reverse("qsg:logout")).status_code == 405
    assert client.get(reverse("qsg:home")).status_code == 200
    csrf_client = Client(enforce_csrf_checks=True)
    log_in(csrf_client, cast.users["member_a"])
    assert csrf_client.post(reverse("qsg:logout")).status_code == 403, "logout needs CSRF"
    assert csrf_client.get(reverse("qsg:home")).status_code == 200
    assert client.post(reverse("qsg:logout")).status_code == 302
    assert client.get(reverse("qsg:home")).status_code == 302


# Found by schemathesis: a blank ?page= was answered as page 1 ------------------------------


@pytest.mark.parametrize("page", ["", "0", "-1", "1.5", "x", "\u0661"])
def test_a_page_that_is_not_a_whole_number_is_400(cast, client_for, page):
    response = client_for("secretariat_a").get("/api/v1/organisations/", {"page": page})
    assert response.status_code == 400
    assert "page" in response.json()


def test_pages_that_are_whole_numbers_work(cast, client_for):
    client = client_for("secretariat_a")
    assert client.get("/api/v1/organisations/", {"page": "1"}).status_code == 200
    assert client.get("/api/v1/organisations/", {"page": "last"}).status_code == 200
    assert client.get("/api/v1/organisations/", {"page": "99"}).status_code == 404
