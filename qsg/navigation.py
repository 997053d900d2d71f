"""Hooks by which higher layers add to the header navigation and the home page.

The network core cannot import the apps built on it, so they register here from their
AppConfig.ready(): the higher layer calls the lower one, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str | Callable[[], str]  # a function for a label that follows the vocabulary
    url_name: str
    order: int = 100
    visible: Callable[[Any], bool] = lambda request: True
    # Pages (URL names) that belong to this entry though their path sits under another's: a
    # group's coverage page is a meetings page under /qsgs/<id>/, not a page of the QSG list.
    pages: tuple[str, ...] = ()


@dataclass(frozen=True)
class HomePanel:
    """A section of the home page: a template fed by a function of the request."""

    key: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100


_NAV: dict[str, NavItem] = {}
_PANELS: dict[str, HomePanel] = {}


def register_nav(item: NavItem) -> None:
    _NAV[item.url_name] = item


def register_home_panel(panel: HomePanel) -> None:
    _PANELS[panel.key] = panel


def primary_items(request) -> list[dict[str, Any]]:
    items = []
    view = getattr(getattr(request, "resolver_match", None), "view_name", None)
    owner = next((i.url_name for i in _NAV.values() if view and view in i.pages), None)
    for item in sorted(_NAV.values(), key=lambda i: i.order):
        if not item.visible(request):
            continue
        href = reverse(item.url_name)
        if owner is not None:
            current = item.url_name == owner
        else:
            current = request.path == href or (href != "/" and request.path.startswith(href))
        label = item.label() if callable(item.label) else item.label
        items.append({"href": href, "text": label, "current": current})
    return items


def home_panels(request) -> list[tuple[str, dict]]:
    """The panels to show, each as (template, context); a panel returning None is skipped."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: p.order):
        ctx = panel.context(request)
        if ctx is not None:
            shown.append((panel.template, ctx))
    return shown


@dataclass(frozen=True)
class DetailSection:
    """A section that a higher layer adds to an object's page (e.g. a provider's intelligence)."""

    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100


_SECTIONS: dict[str, dict[str, DetailSection]] = {}


def register_detail_section(kind: str, section: DetailSection) -> None:
    _SECTIONS.setdefault(kind, {})[section.key] = section


def detail_sections(kind: str, request, obj) -> list[tuple[str, dict]]:
    shown = []
    for section in sorted(_SECTIONS.get(kind, {}).values(), key=lambda s: s.order):
        ctx = section.context(request, obj)
        if ctx is not None:
            shown.append((section.template, ctx))
    return shown
