import os
from pathlib import Path

import pytest
from django.test import Client

from .cast import build_cast

os.environ.setdefault("XDG_CONFIG_HOME", str(Path("/tmp") / "qsg-test-xdg"))
os.environ.setdefault("XDG_CACHE_HOME", str(Path("/tmp") / "qsg-test-xdg"))


@pytest.fixture
def cast(db):
    return build_cast()


@pytest.fixture
def client_for(cast):
    """A logged-in test client for a cast member: client_for("secretariat_a")."""

    def make(key: str | None) -> Client:
        client = Client()
        if key is not None:
            client.force_login(cast.users[key])
        return client

    return make


from .worker import celery_worker_queue  # noqa: E402,F401  (shared: PDF, dashboard, packs)
