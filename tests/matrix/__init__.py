"""The permission matrix: a rule for every URL the project serves.

Each app's rules live in a module here (`rules_<app>.py`) exporting RULES: {url name: [Case, ...]}.
tests/test_permission_matrix.py walks the URL configuration and fails for any URL without a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.cast import EVERYONE


def _no_kwargs(cast) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Case:
    """One request shape for one URL, and what each cast member must get back.

    ok: succeed with a status in ok_status; forbidden: 403; hidden: 404 and no trace of `secret`.
    absent: succeed, but the response must not contain `secret` (lists, search results).
    For anything but public URLs, ok | forbidden | hidden must name every cast member.
    """

    method: str = "GET"
    kwargs: Callable[[Any], dict[str, Any]] = _no_kwargs
    query: str = ""
    data: Callable[[Any], Any] | None = None
    ok: frozenset[str] = frozenset()
    forbidden: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()
    absent: frozenset[str] = frozenset()
    ok_status: frozenset[int] = frozenset({200})
    secret: Callable[[Any], str] | None = None
    public: bool = False
    api: bool = False
    anonymous_status: frozenset[int] = frozenset({302})
    label: str = ""
    extra_check: Callable[[Any, str, Any], None] | None = field(default=None, compare=False)

    def check_complete(self) -> list[str]:
        if self.public:
            return []
        named = self.ok | self.forbidden | self.hidden
        missing = EVERYONE - named
        overlap = (
            (self.ok & self.forbidden) | (self.ok & self.hidden) | (self.forbidden & self.hidden)
        )
        problems = []
        if missing:
            problems.append(f"cast members not classified: {sorted(missing)}")
        if overlap:
            problems.append(f"cast members in two classes: {sorted(overlap)}")
        return problems


def everyone(*, but: set[str] = frozenset()) -> frozenset[str]:
    return frozenset(EVERYONE - set(but))


def users(*names: str | set[str] | frozenset[str]) -> frozenset[str]:
    out: set[str] = set()
    for n in names:
        if isinstance(n, str):
            out.add(n)
        else:
            out |= set(n)
    return frozenset(out)


API_ANON = frozenset({401, 403})
