"""Signing the cast in as the product does, second factor included.

`log_in(client, user)` is Django's `force_login` (the password step) followed, for an account
that must use a second factor, by django-otp's own `login()` with a real, confirmed TOTP device
of that person: the session is verified exactly as the two-factor page verifies it. Nothing
about the rule is switched off for tests; `tests/qsg/accounts/` proves the rule itself.
"""

from __future__ import annotations

import time

import django_otp
from django.http import HttpRequest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from qsg.accounts import policy


def authenticator_for(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    return device


def code_at(device: TOTPDevice, t: int) -> str:
    """The code the person's app shows during time step t."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = device.t0 + t * device.step
    return f"{totp.token():0{device.digits}d}"


def current_code(device: TOTPDevice) -> str:
    """A code the app would show now that the device has not accepted before (a code is good
    once; the server accepts one step either side). Waits for the next step if need be."""
    device.refresh_from_db()
    while True:
        now_t = int((time.time() - device.t0) // device.step)
        for t in (now_t, now_t + 1):
            if t > device.last_t:
                return code_at(device, t)
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.1)


def verify_session(client, user) -> None:
    device = authenticator_for(user)
    session = client.session
    request = HttpRequest()
    request.session = session
    request.user = user
    django_otp.login(request, device)
    session.save()


def log_in(client, user, *, second_factor: bool | None = None):
    """Log `user` in on a test client; with their second factor where their role needs one."""
    client.force_login(user)
    if second_factor is None:
        second_factor = policy.needs_second_factor(user)
    if second_factor:
        verify_session(client, user)
    return client
