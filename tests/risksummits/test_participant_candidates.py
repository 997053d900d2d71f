"""Who may be added to take part in a summit (issue 14, build 1): people holding a role in the
summit's QSG, as the access layer says (`access.participant_people_for`); being in one of the
QSG's member organisations is not enough, on the page and in the service alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qsg import services as qsg_services
from risksummits import access
from risksummits.models import Participant
from risksummits.services.participants import (
    participant_add,
    participant_remove,
    representative_add,
)

from .factories import trigger

pytestmark = pytest.mark.django_db


def _summit(cast):
    """A summit that the local authority and the CQC (member organisations of QSG A) no longer
    take part in, so that they may be added."""
    summit = trigger(cast)
    for org_key in ("la_a", "cqc"):
        participant = Participant.objects.filter(
            summit=summit, organisation=cast.orgs[org_key], is_active=True
        ).first()
        if participant is not None:
            participant_remove(actor=cast.users["secretariat_a"], participant=participant)
    return summit


def _no_role(cast):
    """A person of the local authority (a member organisation of QSG A) with no role in it."""
    return qsg_services.user_create(
        actor=None,
        username="norole",
        organisation=cast.orgs["la_a"],
        password="x-unused-0123456789",
        first_name="Norole",
        last_name="Person",
        email="norole@example.nhs.uk",
    )


def test_the_add_participant_page_lists_only_people_with_a_role_in_the_qsg(cast, client_for):
    summit = _summit(cast)
    nobody = _no_role(cast)
    candidates = access.participant_people_for(
        summit, access.participant_organisations_for(summit).values("pk")
    )
    assert nobody not in candidates
    assert cast.users["observer_a"] in candidates  # a role in the QSG, as the trigger names them
    # The CQC's regional member holds a role in the region, not in QSG A.
    assert cast.users["regional_member"] not in candidates
    assert cast.users["cqc_a"] in candidates
    body = (
        client_for("secretariat_a")
        .get(reverse("risksummits:participant-add", args=[summit.pk]))
        .content.decode()
    )
    assert nobody.display_name not in body
    assert cast.users["observer_a"].display_name in body
    assert cast.users["regional_member"].display_name not in body


def test_the_service_refuses_a_person_without_a_role_in_the_qsg(cast):
    summit = _summit(cast)
    nobody = _no_role(cast)
    with pytest.raises(ValidationError) as refused:
        participant_add(
            actor=cast.users["secretariat_a"],
            summit=summit,
            organisation=nobody.organisation,
            people=[nobody],
        )
    assert "Norole" not in str(refused.value)
    participant = participant_add(
        actor=cast.users["secretariat_a"], summit=summit, organisation=nobody.organisation
    )
    with pytest.raises(ValidationError):
        representative_add(actor=cast.users["secretariat_a"], participant=participant, user=nobody)
