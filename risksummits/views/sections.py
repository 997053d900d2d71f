"""What risk summits add to other pages: the provider's page, the home page, the navigation."""

from __future__ import annotations

from .. import access, selectors


def provider_section(request, provider):
    """Summits about this provider that this person may see."""
    summits = list(
        access.summits_for(request.user)
        .filter(providers=provider)
        .select_related("ring_holder")
        .order_by("status", "-triggered_at")[:20]
    )
    can_trigger = access.triggerable_providers_for(request.user).filter(pk=provider.pk).exists()
    if not summits and not can_trigger:
        return None
    return {"summits": summits, "provider": provider, "can_trigger": can_trigger}


def home_alerts(request):
    return selectors.home_alerts(request.user)


def home_my_summits(request):
    return selectors.my_summits(request.user)


def nav_visible(request) -> bool:
    return access.sees_any_summit(request.user)
