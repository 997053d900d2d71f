"""Two-factor authentication through the real pages: set up, codes, recovery, throttling,
re-enrolment, an administrator's reset, and the demo's exemption."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from qsg.accounts.models import AccountEvent, RecoveryCode, RecoveryCodeDevice
from tests.cast import PASSWORD
from tests.signin import authenticator_for, current_code, log_in

pytestmark = pytest.mark.django_db
VERIFY = "/account/two-factor/"


def password_login(username: str) -> tuple[Client, object]:
    client = Client()
    response = client.post(reverse("qsg:login"), {"username": username, "password": PASSWORD})
    return client, response


def enrol(client, user) -> list[str]:
    """Set up the app through the pages; returns the recovery codes the page showed."""
    page = client.get(reverse("qsg:two-factor-setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("qsg:two-factor-setup"), {"code": current_code(device)})
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    return re.findall(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</code>", shown)


def test_a_secretariat_sets_up_an_app_at_first_login(cast):
    user = cast.users["secretariat_a"]
    client, response = password_login("secretariat_a")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2F"
    # No app yet: the code page sends them to set one up.
    assert client.get(response["Location"])["Location"].startswith(reverse("qsg:two-factor-setup"))
    page = client.get(reverse("qsg:two-factor-setup")).content.decode()
    assert "<svg" in page and "QR code" in page
    assert re.search(r"<code>([A-Z2-7]{4} ){3,}", page), "the key is shown for typing in"
    wrong = client.post(reverse("qsg:two-factor-setup"), {"code": "000000"})
    body = wrong.content.decode()
    assert wrong.status_code == 200
    assert "<title>Error: " in body and "nhsuk-error-summary" in body
    codes = enrol(client, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Shown once: the page no longer has them, and only their hashes are stored.
    again = client.get(reverse("qsg:two-factor-recovery-codes")).content.decode()
    assert not any(c in again for c in codes)
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not any(c.replace("-", "") in h for c in codes for h in stored)
    assert client.get(reverse("qsg:home")).status_code == 200
    assert AccountEvent.objects.filter(user=user, kind="2fa_enrolled").exists()


def test_the_code_is_asked_for_at_every_login_and_may_be_pasted(cast):
    device = authenticator_for(cast.users["chair_a"])
    client, response = password_login("chair_a")
    assert response["Location"].startswith(VERIFY)
    assert client.get(reverse("qsg:home")).status_code == 302
    code = current_code(device)
    pasted = f" {code[:3]} {code[3:]}\n"
    before = client.cookies["sessionid"].value
    response = client.post(VERIFY, {"code": pasted, "next": "/qsgs/"})
    assert response.status_code == 302 and response["Location"] == "/qsgs/"
    assert client.cookies["sessionid"].value != before, "a new session key once verified"
    assert client.get(reverse("qsg:home")).status_code == 200


def test_a_code_works_once(cast):
    device = authenticator_for(cast.users["chair_a"])
    code = current_code(device)
    first, _ = password_login("chair_a")
    assert first.post(VERIFY, {"code": code}).status_code == 302
    second, _ = password_login("chair_a")
    response = second.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()


def test_wrong_codes_are_throttled(cast):
    device = authenticator_for(cast.users["secretariat_a"])
    client, _ = password_login("secretariat_a")
    # Each failure doubles the wait (1 s, 2 s, 4 s); codes sent while waiting are not checked.
    for pause in (0, 1.1, 2.1):
        time.sleep(pause)
        client.post(VERIFY, {"code": "123456"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 3
    # Even the right code waits until the delay (4 s after three failures) has passed.
    response = client.post(VERIFY, {"code": current_code(device)})
    assert response.status_code == 200
    assert "Too many wrong codes" in response.content.decode()
    assert AccountEvent.objects.filter(user=device.user, kind="2fa_failed").count() == 4


def test_a_recovery_code_signs_in_once(cast):
    user = cast.users["secretariat_a"]
    codes = enrol(log_in(Client(), user, second_factor=False), user)
    client, _ = password_login("secretariat_a")
    assert client.post(VERIFY, {"code": codes[0].lower()}).status_code == 302
    assert client.get(reverse("qsg:home")).status_code == 200
    assert RecoveryCodeDevice.objects.get(user=user).remaining == 9
    other, _ = password_login("secretariat_a")
    assert other.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert AccountEvent.objects.filter(user=user, kind="recovery_used").count() == 1


def test_a_password_alone_cannot_set_up_another_app(cast):
    authenticator_for(cast.users["secretariat_a"])
    client, _ = password_login("secretariat_a")
    response = client.get(reverse("qsg:two-factor-setup"))
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert not TOTPDevice.objects.filter(user=cast.users["secretariat_a"], confirmed=False)


def test_re_enrolment_replaces_the_old_app(cast):
    user = cast.users["secretariat_a"]
    old = authenticator_for(user)
    client = log_in(Client(), user)
    enrol(client, user)
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    event = AccountEvent.objects.filter(user=user, kind="2fa_enrolled").get()
    assert event.detail == "replaced an earlier app"


def test_an_administrator_resets_two_factor_with_an_audit_entry(cast):
    from qsg.models import User

    admin = User.objects.create_superuser("root", "root@example.nhs.uk", "root-password-1234")
    admin_client = log_in(Client(), admin)
    user = cast.users["secretariat_a"]
    victim = log_in(Client(), user)
    assert victim.get(reverse("qsg:home")).status_code == 200
    response = admin_client.post(
        reverse("admin:qsg_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    event = AccountEvent.objects.get(user=user, kind="2fa_reset")
    assert event.actor == admin
    # The session that had passed with the old app is no longer verified.
    assert victim.get(reverse("qsg:home")).status_code == 302


def test_the_admin_needs_a_second_factor(cast):
    from qsg.models import User

    admin = User.objects.create_superuser("root", "root@example.nhs.uk", "root-password-1234")
    client = log_in(Client(), admin, second_factor=False)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)


def test_members_may_choose_two_factor(cast):
    user = cast.users["member_a"]
    client, response = password_login("member_a")
    assert response["Location"] == "/"
    enrol(client, user)
    # From now on they are asked for it like everyone who has an app (verified this session).
    assert client.get(reverse("qsg:home")).status_code == 200


def test_demo_accounts_skip_it_only_under_the_demo_flag(cast, settings):
    user = cast.users["secretariat_a"]
    user.email = "gm.secretariat@demo.qsg-workspace.invalid"
    user.save(update_fields=["email"])
    _, response = password_login("secretariat_a")
    assert response["Location"].startswith(VERIFY)
    assert "Demonstration only" not in Client().get(reverse("qsg:login")).content.decode()
    settings.QSG_TWO_FACTOR_DEMO_EXEMPT = True
    client, response = password_login("secretariat_a")
    assert response["Location"] == "/"
    assert client.get(reverse("qsg:home")).status_code == 200
    assert "Demonstration only" in Client().get(reverse("qsg:login")).content.decode()
    # Not a demo account: no exemption even under the flag.
    _, response = password_login("chair_a")
    assert response["Location"].startswith(VERIFY)


def test_only_the_demo_settings_turn_the_exemption_on():
    from pathlib import Path

    import qsg.settings

    folder = Path(qsg.settings.__file__).parent
    on = sorted(
        p.name for p in folder.glob("*.py") if "QSG_TWO_FACTOR_DEMO_EXEMPT = True" in p.read_text()
    )
    assert on == ["demo.py"]
    assert "QSG_TWO_FACTOR_DEMO_EXEMPT = False" in (folder / "production.py").read_text()
