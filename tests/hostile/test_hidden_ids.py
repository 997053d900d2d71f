"""An id that exists but is hidden gets exactly the answer of an id that does not exist.

For every create and update that names related objects by id: the same body with a visible id
is accepted (so the body is otherwise right), and with a hidden id and a missing id the answers
are the same status and the same message (each echoing only the number the caller sent).
Before: another QSG's meeting in POST /api/v1/agenda-items/ was a 404, a missing one a 400
'Invalid pk', and the same on memberships, roles, providers, meetings, local reports and
attendance; a person's name came back in a role's error.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from qsg import services
from qsg.models import Organisation, OrganisationType, Provider, User
from surveillance.meetings.models import Meeting
from tests.surveillance.intelligence.factories import api_body, submit
from tests.surveillance.meetings import factories as mf

pytestmark = pytest.mark.django_db

SECRETARIAT = "secretariat_a"


def _missing(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 10_000


def _same(hidden_response, hidden_id, missing_response, missing_id):
    assert hidden_response.status_code == missing_response.status_code, (
        hidden_response.status_code,
        hidden_response.content,
        missing_response.status_code,
        missing_response.content,
    )
    assert 400 <= hidden_response.status_code < 500
    hidden = hidden_response.content.decode().replace(str(hidden_id), "N")
    missing = missing_response.content.decode().replace(str(missing_id), "N")
    assert hidden == missing


@pytest.fixture
def world(cast):
    """QSG A (secretariat_a's) and what secretariat_a may not see: QSG C's meeting, people,
    provider and member organisation, and an organisation and provider no longer active."""
    retired_org = services.organisation_create(
        actor=None, name="Retired Commissioning Unit", type=OrganisationType.objects.first()
    )
    retired_provider = services.provider_create(
        actor=None, ods_code="RZR", name="Retired Hospital", sector="acute", qsg=cast.qsgs["a"]
    )
    Organisation.objects.filter(pk=retired_org.pk).update(is_active=False)
    Provider.objects.filter(pk=retired_provider.pk).update(is_active=False)
    return {
        "meeting_a": mf.meeting(cast, days=20),
        "meeting_c": mf.meeting(cast, qsg="c", days=20, title="Area C QSG meeting"),
        "retired_org": retired_org,
        "retired_provider": retired_provider,
    }


TIMES = {"present_from": "10:00", "present_to": "12:00"}


def _future(days=30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


# name: (url, field, body(cast, world, id), a visible id or None, a hidden id, the noun)
CASES = {
    "meeting qsg": (
        "/api/v1/meetings/",
        "qsg",
        lambda c, w, v: {
            "qsg": v,
            "title": "Extra meeting",
            "date": _future(),
            "start_time": "10:00",
            "end_time": "12:00",
            "venue": "Room 2",
        },
        lambda c, w: c.qsgs["a"].pk,
        lambda c, w: c.qsgs["c"].pk,
        "QSG",
    ),
    "agenda item meeting": (
        "/api/v1/agenda-items/",
        "meeting",
        lambda c, w, v: {"meeting": v, "title": "Staffing in maternity"},
        lambda c, w: w["meeting_a"].pk,
        lambda c, w: w["meeting_c"].pk,
        "meeting",
    ),
    "agenda item providers": (
        "/api/v1/agenda-items/",
        "providers",
        lambda c, w, v: {"meeting": w["meeting_a"].pk, "title": "Item", "providers": [v]},
        lambda c, w: c.providers["provider_a1"].pk,
        lambda c, w: c.providers["provider_c1"].pk,
        "provider",
    ),
    "agenda item presenter organisation": (
        "/api/v1/agenda-items/",
        "presenter_organisation",
        lambda c, w, v: {"meeting": w["meeting_a"].pk, "title": "I", "presenter_organisation": v},
        lambda c, w: c.orgs["icb_a"].pk,
        lambda c, w: c.orgs["icb_c"].pk,
        "organisation",
    ),
    "attendance meeting": (
        "/api/v1/attendance/",
        "meeting",
        lambda c, w, v: {
            "meeting": v,
            "name": "A Guest",
            "organisation": c.orgs["icb_a"].pk,
            **TIMES,
        },
        lambda c, w: w["meeting_a"].pk,
        lambda c, w: w["meeting_c"].pk,
        "meeting",
    ),
    "attendance person": (
        "/api/v1/attendance/",
        "user",
        lambda c, w, v: {
            "meeting": w["meeting_a"].pk,
            "user": v,
            "organisation": c.orgs["icb_a"].pk,
            **TIMES,
        },
        lambda c, w: c.users["member_a"].pk,
        lambda c, w: c.users["member_c"].pk,
        "person",
    ),
    "attendance organisation": (
        "/api/v1/attendance/",
        "organisation",
        lambda c, w, v: {
            "meeting": w["meeting_a"].pk,
            "name": "A Guest",
            "organisation": v,
            **TIMES,
        },
        lambda c, w: c.orgs["icb_c"].pk,  # a guest may come from any active organisation
        lambda c, w: w["retired_org"].pk,
        "organisation",
    ),
    "membership qsg": (
        "/api/v1/memberships/",
        "qsg",
        lambda c, w, v: {"qsg": v, "organisation": c.orgs["outsider_org"].pk, "kind": "co_opted"},
        lambda c, w: c.qsgs["a"].pk,
        lambda c, w: c.qsgs["c"].pk,
        "QSG",
    ),
    "membership organisation": (
        "/api/v1/memberships/",
        "organisation",
        lambda c, w, v: {"qsg": c.qsgs["a"].pk, "organisation": v, "kind": "co_opted"},
        lambda c, w: c.orgs["outsider_org"].pk,
        lambda c, w: w["retired_org"].pk,
        "organisation",
    ),
    "role qsg": (
        "/api/v1/qsg-roles/",
        "qsg",
        lambda c, w, v: {"qsg": v, "user": c.users["member_a"].pk, "role": "observer"},
        lambda c, w: c.qsgs["a"].pk,
        lambda c, w: c.qsgs["c"].pk,
        "QSG",
    ),
    "role person": (
        "/api/v1/qsg-roles/",
        "user",
        lambda c, w, v: {"qsg": c.qsgs["a"].pk, "user": v, "role": "observer"},
        lambda c, w: c.users["member_a"].pk,
        lambda c, w: c.users["member_c"].pk,
        "person",
    ),
    "provider qsg": (
        "/api/v1/providers/",
        "qsg",
        lambda c, w, v: {"ods_code": "RZQ", "name": "Zulu Hospital", "sector": "acute", "qsg": v},
        lambda c, w: c.qsgs["a"].pk,
        lambda c, w: c.qsgs["c"].pk,
        "QSG",
    ),
    "provider commissioners": (
        "/api/v1/providers/",
        "commissioners",
        lambda c, w, v: {
            "ods_code": "RZQ",
            "name": "Zulu Hospital",
            "sector": "acute",
            "qsg": c.qsgs["a"].pk,
            "commissioners": [v],
        },
        lambda c, w: c.orgs["icb_a"].pk,
        lambda c, w: w["retired_org"].pk,
        "organisation",
    ),
    "local report qsg": (
        "/api/v1/local-reports/",
        "qsg",
        lambda c, w, v: {"qsg": v, "period_start": "2026-07-01", "period_end": "2026-09-30"},
        lambda c, w: c.qsgs["a"].pk,
        lambda c, w: c.qsgs["c"].pk,
        "QSG",
    ),
    "conclusion meeting": (
        "/api/v1/conclusions/",
        "meeting",
        lambda c, w, v: {
            "meeting": v,
            "provider": c.providers["provider_a1"].pk,
            "category": "regular-review",
        },
        None,
        lambda c, w: w["meeting_c"].pk,
        "meeting",
    ),
    "conclusion provider": (
        "/api/v1/conclusions/",
        "provider",
        lambda c, w, v: {"meeting": w["meeting_a"].pk, "provider": v, "category": "x"},
        None,
        lambda c, w: c.providers["provider_c1"].pk,
        "provider",
    ),
}


def _model(noun):
    from qsg.models import QSG

    return {"QSG": QSG, "meeting": Meeting, "provider": Provider, "person": User}.get(
        noun, Organisation
    )


@pytest.mark.parametrize("case", CASES)
def test_a_hidden_id_is_answered_as_a_missing_one(cast, client_for, world, case):
    url, field, body, visible, hidden, noun = CASES[case]
    client = client_for(SECRETARIAT)
    hidden_id = hidden(cast, world)
    missing_id = _missing(_model(noun))

    def send(value):
        return client.post(url, body(cast, world, value), content_type="application/json")

    hidden_response = send(hidden_id)
    missing_response = send(missing_id)
    _same(hidden_response, hidden_id, missing_response, missing_id)
    assert f"No {noun} with id {missing_id} was found" in str(missing_response.json()[field])
    if visible is not None:
        accepted = send(visible(cast, world))
        assert accepted.status_code == 201, accepted.content


@pytest.mark.parametrize("case", ["agenda item providers", "agenda item presenter organisation"])
def test_an_update_answers_a_hidden_id_as_a_missing_one(cast, client_for, world, case):
    _, field, _, visible, hidden, noun = CASES[case]
    client = client_for(SECRETARIAT)
    created = client.post(
        "/api/v1/agenda-items/",
        {"meeting": world["meeting_a"].pk, "title": "Staffing"},
        content_type="application/json",
    )
    url = f"/api/v1/agenda-items/{created.json()['id']}/"

    def send(value):
        data = {field: [value] if field == "providers" else value}
        return client.patch(url, data, content_type="application/json")

    hidden_id, missing_id = hidden(cast, world), _missing(_model(noun))
    _same(send(hidden_id), hidden_id, send(missing_id), missing_id)
    assert send(visible(cast, world)).status_code == 200


def test_no_answer_names_a_hidden_person(cast, client_for, world):
    response = client_for(SECRETARIAT).post(
        "/api/v1/qsg-roles/",
        {"qsg": cast.qsgs["a"].pk, "user": cast.users["member_c"].pk, "role": "observer"},
        content_type="application/json",
    )
    assert cast.users["member_c"].display_name not in response.content.decode()


# Intelligence: the provider directory -----------------------------------------------------


def test_a_submission_answers_a_retired_provider_as_a_missing_one(cast, client_for, world):
    client = client_for("member_a")
    hidden_id, missing_id = world["retired_provider"].pk, _missing(Provider)

    def send(value):
        return client.post(
            "/api/v1/intelligence/",
            api_body(cast, providers=[value]),
            content_type="application/json",
        )

    _same(send(hidden_id), hidden_id, send(missing_id), missing_id)


def test_a_submission_never_names_a_provider_the_submitter_cannot_see(cast, client_for):
    outside = cast.providers["provider_c1"]
    response = client_for("member_a").post(
        "/api/v1/intelligence/",
        api_body(cast, providers=[outside.pk]),
        content_type="application/json",
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "outside_reason" in response.json()
    assert outside.name not in text and outside.ods_code not in text
    assert str(outside.pk) in text, "the caller is told which of their ids it is about"


def test_triage_answers_a_retired_provider_as_a_missing_one(cast, client_for, world):
    item = submit(cast)
    client = client_for(SECRETARIAT)
    hidden_id, missing_id = world["retired_provider"].pk, _missing(Provider)

    def send(value):
        return client.post(
            f"/api/v1/intelligence/{item.pk}/triage/",
            {"providers": [value]},
            content_type="application/json",
        )

    _same(send(hidden_id), hidden_id, send(missing_id), missing_id)


# Every serializer ------------------------------------------------------------------------


def _serializers():
    from rest_framework import serializers

    import qsg.api.router  # noqa: F401  (every app's API module is imported by now)

    seen, todo = set(), [serializers.Serializer]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    project = ("qsg.", "dashboard.", "surveillance.", "risksummits.")
    return sorted(
        # a ModelSerializer without Meta is a base others extend (qsg.api InheritedSerializer)
        (
            s
            for s in seen
            if s.__module__.startswith(project)
            and (hasattr(s, "Meta") or not issubclass(s, serializers.ModelSerializer))
        ),
        key=lambda s: s.__qualname__,
    )


def test_every_related_id_a_request_may_carry_goes_through_the_access_layer():
    """A writable relation is a VisibleRelatedField or TargetField (qsg.api.fields); codes of
    reference data (organisation types, conclusion categories, indicator codes) are the only
    other kind, each a CodeField (a code that can be none is a 400 before any query)."""
    from rest_framework import relations

    from qsg.api.fields import CodeField, VisibleRelatedField

    unscoped = []
    for serializer_class in _serializers():
        for name, field in serializer_class().fields.items():
            if field.read_only:
                continue
            relation = getattr(field, "child_relation", field)
            if isinstance(relation, relations.RelatedField) and not isinstance(
                relation, VisibleRelatedField | CodeField
            ):
                unscoped.append(f"{serializer_class.__module__}.{serializer_class.__name__}.{name}")
    assert not unscoped, unscoped
    assert len(_serializers()) > 20


def _code_fields():
    from qsg.api.fields import CodeField

    for serializer_class in _serializers():
        for name, field in serializer_class().fields.items():
            relation = getattr(field, "child_relation", field)
            if isinstance(relation, CodeField) and not field.read_only:
                yield f"{serializer_class.__name__}.{name}", relation


@pytest.mark.parametrize("value", ["a\x00b", "\udaa5", "x" * 1000, 7, ["code"]])
def test_a_code_that_can_be_none_is_refused_before_any_query(value):
    """Before: an indicator code with a NUL in an escalation's exit criteria reached
    PostgreSQL ("text fields cannot contain NUL"): a 500 found by `make fuzz` (schemathesis,
    POST /api/v1/escalations/)."""
    from rest_framework.exceptions import ValidationError

    fields = dict(_code_fields())
    assert {"OrganisationSerializer.type", "NewCriterionSerializer.indicator"} <= set(fields)
    for name, field in fields.items():
        with pytest.raises(ValidationError) as refused:
            field.to_internal_value(value)
        assert "Enter a code as text" in str(refused.value.detail), name


def test_an_exit_criterion_with_a_nul_in_its_indicator_is_400(cast, client_for):
    body = {
        "provider": cast.providers["provider_a2"].pk,
        "level": "enhanced",
        "decided_on": (timezone.localdate() - dt.timedelta(days=5)).isoformat(),
        "decided_by": "The group by consensus",
        "rationale": "Caseloads above plan",
        "lead_organisation": cast.orgs["icb_a"].pk,
        "review_date": _future(30),
        "exit_criteria": [{"text": "Caseloads within plan", "indicator": "AB\x00C"}],
    }
    response = client_for(SECRETARIAT).post(
        "/api/v1/escalations/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert "Enter a code as text" in response.content.decode()


# Pages --------------------------------------------------------------------------------------


def _error_summary(response) -> list[str]:
    """The messages of the page's NHS.UK error summary, each as 'field: message'."""
    body = response.content.decode()
    start = body.find("nhsuk-error-summary")
    assert start != -1, "no error summary on the page"
    block = body[start : body.find("</ul>", start)]
    return [
        f"{href}: {text.strip()}"
        for href, text in re.findall(r'href="#([^"]+)"\s*>([^<]*)<', block)
    ]


PAGE_CASES = {
    "agenda item presenter organisation": (
        "surveillance:agenda-item-create",
        lambda c, w: [w["meeting_a"].pk],
        lambda c, w, v: {
            "title": "Item",
            "kind": "standard",
            "duration_minutes": "10",
            "presenter_organisation": v,
        },
        lambda c, w: c.orgs["icb_c"].pk,
        Organisation,
    ),
    "agenda item providers": (
        "surveillance:agenda-item-create",
        lambda c, w: [w["meeting_a"].pk],
        lambda c, w, v: {
            "title": "Item",
            "kind": "standard",
            "duration_minutes": "10",
            "providers": v,
        },
        lambda c, w: c.providers["provider_c1"].ods_code,
        "RZZZ9",
    ),
    "membership organisation": (
        "qsg:membership-add",
        lambda c, w: [c.qsgs["a"].pk],
        lambda c, w, v: {"organisation": v, "kind": "co_opted"},
        lambda c, w: w["retired_org"].pk,
        Organisation,
    ),
    "role person": (
        "qsg:role-add",
        lambda c, w: [c.qsgs["a"].pk],
        lambda c, w, v: {"user": v, "role": "observer"},
        lambda c, w: c.users["member_c"].pk,
        User,
    ),
}


@pytest.mark.parametrize("case", PAGE_CASES)
def test_a_page_answers_a_hidden_choice_as_a_missing_one(cast, client_for, world, case):
    from django.urls import reverse

    name, args, data, hidden, missing = PAGE_CASES[case]
    client = client_for(SECRETARIAT)
    url = reverse(name, args=args(cast, world))
    hidden_value = hidden(cast, world)
    missing_value = missing if isinstance(missing, str) else _missing(missing)
    answers = []
    for n, value in enumerate((hidden_value, missing_value)):
        response = client.post(url, {**data(cast, world, value), "form_token": f"hidden-{n}"})
        assert response.status_code == 200
        answers.append([m.replace(str(value), "N") for m in _error_summary(response)])
    assert answers[0] == answers[1] and answers[0], answers


def test_the_submission_page_names_an_outside_provider_by_the_code_typed(cast, client_for):
    from django.urls import reverse

    outside = cast.providers["provider_c1"]
    client = client_for("member_a")
    response = client.post(
        reverse("surveillance:intelligence-new"),
        {"qsg": cast.qsgs["a"].pk, "providers": outside.ods_code, "form_token": "about-1"},
    )
    assert response.status_code == 200
    errors = " ".join(_error_summary(response))
    assert outside.ods_code in errors and outside.name not in errors


@pytest.mark.parametrize(
    "field, hidden",
    [
        ("owner_organisation", lambda c: c.orgs["icb_c"].pk),
        ("owner", lambda c: c.users["member_c"].pk),
        ("meeting", lambda c: None),
    ],
)
def test_a_summit_action_answers_a_hidden_id_as_a_missing_one(cast, client_for, field, hidden):
    from risksummits.models import SummitMeeting
    from tests.risksummits.factories import hold_first_meeting, trigger

    summit, other = trigger(cast), trigger(cast, by="member_c", provider="provider_c1")
    other_meeting = hold_first_meeting(cast, other, by="secretariat_c", present=["secretariat_c"])
    hidden_id = hidden(cast) or other_meeting.pk
    model = {"owner_organisation": Organisation, "owner": User, "meeting": SummitMeeting}[field]
    missing_id = _missing(model)
    client = client_for(SECRETARIAT)
    url = f"/api/v1/risk-summits/{summit.pk}/actions/"
    base = {
        "objective": "continuity",
        "description": "Agree divert arrangements with neighbours",
        "owner_organisation": cast.orgs["nhse_a"].pk,
        "due_on": _future(5),
    }

    def send(value):
        return client.post(url, {**base, field: value}, content_type="application/json")

    _same(send(hidden_id), hidden_id, send(missing_id), missing_id)
    assert send(None if field != "owner_organisation" else base[field]).status_code == 201


def test_an_escalation_decision_answers_a_hidden_meeting_as_a_missing_one(cast, client_for, world):
    client = client_for(SECRETARIAT)
    body = {
        "provider": cast.providers["provider_a2"].pk,
        "level": "enhanced",
        "decided_on": (timezone.localdate() - dt.timedelta(days=5)).isoformat(),
        "decided_by": "The group by consensus",
        "rationale": "Caseloads above plan",
        "lead_organisation": cast.orgs["icb_a"].pk,
        "review_date": _future(30),
        "exit_criteria": [{"text": "Caseloads within plan"}],
    }

    def send(value):
        return client.post(
            "/api/v1/escalations/", {**body, "meeting": value}, content_type="application/json"
        )

    hidden_id, missing_id = world["meeting_c"].pk, _missing(Meeting)
    _same(send(hidden_id), hidden_id, send(missing_id), missing_id)
    accepted = send(mf.meeting(cast, days=-7).pk)
    assert accepted.status_code == 201, accepted.content
