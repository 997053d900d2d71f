"""Numbers out of range, nesting too deep, bodies too big: each a 4xx with a clear message.

Generated from the router, the OpenAPI schema and the URL configuration, so that a new filter,
parameter or page is covered without anyone remembering to add it. On SQLite (`make demo`) a
number past 2**63 - 1 reached the database and ended in OverflowError (a 500); on PostgreSQL it
was silently answered as "nothing matches". Either way the caller was not told.
"""

from __future__ import annotations

import io
import json
import re
from wsgiref.handlers import SimpleHandler
from wsgiref.util import is_hop_by_hop

import django_filters
import pytest
from django.core.wsgi import get_wsgi_application
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from qsg import ids
from qsg.api.filters import IdFilter
from qsg.api.parsers import MAX_DEPTH
from qsg.api.router import router
from tests.surveillance.intelligence.factories import api_body, submit

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
JUST_OVER = str(ids.ID_MAX + 1)


@pytest.fixture
def schema(cast, client_for):
    return client_for("secretariat_a").get("/api/schema/?format=json").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if isinstance(op, dict) and method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, op, shared + op.get("parameters", [])


def _body_schema(schema, op):
    content = op.get("requestBody", {}).get("content", {})
    for media in ("application/json", "multipart/form-data"):
        body = content.get(media, {}).get("schema")
        if body:
            ref = body.get("$ref")
            return schema["components"]["schemas"][ref.split("/")[-1]] if ref else body
    return None


def _integers(schema_part, name=""):
    """(name, schema) of every integer in a parameter or body schema, array items included."""
    if schema_part.get("type") == "integer":
        yield name, schema_part
    if schema_part.get("type") == "array":
        yield from _integers(schema_part.get("items", {}), name + "[]")
    for prop, sub in schema_part.get("properties", {}).items():
        if not sub.get("readOnly"):
            yield from _integers(sub, f"{name}.{prop}" if name else prop)


# The schema says every integer's range --------------------------------------------------------


def test_every_integer_parameter_of_the_api_has_a_range_in_the_schema(schema):
    unbounded = []
    for path, method, _, params in _operations(schema):
        for p in params:
            for name, s in _integers(p.get("schema", {}), p["name"]):
                if "minimum" not in s or "maximum" not in s:
                    unbounded.append(f"{method.upper()} {path} {p['in']}:{name}")
    assert not unbounded, unbounded


def test_every_integer_of_a_request_body_has_a_range_in_the_schema(schema):
    unbounded = []
    for path, method, op, _ in _operations(schema):
        body = _body_schema(schema, op)
        for name, s in _integers(body or {}):
            if "minimum" not in s or "maximum" not in s:
                unbounded.append(f"{method.upper()} {path} body:{name}")
    assert not unbounded, unbounded


# Filters ----------------------------------------------------------------------------------


def _filtersets():
    for prefix, viewset, _ in router.registry:
        filterset_class = getattr(viewset, "filterset_class", None)
        if filterset_class is None and getattr(viewset, "filterset_fields", None):
            model = viewset.queryset.model
            filterset_class = django_filters.FilterSet.__class__(
                "Auto",
                (django_filters.rest_framework.FilterSet,),
                {"Meta": type("Meta", (), {"model": model, "fields": viewset.filterset_fields})},
            )
        if filterset_class is not None:
            yield prefix, filterset_class


def test_every_filter_on_an_id_is_the_one_id_filter():
    """A filter on a key or a number is qsg.api.filters.IdFilter, which checks the range."""
    wrong = []
    for prefix, filterset_class in _filtersets():
        for name, f in filterset_class.base_filters.items():
            numeric = isinstance(f, django_filters.NumberFilter | django_filters.ModelChoiceFilter)
            if numeric and not isinstance(f, IdFilter):
                wrong.append(f"{prefix}?{name}= ({type(f).__name__})")
    assert not wrong, wrong


