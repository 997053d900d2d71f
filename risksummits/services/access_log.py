"""The summit's access log: every page, API read and PDF download of a summit."""

from __future__ import annotations

from ..models import AccessLogEntry, RiskSummit, SummitDocument


def access_log_record(*, user, summit: RiskSummit, what: str, channel: str = "page") -> None:
    AccessLogEntry.objects.create(summit=summit, user=user, what=what[:120], channel=channel[:10])


def document_download_record(*, user, document: SummitDocument) -> None:
    """A PDF download (the summit's access log has it already): the intelligence access log the
    QSG's secretariat reads, for the restricted and "do not attribute" items whose words the
    file carries (a closure report prints the concern and source the summit was raised from)."""
    from surveillance.intelligence import services as intelligence_services
    from surveillance.intelligence.models import IntelligenceAccess, IntelligenceItem

    ids = printed_items(document)
    if ids:
        intelligence_services.items_seen(
            user=user,
            items=IntelligenceItem.objects.filter(pk__in=ids),
            channel=IntelligenceAccess.Channel.PDF,
        )


def printed_items(document: SummitDocument) -> list[int]:
    """The items whose words the document carries. A closure report printed before the
    snapshot kept them counts as carrying the summit's items if its concern is the summit's own
    (not the plain "not shared" line)."""
    from surveillance.intelligence.access import NOT_SHARED

    snapshot = document.snapshot or {}
    if "intelligence_item_ids" in snapshot:
        return sorted({int(i) for i in snapshot["intelligence_item_ids"] or []})
    if document.kind != SummitDocument.Kind.CLOSURE or NOT_SHARED in str(snapshot.get("concern")):
        return []
    return sorted({int(i) for i in document.summit.intelligence_item_ids or []})
