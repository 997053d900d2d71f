"""Indicators are classed by the profile's quality dimensions (qsg.QualityDimension rows, issue 16).

Under 2013 the three dimensions, under 2022 the six; the API, its schema, the catalogue's form
and the pages all take the rows' codes (and the older `safe`/`effective` as aliases), answer an
unknown code with a field error, and show the profile's words.
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from dashboard.models import Indicator
from qsg import dimensions
from qsg.models import QualityDimension

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Staff survey: raising concerns",
    "metric": "% of staff who feel safe to speak up",
    "domain": "context",
    "unit": "percent",
    "kind": "measure",
    "multiplier": 1.0,
    "improvement_direction": "increase",
}


def api(cast, who="member_b") -> APIClient:
    client = APIClient()
    client.force_authenticate(cast.users[who])
    return client


def create(cast, code: str, dimension):
    return api(cast).post(
        "/api/v1/indicators/", {**NEW, "code": code, "quality_dimension": dimension}, format="json"
    )


@pytest.fixture(params=["2013", "2022"])
def profile(request):
    with override_settings(QSG_PROFILE=request.param):
        dimensions.forget()
        yield request.param
    dimensions.forget()


def test_seeded_indicators_carry_the_rows_codes():
    used = set(Indicator.objects.values_list("quality_dimension", flat=True))
    assert used == {"safety", "effectiveness", "experience"}
    assert Indicator.objects.get(code="SHMI").quality_dimension == "effectiveness"
    assert Indicator.objects.get(code="NEVER_EVENTS").quality_dimension == "safety"


def test_the_api_takes_the_profiles_codes_and_the_old_aliases(cast, profile):
    offered = {"2013": 3, "2022": 6}[profile]
    assert len(dimensions.codes()) == offered
    response = create(cast, "SPEAK_UP", "well_led")
    if profile == "2022":
        assert response.status_code == 201, response.json()
        assert response.json()["quality_dimension"] == "well_led"
        assert Indicator.objects.get(code="SPEAK_UP").get_quality_dimension_display() == "Well-led"
    else:
        assert response.status_code == 400
        message = response.json()["quality_dimension"][0]
        assert "'well_led' is not a quality dimension of this deployment" in message
        assert "safety, effectiveness, experience" in message
        assert not Indicator.objects.filter(code="SPEAK_UP").exists()

    response = create(cast, "OLD_CLIENT", "safe")
    assert response.status_code == 201, response.json()
    assert response.json()["quality_dimension"] == "safety"
    indicator = Indicator.objects.get(code="OLD_CLIENT")
    assert indicator.get_quality_dimension_display() == {"2013": "Safety", "2022": "Safe"}[profile]

    patched = api(cast).patch(
        "/api/v1/indicators/OLD_CLIENT/", {"quality_dimension": "effective"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["quality_dimension"] == "effectiveness"


@pytest.mark.parametrize("sent", ["bogus", "", "SAFETY_FIRST", 5, ["safety"], None, "x" * 300])
def test_an_unknown_code_is_a_field_error_not_a_500(cast, sent):
    response = create(cast, "BAD_DIMENSION", sent)
    assert response.status_code == 400, response.content
    assert response.json()["quality_dimension"]
    assert not Indicator.objects.filter(code="BAD_DIMENSION").exists()
    patched = api(cast).patch(
        "/api/v1/indicators/AE_4HR/", {"quality_dimension": sent}, format="json"
    )
    assert patched.status_code == 400 and patched.json()["quality_dimension"]
    assert Indicator.objects.get(code="AE_4HR").quality_dimension == "experience"


def test_a_retired_dimension_is_no_longer_offered_but_kept(cast):
    with override_settings(QSG_PROFILE="2022"):
        assert create(cast, "FAIR_ACCESS", "equitable").status_code == 201
        QualityDimension.objects.filter(profile="2022", code="equitable").update(is_active=False)
        dimensions.forget()
        response = create(cast, "FAIR_ACCESS_2", "equitable")
        assert response.status_code == 400
        assert "'equitable' is not a quality dimension" in response.json()["quality_dimension"][0]
        # The indicator keeps it through an edit of something else, on the API and the page.
        patched = api(cast).patch(
            "/api/v1/indicators/FAIR_ACCESS/",
            {"quality_dimension": "equitable", "target": 90},
            format="json",
        )
        assert patched.status_code == 200, patched.json()
        page = _client(cast).get("/dashboard/indicators/FAIR_ACCESS/edit/")
        assert 'value="equitable" selected' in page.content.decode()
        assert Indicator.objects.get(code="FAIR_ACCESS").quality_dimension == "equitable"
    dimensions.forget()


def _client(cast):
    from django.test import Client

    from tests.signin import log_in

    client = Client()
    log_in(client, cast.users["member_b"])
    return client


def test_the_filter_reads_the_old_codes_as_the_new(cast):
    client = api(cast, "member_a")
    safety = set(
        Indicator.objects.filter(quality_dimension="safety").values_list("code", flat=True)
    )
    for sent in ("safety", "safe", "SAFE"):
        response = client.get(f"/api/v1/indicators/?quality_dimension={sent}&page_size=100")
        assert response.status_code == 200
        assert {r["code"] for r in response.json()["results"]} == safety
    assert client.get("/api/v1/indicators/?quality_dimension=bogus").json()["count"] == 0


def test_the_pages_offer_and_show_the_profiles_dimensions(cast, profile):
    client = _client(cast)
    form = client.get("/dashboard/indicators/new/").content.decode()
    words = {
        "2013": ["Safety", "Effectiveness", "Patient experience"],
        "2022": [
            "Safe",
            "Effective",
            "Positive experience",
            "Well-led",
            "Sustainable",
            "Equitable",
        ],
    }[profile]
    for word in words:
        assert f">{word}</option>" in form
    assert ("Well-led" in form) == (profile == "2022")

    response = client.post(
        "/dashboard/indicators/new/",
        {**NEW, "code": "GREENER", "quality_dimension": "sustainable", "multiplier": "1"},
    )
    if profile == "2022":
        assert response.status_code == 302
        assert "Sustainable" in client.get("/dashboard/indicators/GREENER/").content.decode()
        listing = client.get("/dashboard/indicators/").content.decode()
        assert "Sustainable" in listing and ">Safe<" in listing
    else:
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert not Indicator.objects.filter(code="GREENER").exists()
        assert "Patient experience" in client.get("/dashboard/indicators/").content.decode()


def test_an_administrators_label_is_what_the_pages_and_the_api_schema_say(cast):
    QualityDimension.objects.filter(profile="2013", code="experience").update(
        label="Experience of care"
    )
    dimensions.forget()
    assert "Experience of care" in _client(cast).get("/dashboard/indicators/").content.decode()


def test_the_schema_names_the_profiles_codes(profile):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    request = components["IndicatorRequest"]["properties"]["quality_dimension"]
    response = components["Indicator"]["properties"]["quality_dimension"]
    codes = [c for c, _ in dimensions.SEEDED[profile]]
    name = {"2013": "IndicatorQualityDimensionEnum", "2022": "IndicatorQualityDimension2022Enum"}
    assert request["allOf"] == [{"$ref": f"#/components/schemas/{name[profile]}"}]
    enum = components[name[profile]]["enum"]
    assert enum == [*codes, "safe", "effective"]
    assert ("well_led" in enum) == (profile == "2022")
    assert "enum" not in response and ", ".join(codes) in response["description"]
