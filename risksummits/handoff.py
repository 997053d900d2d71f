"""The seam between risk summits and the meetings work in `surveillance`.

Everything risk summits need from meetings passes through these few functions, so the wiring is
in one place:

* `pending_referrals(qsg_ids)`: "risk summit required" conclusions of agreed notes that no summit
  has picked up yet (surveillance's `risk_summit_referrals_pending`);
* `claim_referral(referral_id, reference)`: mark a referral as picked up by one summit, exactly
  once (surveillance's `risk_summit_referral_claim`, a conditional UPDATE);
* `transfer_action(...)`: put a summit's action on the QSG's action log (surveillance's
  `action_transfer_in`), linked both ways;
* `record_level_after(...)`: put the provider's surveillance level after a closed summit on the
  provider's surveillance timeline, through surveillance's service for levels decided outside a
  meeting (`level_record_from_risk_summit`; confidential entries, as summits are).

Referrals are plain `Referral` values here, never surveillance model instances, so the rest of
the app does not depend on their shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from surveillance.meetings.services import actions as action_services
from surveillance.meetings.services import note as note_services


@dataclass(frozen=True)
class Referral:
    id: int
    provider_id: int
    qsg_id: int
    meeting_id: int | None
    meeting_label: str
    rationale: str
    created_at: dt.datetime
    # The conclusion carries an FOI exemption: its rationale is for those who may read
    # confidential conclusions, never copied to a summit's participants.
    confidential: bool = False
    # The intelligence items the conclusion was made from (the summit's words follow them).
    intelligence_item_ids: tuple[int, ...] = ()


def pending_referrals(*, qsg_ids: Iterable[int] | None = None) -> list[Referral]:
    """Referrals waiting for a summit, oldest first."""
    return [_as_referral(r) for r in note_services.risk_summit_referrals_pending(qsg_ids=qsg_ids)]


def _as_referral(row) -> Referral:
    meeting = row.meeting
    label = f"{meeting.title}, {meeting.starts_at:%-d %B %Y}" if meeting is not None else ""
    return Referral(
        id=row.pk,
        provider_id=row.provider_id,
        qsg_id=row.qsg_id,
        meeting_id=row.meeting_id,
        meeting_label=label,
        rationale=row.rationale or "",
        created_at=row.created_at,
        confidential=bool(row.conclusion.foi_exemption_id) if row.conclusion_id else False,
        intelligence_item_ids=tuple(
            int(i) for i in (row.conclusion.intelligence_item_ids if row.conclusion_id else [])
        ),
    )


def referral(referral_id: int) -> Referral | None:
    """One pending referral by id, or None if it is gone or already claimed."""
    row = note_services.risk_summit_referrals_pending().filter(pk=referral_id).first()
    return _as_referral(row) if row is not None else None


def claim_referral(*, referral_id: int, reference: str) -> bool:
    """Claim a referral for the summit with this reference. True if this summit holds it (also on
    a repeated claim with the same reference); False if another summit claimed it first."""
    return note_services.risk_summit_referral_claim(referral_id=referral_id, reference=reference)


@dataclass(frozen=True)
class TransferredAction:
    id: int
    reference: str  # A12
    qsg_name: str


def transfer_action(
    *,
    actor,
    qsg_id: int,
    description: str,
    owner_organisation_id: int,
    owner_id: int | None,
    due_date: dt.date,
    provider_id: int | None,
    source: str,
    source_url: str,
) -> TransferredAction:
    """Put a summit's action on the QSG's action log (surveillance's `action_transfer_in`), once
    per source. It stays confidential there, as the summit is."""
    row = action_services.action_transfer_in(
        actor=actor,
        qsg_id=qsg_id,
        description=description,
        owner_organisation_id=owner_organisation_id,
        owner_id=owner_id,
        due_date=due_date,
        provider_id=provider_id,
        transferred_from=source,
        transferred_from_url=source_url,
    )
    return TransferredAction(id=row.pk, reference=row.reference, qsg_name=row.qsg.name)


def record_level_after(
    *,
    provider_id: int,
    qsg_id: int,
    level_code: str,
    decided_on: dt.date,
    rationale: str,
    reference: str,
) -> bool:
    """Record a provider's surveillance level after a summit closed. True if recorded."""
    note_services.level_record_from_risk_summit(
        provider_id=provider_id,
        qsg_id=qsg_id,
        category_code=level_code,
        decided_on=decided_on,
        rationale=rationale,
        summit_reference=reference,
    )
    return True
