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


def escalation_section(request, record):
    """On an escalation record's page: the rapid quality reviews about its provider that this
    person may see, and a link to open one (triggered by the level decision)."""
    reviews = list(
        access.summits_for(request.user)
        .filter(providers=record.provider_id, kind="rapid_review")
        .order_by("status", "-triggered_at")[:10]
    )
    can_trigger = (
        access.triggerable_providers_for(request.user).filter(pk=record.provider_id).exists()
    )
    if not reviews and not can_trigger:
        return None
    return {"reviews": reviews, "record": record, "can_trigger": can_trigger}


def _links(request) -> access.SummitLinks:
    """The person's summit links, read once for both home panels (kept on this request only)."""
    links = getattr(request, "_summit_links", None)
    if links is None:
        links = request._summit_links = access.summit_links_for(request.user)
    return links


def home_alerts(request):
    return selectors.home_alerts(request.user, links=_links(request))


def home_my_summits(request):
    return selectors.my_summits(request.user, links=_links(request))


def nav_visible(request) -> bool:
    return access.sees_any_summit(request.user)