def test_an_id_filter_out_of_range_is_400_naming_the_parameter(schema, client_for):
    client = client_for("secretariat_a")
    answers = {}
    for path, method, _, params in _operations(schema):
        if method != "get" or "{" in path or client.get(path).status_code == 403:
            continue
        for p in params:
            if p["in"] != "query" or p.get("schema", {}).get("type") != "integer":
                continue
            for value in (HUGE, JUST_OVER, "0", "-1"):
                response = client.get(path, {p["name"]: value})
                answers[(path, p["name"], value)] = response.status_code
                assert response.status_code == 400, (path, p["name"], value, response.content)
                messages = response.json()[p["name"]]
                assert messages and all(isinstance(m, str) and m for m in messages)
    assert ("/api/v1/meetings/", "qsg", HUGE) in answers
    assert ("/api/v1/intelligence/", "provider", HUGE) in answers
    assert ("/api/v1/risk-summits/", "qsg", HUGE) in answers


def test_the_largest_id_is_accepted_and_matches_nothing(cast, client_for):
    client = client_for("secretariat_a")
    response = client.get("/api/v1/meetings/", {"qsg": str(ids.ID_MAX)})
    assert response.status_code == 200
    assert response.json()["count"] == 0
    mine = client.get("/api/v1/providers/", {"qsg": cast.qsgs["a"].pk}).json()
    assert mine["count"] >= 1


def test_the_filter_message_says_what_an_id_is(client_for, cast):
    response = client_for("member_a").get("/api/v1/meetings/", {"qsg": HUGE})
    assert response.json() == {"qsg": [f"Enter an id from 1 to {ids.ID_MAX}"]}


# Path ids ---------------------------------------------------------------------------------


def test_an_id_out_of_range_in_an_api_path_is_404(schema, client_for):
    client = client_for("secretariat_a")
    for path, method, _, params in _operations(schema):
        names = [p["name"] for p in params if p["in"] == "path"]
        if not names or any(
            p.get("schema", {}).get("type") != "integer" for p in params if p["in"] == "path"
        ):
            continue
        url = path
        for name in names:
            url = url.replace(f"{{{name}}}", HUGE)
        response = client.generic(method.upper(), url, "{}", content_type="application/json")
        assert response.status_code == 404, (method, url, response.status_code)


def _page_patterns(patterns=None, prefix=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from _page_patterns(p.url_patterns, prefix + str(p.pattern))
        else:
            assert isinstance(p, URLPattern)
            yield prefix + str(p.pattern), p


def test_every_integer_in_a_url_is_an_id_in_range():
    """`<id:pk>` (qsg.ids.IdConverter), never a bare `<int:pk>` that takes any number."""
    bare = []
    for route, pattern in _page_patterns():
        for name, converter in getattr(pattern.pattern, "converters", {}).items():
            if isinstance(converter, IntConverter) and not isinstance(converter, ids.IdConverter):
                bare.append(f"{route} ({name})")
    assert not bare, bare


def test_a_page_with_an_id_out_of_range_is_404(cast, client_for):
    client = client_for("secretariat_a")
    tried = 0
    for route, _ in _page_patterns():
        if "<id:" not in route or route.startswith("api/"):
            continue
        url = "/" + re.sub(r"<id:\w+>", JUST_OVER, route)
        if "<" in url:
            continue
        tried += 1
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)
    assert tried > 50


@pytest.mark.parametrize(
    "url",
    [
        "/intelligence/access-log/?item=" + HUGE,
        "/risk-summits/new/?provider=" + HUGE,
    ],
)
def test_an_id_out_of_range_in_a_page_parameter_is_ignored_not_a_500(cast, client_for, url):
    response = client_for("secretariat_a").get(url)
    assert response.status_code in (200, 403, 404)


# Ids in bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [[int(HUGE)], [ids.ID_MAX + 1], [0], ["1.5"], [True]])
def test_providers_out_of_range_in_a_submission_is_400(cast, client_for, value):
    response = client_for("member_a").post(
        "/api/v1/intelligence/", api_body(cast, providers=value), content_type="application/json"
    )
    assert response.status_code == 400
    assert "providers" in response.json()


