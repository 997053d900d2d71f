"""The shape of the code, checked: no application module grows past 800 lines (split it by
concept, as docs/architecture.md says, before it does). Migrations are generated, not read."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("qsg", "dashboard", "surveillance", "risksummits")
LIMIT = 800


def test_no_application_module_is_over_800_lines():
    modules = [
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    ]
    assert len(modules) > 100  # the walk found the apps
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in modules
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert too_long == {}
