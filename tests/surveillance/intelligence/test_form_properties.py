"""Property-based tests of the submission form: any text and any combination of fields gives a
page (200, with field errors) or a redirect (302), never a server error, and nothing is
stored that the form did not accept.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveillance.intelligence.models import IntelligenceItem
from tests.signin import log_in

STEPS = ("about", "details", "grading", "sharing")
FIELDS = {
    "about": ["qsg", "providers", "service_site", "outside_reason"],
    "details": [
        "source_type",
        "quality_dimension",
        "theme",
        "summary",
        "details",
        "observed_from[day]",
        "observed_from[month]",
        "observed_from[year]",
        "observed_to-day",
        "observed_to-month",
        "observed_to-year",
    ],
    "grading": [
        "source_reliability",
        "information_certainty",
        "review_by[day]",
        "review_by[month]",
        "review_by[year]",
    ],
    "sharing": ["distribution", "named_organisations", "do_not_attribute"],
}
# Text that reaches the interesting paths: digits, dates, NHS numbers, codes, huge numbers.
values = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="0123456789 -/", max_size=14),
    st.sampled_from(
        [
            "",
            "RAA",
            "RCA",
            "ZZZ9",
            "943 476 5919",
            "named",
            "qsg",
            "region",
            "A",
            "F",
            "Z",
            "7",
            "0",
            "-1",
            "99999999999999999999",
            "31",
            "2",
            "2999",
            "1900",
            "on",
            "\x00",
            "é" * 6000,
        ]
    ),
)
# The NUL character cannot be sent in a form post by a browser; keep it out of the text.
clean = values.map(lambda v: v.replace("\x00", ""))

SLOW = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.django_db
@SLOW
@given(step=st.sampled_from(STEPS), data=st.data())
def test_any_step_input_gives_a_page_or_a_redirect(cast, step, data):
    user = cast.users["member_a"]
    client = Client()
    log_in(client, user)
    draft = IntelligenceItem.objects.filter(submitted_by=user, status="draft").first()
    if draft is None:
        response = client.post(
            reverse("surveillance:intelligence-new"),
            {"qsg": cast.qsgs["a"].pk, "providers": "RAA"},
        )
        assert response.status_code == 302
        draft = IntelligenceItem.objects.get(submitted_by=user, status="draft")
    chosen = data.draw(st.dictionaries(st.sampled_from(FIELDS[step]), clean, max_size=8))
    url = reverse("surveillance:intelligence-step", args=[draft.pk, step])
    response = client.post(url, chosen)
    assert response.status_code in (200, 302), response.status_code
    draft.refresh_from_db()
    assert len(draft.summary) <= 200 and len(draft.details) <= 5000
    check = client.post(reverse("surveillance:intelligence-check", args=[draft.pk]), {})
    assert check.status_code in (200, 302)
