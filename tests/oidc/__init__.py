"""Start the test OpenID Connect provider (tests/oidc/provider.py) in its own process."""

from __future__ import annotations

import html
import re
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_PASSWORD = "provider-password-1"
CLIENT_ID = "qsg-workspace"


@dataclass
class Provider:
    url: str
    process: subprocess.Popen
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def register(self, *, redirect_uris: list[str], post_logout_redirect_uris: list[str]):
        requests.post(
            f"{self.url}/_test/clients",
            json={
                "client_id": CLIENT_ID,
                "secret": self.client_secret,
                "redirect_uris": redirect_uris,
                "post_logout_redirect_uris": post_logout_redirect_uris,
            },
            timeout=5,
        ).raise_for_status()

    def person(self, username: str, *, sub: str, **claims) -> None:
        body = {"username": username, "password": PROVIDER_PASSWORD, "sub": sub, **claims}
        requests.post(f"{self.url}/_test/people", json=body, timeout=5).raise_for_status()

    def misbehave(self, **overrides) -> None:
        """The next ID token carries these claims (exp_offset: seconds from now)."""
        requests.post(f"{self.url}/_test/next-id-token", json=overrides, timeout=5)

    def log(self) -> list[dict]:
        return requests.get(f"{self.url}/_test/log", timeout=5).json()

    def sign_in_form(self, session: requests.Session, authorize_url: str, username: str):
        """Fill in the provider's login form as the person would; returns its redirect."""
        form = session.get(authorize_url, timeout=5)
        assert form.status_code == 200, form.text
        hidden = {
            k: html.unescape(v)
            for k, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form.text)
        }
        return session.post(
            f"{self.url}/authorize",
            data={**hidden, "username": username, "password": PROVIDER_PASSWORD},
            allow_redirects=False,
            timeout=5,
        )


def start_provider(alg: str = "RS512") -> Provider:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc.provider", "--alg", alg],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    assert line.startswith("READY "), f"the test provider did not start: {line!r}"
    return Provider(url=f"http://127.0.0.1:{int(line.split()[1])}", process=process)


def stop_provider(provider: Provider) -> None:
    provider.process.terminate()
    provider.process.wait(timeout=10)
