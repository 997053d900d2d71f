"""While the database cannot be reached, pages and the API answer 503 with Retry-After, not 500."""

import json

from django.db import OperationalError
from django.test import RequestFactory

from qsg.views import error_500


def _handled(path: str, exc: Exception):
    request = RequestFactory().get(path)
    try:
        raise exc
    except Exception:  # Django calls handler500 inside its own except block
        return error_500(request)


def test_a_page_says_the_service_is_unavailable():
    response = _handled("/", OperationalError("connection refused"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Try again in a minute" in response.content.decode()


def test_the_api_says_so_in_json():
    response = _handled("/api/v1/me/", OperationalError("terminating connection"))
    assert response.status_code == 503
    assert "not available" in json.loads(response.content)["detail"]


def test_other_errors_stay_500():
    response = _handled("/", ValueError("bug"))
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
