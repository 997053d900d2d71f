"""Seed the load test's people on top of the demo, and write what locust needs to a JSON file.

Run against a throwaway stack (tests/load/run.py does it): python tests/load/seed.py OUT.json PASSWORD

Every simulated user gets an account of their own (throttles and sessions are per person, as
they would be): members of each local QSG's member organisations, a secretariat for every
local QSG, analysts with API tokens, and readers of the QSGs whose meeting notes are published.
"""

from __future__ import annotations

import json
import sys

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from dashboard.models import Indicator  # noqa: E402
from qsg import services  # noqa: E402
from qsg.accounts import policy  # noqa: E402
from qsg.accounts.models import ApiToken  # noqa: E402
from qsg.accounts.services import token_issue  # noqa: E402
from qsg.demo import ANALYSTS_GROUP  # noqa: E402
from qsg.models import QSG, Membership, Provider, QSGRole, User  # noqa: E402
from surveillance.meetings.models import Meeting, MeetingNote  # noqa: E402

MEMBERS_PER_QSG = 6
SECRETARIAT_PER_QSG = 2
ANALYSTS = 24


def _user(username: str, organisation, encoded: str, *, analyst: bool = False) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.user_create(
            actor=None,
            username=username,
            organisation=organisation,
            password=None,
            first_name="Load",
            last_name=username.split(".")[-1],
            email="",
        )
    User.objects.filter(pk=user.pk).update(password=encoded, is_active=True)
    user.password = encoded  # the session's auth hash is made from it
    if analyst:
        user.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    return user


def _session(user: User) -> str:
    """A session as logging in makes one, for simulated users who logged in before the test."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if policy.needs_second_factor(user):
        # ...and passed its second factor with the person's authenticator, as the page does.
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": "Load test authenticator"}
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return session.session_key


def _token(user: User) -> str:
    return token_issue(
        user=user,
        name="load test",
        scope=ApiToken.Scope.READ_WRITE,
        origin=ApiToken.Origin.PASSWORD,
        two_factor_verified=False,
    )[1]


def _role(user: User, qsg: QSG, role: str) -> None:
    if not QSGRole.objects.filter(user=user, qsg=qsg, role=role).exists():
        services.role_assign(actor=None, qsg=qsg, user=user, role=role)


@transaction.atomic
def seed(password: str) -> dict:
    encoded = make_password(password)  # hash once; hashing is deliberately slow
    out: dict = {"members": [], "secretariat": [], "analysts": [], "note_readers": []}
    published = {
        n.meeting.qsg_id: n.meeting_id
        for n in MeetingNote.objects.select_related("meeting").filter(status="published")
    }
    for qsg in QSG.objects.filter(level=QSG.Level.LOCAL).order_by("pk"):
        memberships = list(
            Membership.objects.filter(qsg=qsg).select_related("organisation").order_by("pk")
        )
        providers = list(Provider.objects.filter(qsg=qsg).values_list("pk", flat=True))
        meetings = list(Meeting.objects.filter(qsg=qsg).values_list("pk", flat=True))
        for i in range(MEMBERS_PER_QSG):
            organisation = memberships[i % len(memberships)].organisation
            user = _user(f"load.q{qsg.pk}.m{i}", organisation, encoded)
            _role(user, qsg, QSGRole.Role.MEMBER)
            entry = {
                "username": user.username,
                "token": _token(user),
                "session": _session(user),
                "qsg": qsg.pk,
                "providers": providers,
                "meetings": meetings,
            }
            out["members"].append(entry)
            if qsg.pk in published:
                out["note_readers"].append({**entry, "meeting": published[qsg.pk]})
        for i in range(SECRETARIAT_PER_QSG):
            organisation = memberships[0].organisation
            user = _user(f"load.q{qsg.pk}.s{i}", organisation, encoded)
            _role(user, qsg, QSGRole.Role.SECRETARIAT)
            out["secretariat"].append(
                {
                    "username": user.username,
                    "session": _session(user),
                    "qsg": qsg.pk,
                    "meetings": meetings,
                }
            )
    nhse = Membership.objects.select_related("organisation").order_by("pk").first()
    for i in range(ANALYSTS):
        user = _user(f"load.analyst{i}", nhse.organisation, encoded, analyst=True)
        _role(user, nhse.qsg, QSGRole.Role.MEMBER)
        out["analysts"].append(
            {
                "username": user.username,
                "token": _token(user),
                "qsg": nhse.qsg_id,
            }
        )
    out["providers"] = list(Provider.objects.order_by("pk").values_list("ods_code", flat=True))
    out["indicators"] = list(
        Indicator.objects.filter(kind="measure").order_by("code").values_list("code", flat=True)
    )
    try:
        out["intelligence_url"] = reverse("api:intelligence-list")
    except NoReverseMatch:
        out["intelligence_url"] = None
    return out


if __name__ == "__main__":
    target, password = sys.argv[1], sys.argv[2]
    data = seed(password)
    data["password"] = password
    with open(target, "w") as fh:
        json.dump(data, fh)
    print(
        f"seeded {len(data['members'])} members, {len(data['secretariat'])} secretariat, "
        f"{len(data['analysts'])} analysts, {len(data['note_readers'])} note readers; "
        f"intelligence API: {data['intelligence_url'] or 'not on this branch'}"
    )
