"""Every related id a request body may carry, generated from the serializers (issue 14, finding 3):
an id that exists but is hidden from the caller gets exactly the answer of an id that does not
exist, and no message names the hidden object.

`test_hidden_ids.py` sends whole bodies for the cases found by the probe; this walks every
writable `VisibleRelatedField` and `TargetField` of every serializer of the project, bound as the
secretariat of QSG A, so that a new field (or one that answers on its own) is held to the rule
without anyone adding a case.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions

from qsg import services
from qsg.api.fields import TargetField, VisibleRelatedField
from qsg.models import Organisation, OrganisationType
from surveillance.meetings.services import agenda as agenda_services
from tests.risksummits.factories import hold_first_meeting, standing, trigger
from tests.surveillance.meetings import factories as mf

from .test_hidden_ids import _missing, _serializers

pytestmark = pytest.mark.django_db

CALLER = "secretariat_a"
# Related fields with nothing in the cast hidden from QSG A's secretariat, and why.
NOTHING_HIDDEN: dict[str, str] = {
    "surveillance.regional.api.AssuranceAnswerSerializer.question": "annex A's questions are "
    "reference data every caller may name (the return's service checks they are its QSG's)",
}


def _relations():
    for serializer_class in _serializers():
        for name, field in serializer_class().fields.items():
            relation = getattr(field, "child_relation", field)
            if not field.read_only and isinstance(relation, VisibleRelatedField):
                yield serializer_class, name


def _hidden(relation, user):
    """An object of the field's model that exists and that the caller may not name."""
    model = relation.queryset.model
    if isinstance(relation, TargetField):
        for obj in model._default_manager.order_by("pk"):
            try:
                relation.fetch(user, obj.pk, manage=True)
            except Http404:
                return obj
            except PermissionDenied:
                pass  # visible, not the caller's to change: a 403, as on its own URL
        return None
    visible = relation.get_queryset().values("pk")
    return model._default_manager.exclude(pk__in=visible).order_by("pk").first()


def _answer(relation, value) -> tuple[str, str]:
    try:
        relation.to_internal_value(value)
    except exceptions.APIException as exc:  # a 400 (ValidationError) or a 404 (NotFound)
        return type(exc).__name__, str(exc.detail).replace(str(value), "N")
    return "accepted", ""


def test_every_related_id_answers_a_hidden_object_as_a_missing_one(cast, rf):
    # Objects hidden from QSG A's secretariat: QSG C's meeting, agenda item, summit, summit
    # meeting and people, and an organisation no longer active.
    meeting_c = mf.meeting(cast, qsg="c", days=20, title="Area C QSG meeting")
    agenda_services.agenda_item_create(
        actor=cast.users["secretariat_c"], meeting=meeting_c, title="Area C item", kind="standard"
    )
    other = trigger(cast, by="member_c", provider="provider_c1")
    hold_first_meeting(cast, other, by="secretariat_c", present=["secretariat_c"])
    retired = services.organisation_create(
        actor=None, name="Retired Commissioning Unit", type=OrganisationType.objects.first()
    )
    Organisation.objects.filter(pk=retired.pk).update(is_active=False)
    summit = trigger(cast)
    request = rf.post("/")
    request.user = cast.users[CALLER]
    context = {"request": request, "standing": standing(cast, CALLER, summit)}
    checked, nothing_hidden, problems = [], [], []
    for serializer_class, name in _relations():
        label = f"{serializer_class.__module__}.{serializer_class.__name__}.{name}"
        field = serializer_class(context=context).fields[name]
        relation = getattr(field, "child_relation", field)
        hidden = _hidden(relation, request.user)
        if hidden is None:
            if label not in NOTHING_HIDDEN:
                nothing_hidden.append(label)
            continue
        missing = _missing(relation.queryset.model)
        got_hidden, got_missing = _answer(relation, hidden.pk), _answer(relation, missing)
        if got_hidden != got_missing:
            problems.append(f"{label}: hidden {got_hidden} but missing {got_missing}")
        elif got_hidden[0] == "accepted":
            problems.append(f"{label}: accepted a hidden and a missing id")
        elif str(hidden) and str(hidden) in got_hidden[1]:
            problems.append(f"{label}: the answer names the hidden object ({hidden})")
        checked.append(label)
    assert not problems, "\n".join(problems)
    assert not nothing_hidden, (
        "related fields with nothing hidden in the cast to try (hide something from "
        f"{CALLER} here, or list the field in NOTHING_HIDDEN with why): {nothing_hidden}"
    )
    assert len(checked) >= 15, checked
