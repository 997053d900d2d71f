"""Sections of a meeting pack that other modules supply: regional feedback.

The regional work (local reports, the regional view) registers a provider of "feedback from the
region for this meeting" here; the pack calls every provider for each audience. A provider
returns plain dicts: {"title": str, "text": str, "source": str}, and only what the audience
(`organisation`, or None for the secretariat and chair's full pack) may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RegionalFeedback = Callable[..., list[dict[str, Any]]]

_regional_feedback: dict[str, RegionalFeedback] = {}


def register_regional_feedback(key: str, fn: RegionalFeedback) -> None:
    """`fn(meeting, *, organisation)` -> list of {"title", "text", "source"}."""
    _regional_feedback[key] = fn


def regional_feedback(meeting, *, organisation=None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for key in sorted(_regional_feedback):
        for entry in _regional_feedback[key](meeting, organisation=organisation) or []:
            out.append(
                {
                    "title": str(entry.get("title", "")),
                    "text": str(entry.get("text", "")),
                    "source": str(entry.get("source", "")),
                }
            )
    return out
