"""What surveillance adds to the registries of the network core, the dashboard and its own
sub-packages. Called only from `SurveillanceConfig.ready()`; each sub-package lists its own in
its `registry.py` (see docs/architecture.md, "Extension points")."""

from __future__ import annotations


def register() -> None:
    from surveillance.escalation import registry as escalation
    from surveillance.intelligence import registry as intelligence
    from surveillance.meetings import registry as meetings
    from surveillance.packs import registry as packs
    from surveillance.regional import registry as regional

    intelligence.register()
    meetings.register()
    escalation.register()
    regional.register()
    packs.register()
