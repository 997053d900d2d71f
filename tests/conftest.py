import copy
import os
import socket
from pathlib import Path

import pytest
from django.test import Client

from tests.signin import log_in

from . import reference
from .cast import build_cast

os.environ.setdefault("XDG_CONFIG_HOME", str(Path("/tmp") / "qsg-test-xdg"))
os.environ.setdefault("XDG_CACHE_HOME", str(Path("/tmp") / "qsg-test-xdg"))


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Every database test starts with the migration-seeded reference data, whatever ran before
    it on this process (a transactional test's flush removes it; see tests/reference.py), and
    no cached quality dimensions read while the rows were gone."""
    from qsg import dimensions

    dimensions.forget()
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction", bool(marker.args and marker.args[0]))
    request.getfixturevalue("transactional_db" if transactional else "db")
    reference.ensure()


@pytest.fixture
def cast(db):
    reference.ensure()
    return build_cast()


@pytest.fixture
def client_for(cast):
    """A logged-in test client for a cast member: client_for("secretariat_a")."""

    def make(key: str | None) -> Client:
        client = Client()
        if key is not None:
            log_in(client, cast.users[key])
        return client

    return make


@pytest.fixture
def celery_worker(transactional_db):
    """A real worker process consuming a queue of its own; tasks are published, not run eagerly."""
    from qsg.celery import app as celery_app

    from .worker import start_worker, stop_worker

    worker = start_worker()
    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = worker.queue
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved
        stop_worker(worker)


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: a server that is down (connections refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def broker_at():
    """Point this process's publishes at another broker, not eagerly: broker_at(url).

    At a closed port the broker is down: publishes fail as they do in production.
    broker_at(None) brings back the suite's own (tasks run in-process) with every breaker closed,
    as after an outage. Breakers are closed before and after, so tests inherit no failures.
    """
    from qsg import breaker
    from qsg.celery import app as celery_app

    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)

    def point(url: str | None) -> None:
        if url is None:
            celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
            breaker.reset_all()
        else:
            celery_app.conf.broker_url = url
            celery_app.conf.task_always_eager = False
        celery_app._after_fork()  # forget the pooled connections to the previous broker

    breaker.reset_all()
    try:
        yield point
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
        celery_app._after_fork()
        breaker.reset_all()


@pytest.fixture
def oidc_provider(settings):
    """A real OpenID Connect provider on a free local port, and the workspace pointed at it
    (signing with RS512). Register the client's redirect URIs with `provider.register()`."""
    from qsg.settings.base import provider_origins

    from .oidc import CLIENT_ID, start_provider, stop_provider

    provider = start_provider("RS512")
    settings.OIDC_DISCOVERY_URL = provider.discovery_url
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = provider.client_secret
    settings.OIDC_PROVIDER_NAME = "the test identity provider"
    # What qsg.settings.base does with OIDC_DISCOVERY_URL from the environment.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] += provider_origins(provider.discovery_url, [])
    settings.CONTENT_SECURITY_POLICY = policy
    try:
        yield provider
    finally:
        stop_provider(provider)
