"""The one gunicorn configuration that the Dockerfile, docker-compose and the load stack share.

The load test found requests reset without an answer when gunicorn closed idle keep-alive
connections after its default 2 seconds (docs/reliability.md). These tests read the file the
way gunicorn does, so a change that brings the short timeout back fails here, not under load.
"""

from pathlib import Path

import pytest
from gunicorn.app.base import Application

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"


class _Loaded(Application):
    def __init__(self):
        super().__init__(usage="", prog="gunicorn")

    def init(self, parser, opts, args):
        return None

    def load_config(self):
        self.load_config_from_file(str(CONFIG))

    def load(self):  # pragma: no cover - never served
        raise AssertionError("not served")


def loaded():
    return _Loaded().cfg


def test_keep_alive_outlasts_a_reverse_proxy_idle_timeout(monkeypatch):
    monkeypatch.delenv("GUNICORN_KEEPALIVE", raising=False)
    cfg = loaded()
    # nginx's upstream keep-alive and most load balancers close idle connections after 60 s:
    # gunicorn must hold them longer, so the client side is always the one to close.
    assert cfg.keepalive > 60
    assert cfg.worker_class_str == "gthread"
    assert cfg.threads >= 2


def test_settings_can_be_overridden_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_KEEPALIVE", "120")
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    cfg = loaded()
    assert (cfg.keepalive, cfg.workers) == (120, 5)


@pytest.mark.parametrize("path", ["Dockerfile", "docker-compose.yml", "tests/stack/__init__.py"])
def test_every_deployment_uses_the_file(path):
    assert "gunicorn.conf.py" in (ROOT / path).read_text()