@pytest.mark.parametrize("value", [[int(HUGE)], [ids.ID_MAX + 1], [-3]])
def test_providers_out_of_range_in_triage_is_400(cast, client_for, value):
    item = submit(cast)
    response = client_for("secretariat_a").post(
        f"/api/v1/intelligence/{item.pk}/triage/",
        {"providers": value},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["providers"] == {"0": [ids.OUT_OF_RANGE]}


def test_every_integer_of_a_request_body_out_of_range_is_a_4xx_naming_it(schema, client_for):
    client = client_for("secretariat_a")
    tried = 0
    for path, method, op, _ in _operations(schema):
        if "{" in path or method != "post":
            continue
        body = _body_schema(schema, op)
        if not body or "application/json" not in op["requestBody"]["content"]:
            continue
        for name, _ in _integers(body):
            field = name.split("[")[0]
            value = [int(HUGE)] if name.endswith("[]") else int(HUGE)
            response = client.post(path, {field: value}, content_type="application/json")
            tried += 1
            assert 400 <= response.status_code < 500, (path, name, response.status_code)
            if response.status_code == 400:
                assert field in response.json(), (path, name, response.json())
    assert tried > 10


# Nesting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_100, 100_000])
def test_json_nested_too_deep_is_400(cast, client_for, depth):
    body = "[" * depth + "]" * depth
    response = client_for("secretariat_a").post(
        "/api/v1/organisations/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert f"nested more than {MAX_DEPTH} levels" in response.json()["detail"]


def test_json_within_the_depth_cap_is_read(cast, client_for):
    nested = {"name": "Kestrel Community Trust", "type": "provider", "email": []}
    for _ in range(MAX_DEPTH - 3):
        nested = {"x": nested}  # with the body and the list inside: exactly MAX_DEPTH levels
    response = client_for("secretariat_a").post(
        "/api/v1/organisations/", {"name": "", "extra": nested}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "name" in response.json() and "detail" not in response.json()


# A body over the cap, through a real WSGI server ------------------------------------------


def _through_wsgiref(path: str, length: int) -> tuple[str, str]:
    """POST through wsgiref's handler (what `runserver` and `make demo` use), which refuses a
    hop-by-hop header from the application with a 500 of its own."""
    out, err = io.BytesIO(), io.StringIO()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "CONTENT_TYPE": "multipart/form-data; boundary=zzz",
        "CONTENT_LENGTH": str(length),
        "wsgi.url_scheme": "http",
    }
    handler = SimpleHandler(io.BytesIO(b"x" * 64), out, err, environ, multithread=False)
    handler.run(get_wsgi_application())
    return out.getvalue().decode("utf-8", "replace"), err.getvalue()


@pytest.mark.usefixtures("wsgi_keeps_the_test_connection")
def test_an_upload_over_the_cap_on_a_page_is_413_with_an_error_summary(cast, settings):
    settings.QSG_MAX_UPLOAD_BYTES = 1024
    raw, errors = _through_wsgiref("/dashboard/imports/new/", 3 * 1024 * 1024)
    status = raw.split("\r\n", 1)[0]
    assert status.endswith(" 413 Request Entity Too Large"), (status, errors)
    assert "nhsuk-error-summary" in raw and "There is a problem" in raw
    assert "The file must be smaller than 1 KB. Nothing was uploaded" in raw
    assert 'href="/dashboard/imports/new/"' in raw
    api, _ = _through_wsgiref("/api/v1/observations/import/", 3 * 1024 * 1024)
    assert api.split("\r\n", 1)[0].endswith(" 413 Request Entity Too Large")


def test_no_refusal_sends_a_hop_by_hop_header(cast, client_for, settings):
    settings.QSG_MAX_UPLOAD_BYTES = 1024
    client = client_for("member_b")
    for url in ("/dashboard/imports/new/", "/api/v1/observations/import/"):
        response = client.generic(
            "POST", url, b"x" * (3 * 1024 * 1024), content_type="multipart/form-data; boundary=z"
        )
        assert response.status_code == 413
        assert [h for h in response.headers if is_hop_by_hop(h)] == []


def test_the_json_depth_check_walks_without_recursion():
    from qsg.api.parsers import depth_exceeds

    deep = []
    for _ in range(50_000):
        deep = [deep]
    assert depth_exceeds(deep, MAX_DEPTH)
    assert not depth_exceeds(json.loads('{"a": [1, {"b": 2}]}'), 3)
    assert depth_exceeds(json.loads('{"a": [1, {"b": []}]}'), 3)
