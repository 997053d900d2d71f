"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
import tempfile

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

from tests.cast import PASSWORD
from tests.signin import authenticator_for, current_code

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
_XDG = tempfile.mkdtemp(prefix="qsg-chromium-")
os.environ.setdefault("XDG_CONFIG_HOME", _XDG)
os.environ.setdefault("XDG_CACHE_HOME", _XDG)

CHROMIUM = os.environ.get("QSG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERIOUS = {"serious", "critical"}
_axe = Axe()


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def site(live_server, page):
    """The live server's base URL, with the page's default timeout kept short."""
    page.set_default_timeout(15_000)
    return live_server.url


@pytest.fixture
def login(site, page):
    """Log a cast member (or any user) in through the real login form."""

    def do(username: str, password: str = PASSWORD) -> None:
        from qsg.accounts import policy
        from qsg.models import User

        user = User.objects.filter(username=username).first()
        device = authenticator_for(user) if user and policy.needs_second_factor(user) else None
        page.goto(f"{site}/account/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Log in").click()
        if device is not None:
            # Their authenticator app: the code it shows now, typed into the code page.
            page.wait_for_url(f"{site}/account/two-factor/**")
            page.get_by_label("Security code").fill(current_code(device))
            page.get_by_role("button", name="Continue").click()
        page.wait_for_url(f"{site}/")

    return do


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations on the current page (WCAG 2.2 A and AA)."""
    options = {
        "runOnly": {
            "type": "tag",
            "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
        }
    }
    # A click that submits or follows a link returns before the next page has replaced this one;
    # axe needs one whole document, so wait for it, and once more if it was swapped mid-run.
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = _axe.run(page, options=options)
            break
        except PlaywrightError as error:
            swapped = "documentElement" in str(error) or "context was destroyed" in str(error)
            if not swapped or attempt == 2:
                raise
    return [v for v in results.response["violations"] if v.get("impact") in SERIOUS]


@pytest.fixture
def axe_check(page):
    """Call after each page visited: fails on any serious or critical accessibility violation."""

    def check(label: str = "") -> None:
        bad = axe_violations(page)
        summary = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in bad
        ]
        assert not bad, f"axe violations on {label or page.url}:\n" + "\n".join(summary)

    return check


@pytest.fixture(autouse=True)
def _restore_reference_data(django_db_serialized_rollback):
    """Live-server tests flush the database; serialized rollback restores migration-seeded data."""
