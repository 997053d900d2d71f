"""The intelligence services: drafts, distribution changes, merging, closing, double submits."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from surveillance.intelligence import access
from surveillance.intelligence import services as si
from surveillance.intelligence.models import IntelligenceAccess, IntelligenceItem, ItemSighting

from .factories import Distribution, Status, fields, released, submit

pytestmark = pytest.mark.django_db


def test_a_draft_is_saved_then_submitted_as_the_same_item(cast):
    user = cast.users["member_a"]
    draft = si.intelligence_item_save_draft(actor=user, qsg=cast.qsgs["a"], summary="Started")
    assert draft.reference.startswith("INT-")
    draft = si.intelligence_item_save_draft(
        actor=user, item=draft, qsg=cast.qsgs["a"], summary="Started, then more"
    )
    with pytest.raises(ValidationError) as caught:
        si.intelligence_item_submit(actor=user, item=draft, qsg=cast.qsgs["a"])
    assert {"details", "providers", "observed_from", "source_type"} <= set(
        caught.value.message_dict
    )
    item = si.intelligence_item_submit(actor=user, item=draft, **fields(cast))
    assert item.pk == draft.pk
    assert item.status == Status.SUBMITTED and item.submitted_at
    assert item.history.count() >= 3


def test_nobody_else_can_save_or_submit_someone_elses_draft(cast):
    draft = si.intelligence_item_save_draft(
        actor=cast.users["member_a"], qsg=cast.qsgs["a"], summary="Mine"
    )
    from django.http import Http404

    for username in ("secretariat_a", "cqc_a"):
        with pytest.raises(Http404):
            si.intelligence_item_submit(actor=cast.users[username], item=draft, **fields(cast))


def test_patient_identifiable_data_is_refused_even_in_a_draft(cast):
    with pytest.raises(ValidationError) as caught:
        si.intelligence_item_save_draft(
            actor=cast.users["member_a"],
            qsg=cast.qsgs["a"],
            details="Family of Mr Patel (DOB 12/03/1950) raised it",
        )
    message = " ".join(caught.value.message_dict["details"])
    assert "date of birth" in message.lower() or "name" in message.lower()
    assert not IntelligenceItem.objects.exists()


def test_the_same_form_token_twice_makes_one_item(cast):
    user = cast.users["member_a"]
    first = si.intelligence_item_submit(actor=user, idempotency_key="form-token-1", **fields(cast))
    second = si.intelligence_item_submit(actor=user, idempotency_key="form-token-1", **fields(cast))
    assert first.pk == second.pk
    assert IntelligenceItem.objects.count() == 1
    other = si.intelligence_item_submit(
        actor=cast.users["cqc_a"], idempotency_key="form-token-1", **fields(cast)
    )
    assert other.pk != first.pk  # keys are per person


def test_a_submission_is_stored_whole_in_its_first_history_row(cast):
    """Reference and idempotency key go in with the insert (each later save would add a history
    row with copies of its providers): one row for the item, one for its providers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        item = si.intelligence_item_submit(
            actor=cast.users["member_a"], idempotency_key="form-token-2", **fields(cast)
        )
    first = item.history.order_by("history_id").first()
    assert item.reference == f"INT-{item.created_at:%Y}-{item.pk:06d}"
    assert (first.reference, first.idempotency_key) == (item.reference, "form-token-2")
    assert item.history.count() == 2
    # The providers' row copies them (qsg.history: without reading the item back for it).
    last = item.history.order_by("history_id").last()
    providers = {row.provider_id for row in last.providers.all()}
    assert providers and providers == set(item.providers.values_list("pk", flat=True))
    assert not [q for q in ctx.captured_queries if '"search" AS "search"' in q["sql"]]


def test_widening_is_allowed_to_the_owner_and_the_secretariat_only(cast):
    item = released(cast, distribution=Distribution.ORGANISATION)
    si.intelligence_item_change_distribution(
        actor=cast.users["member_a"], item=item, distribution=Distribution.QSG
    )
    si.intelligence_item_change_distribution(
        actor=cast.users["secretariat_a"], item=item, distribution=Distribution.REGION
    )
    with pytest.raises(PermissionDenied):
        si.intelligence_item_change_distribution(
            actor=cast.users["cqc_a"], item=item, distribution=Distribution.QSG
        )
    item.refresh_from_db()
    assert item.distribution == Distribution.REGION


def test_narrowing_is_refused_once_someone_outside_the_new_audience_has_seen_it(cast):
    item = released(cast, distribution=Distribution.REGION)
    # Narrowing before anyone outside the QSG has looked is fine.
    si.intelligence_item_change_distribution(
        actor=cast.users["member_a"], item=item, distribution=Distribution.QSG
    )
    si.intelligence_item_change_distribution(
        actor=cast.users["member_a"], item=item, distribution=Distribution.REGION
    )
    reviewer = cast.users["reviewer"]
    seen = access.item_for_user(reviewer, item.pk)
    si.intelligence_item_record_view(user=reviewer, item=seen)
    assert ItemSighting.objects.filter(item=item, user=reviewer).exists()
    assert IntelligenceAccess.objects.filter(item=item, user=reviewer).count() == 1
    with pytest.raises(ValidationError) as caught:
        si.intelligence_item_change_distribution(
            actor=cast.users["member_a"], item=item, distribution=Distribution.QSG
        )
    assert "already seen" in caught.value.message_dict["distribution"][0]
    # Naming the reviewer's organisation keeps them in the audience, so that is allowed.
    si.intelligence_item_change_distribution(
        actor=cast.users["secretariat_a"],
        item=item,
        distribution=Distribution.NAMED,
        named_organisations=[cast.orgs["nhse_r"]],
    )
    item.refresh_from_db()
    assert item.distribution == Distribution.NAMED


def test_merge_closes_the_duplicate_into_the_original(cast):
    original = released(cast)
    duplicate = released(cast, providers=[cast.providers["provider_a2"]])
    with pytest.raises(PermissionDenied):
        si.intelligence_item_merge(actor=cast.users["chair_a"], item=duplicate, into=original)
    si.intelligence_item_merge(actor=cast.users["secretariat_a"], item=duplicate, into=original)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED and duplicate.merged_into == original
    assert set(original.providers.values_list("pk", flat=True)) == {
        cast.providers["provider_a1"].pk,
        cast.providers["provider_a2"].pk,
    }
    with pytest.raises(ValidationError):
        si.intelligence_item_merge(actor=cast.users["secretariat_a"], item=original, into=original)


def test_triage_needs_the_secretariat_and_a_theme(cast):
    item = submit(cast, theme=None)
    with pytest.raises(PermissionDenied):
        si.intelligence_item_triage(actor=cast.users["chair_a"], item=item)
    with pytest.raises(ValidationError) as caught:
        si.intelligence_item_triage(actor=cast.users["secretariat_a"], item=item)
    assert "theme" in caught.value.message_dict
    queue = access.triage_queue_for(cast.users["secretariat_a"])
    assert list(queue) == [item]
    assert not access.triage_queue_for(cast.users["secretariat_b"]).exists()


def test_close(cast):
    item = released(cast)
    with pytest.raises(PermissionDenied):
        si.intelligence_item_close(actor=cast.users["member_a"], item=item)
    si.intelligence_item_close(actor=cast.users["secretariat_a"], item=item)
    item.refresh_from_db()
    assert item.status == Status.CLOSED
