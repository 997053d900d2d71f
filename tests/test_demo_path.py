"""The README's first command, minus the install: fresh SQLite, migrate, seed, serve, log in."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "demo-path-password-1"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="qsg.settings.demo",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        QSG_MEDIA_ROOT=str(tmp_path / "media"),
        QSG_DEMO_PASSWORD=PASSWORD,
    )
    return env


def _manage(env, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_path(tmp_path):
    env = _env(tmp_path)
    _manage(env, "migrate", "--noinput")
    _manage(env, "seed_demo")
    accounts = json.loads(_manage(env, "demo_accounts", "--json"))
    roles = {(a["qsg"], a["role"]) for a in accounts}
    assert {a.keys() == {"username", "organisation", "qsg", "role"} for a in accounts} == {True}
    for role in ("secretariat", "chair", "member", "observer"):
        assert sum(1 for q, r in roles if r == role and "regional" not in q) >= 2, role
    assert any(r == "regional_reviewer" for _, r in roles)

    # Running the seed again creates nothing new.
    _manage(env, "seed_demo")
    assert json.loads(_manage(env, "demo_accounts", "--json")) == accounts
    counts = _manage(
        env,
        "shell",
        "-c",
        "from qsg.models import *; from dashboard.models import PeerStat; "
        "print(QSG.objects.count(), Provider.objects.count(), User.objects.count(), "
        "PeerStat.objects.filter(group='national').values('indicator').distinct().count())",
    )
    # 274 trusts of the A&E data, and R0B and R0D: successors of trusts that merged after 2019
    values = counts.strip().splitlines()[-1].split()
    assert values[:2] == ["31", "276"]
    # real data for A&E, bed occupancy (quarterly), RTT (2) and the three cancer standards
    assert int(values[3]) == 7

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        status = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/account/login/", timeout=2) as response:
                    status = response.status
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200
        assert "Log in" in page

        # And a demo account can log in with the demo password.
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{base}/account/login/", timeout=5).read()
        token = next(c.value for c in jar if c.name == "csrftoken")
        body = urlencode(
            {
                "username": accounts[0]["username"],
                "password": PASSWORD,
                "csrfmiddlewaretoken": token,
            }
        )
        request = urllib.request.Request(
            f"{base}/account/login/", data=body.encode(), headers={"Referer": base}
        )
        with opener.open(request, timeout=10) as response:
            assert response.status == 200
            assert response.url.rstrip("/") == base
            assert "My QSGs" in response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
