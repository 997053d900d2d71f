"""The one guard against double submits, for pages and the API alike.

A page's form carries a one-use token (`form_token`, a hidden field filled by `with_token`); an
API client sends an `Idempotency-Key` header (or an `idempotency_key` field in the body). Either
way the same thing happens: the write claims a `SubmissionToken` row, unique per person, scope
and token, inside its own transaction, and remembers what it made. A second request with the
same token finds the row (waiting for the first to commit, if it has not) and makes nothing; it
gets back what the first made, when the caller asks for it.

Two ways to use it:

- `run_once(create, user=, scope=, token=, model=)` around a service call (the form pages do
  this through `qsg.pages.submit(..., scope=...)`);
- `claim(user=, scope=, token=)` inside a service that takes the token as an argument (so its
  API and its page share the guard): `if not c.first: return c.repeat(Model)`, then
  `c.remember(obj)` once the object exists.

Without a token (an API client that sends none) or a signed-in person, nothing is claimed and
every request writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import SubmissionToken

T = TypeVar("T")

FIELD = "form_token"  # the hidden field of qsg.forms.TokenForm
HEADER = "Idempotency-Key"
BODY_FIELD = "idempotency_key"
MAX_LENGTH = 80
ALREADY_SENT = "This form has already been sent."


def new_token() -> str:
    return uuid.uuid4().hex


def with_token(form):
    """Give an unbound form a fresh token (a bound one keeps the token it was posted with)."""
    if not form.is_bound:
        form.initial.setdefault(FIELD, new_token())
    return form


def token_of(form) -> str:
    """The token a bound, valid form was posted with ("" when none)."""
    return (getattr(form, "cleaned_data", None) or {}).get(FIELD) or ""


@dataclass
class Claim:
    row: SubmissionToken | None
    first: bool

    def earlier(self, model) -> Any | None:
        """What the first request with this token made, if it still exists."""
        if self.row is None or not self.row.object_id:
            return None
        return model.objects.filter(pk=self.row.object_id).first()

    def repeat(self, model, message: str = ALREADY_SENT):
        """The answer to a repeat: the first request's object, or a ValidationError if it is gone."""
        found = self.earlier(model)
        if found is None:
            raise ValidationError(message)
        return found

    def remember(self, obj) -> None:
        pk = getattr(obj, "pk", None)
        if self.row is not None and pk is not None:
            self.row.object_id = str(pk)
            self.row.save(update_fields=["object_id"])


def claim(*, user, scope: str, token: str) -> Claim:
    """Claim a token inside the caller's transaction (the claim goes if the transaction does)."""
    if not token or not getattr(user, "is_authenticated", False):
        return Claim(row=None, first=True)
    row, created = SubmissionToken.objects.select_for_update().get_or_create(
        user=user, scope=scope, token=token[:MAX_LENGTH]
    )
    return Claim(row=row, first=created)


def run_once(
    create: Callable[[], T], *, user, scope: str, token: str, model=None
) -> tuple[T | None, bool]:
    """Run `create` once per token. Returns (result, first).

    A repeat returns (the first result if `model` is given and it still exists, else None,
    False). A ValidationError from `create` undoes the claim, so the corrected form can be sent
    with the same token.
    """
    with transaction.atomic():
        c = claim(user=user, scope=scope, token=token)
        if not c.first:
            return (c.earlier(model) if model is not None else None), False
        result = create()
        c.remember(result)
        return result, True
