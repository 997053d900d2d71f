"""Agenda sources: the registry, and the intelligence seam reading through the access layer."""

from types import SimpleNamespace

from surveillance.meetings import agenda_intelligence
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.services import agenda as agenda_services

from .factories import meeting


class FakeItems(list):
    """Just enough of a queryset for the seam."""

    def __init__(self, items, log):
        super().__init__(items)
        self.log = log

    def filter(self, **kwargs):
        self.log.append(kwargs)
        return FakeItems(
            [
                i
                for i in self
                if all(getattr(i, k) == v for k, v in kwargs.items() if k != "pk__in")
            ],
            self.log,
        )

    def prefetch_related(self, *args):
        return self

    def order_by(self, *args):
        return self


def test_intelligence_for_the_meeting_comes_through_the_viewers_access(cast, monkeypatch):
    m = meeting(cast, days=10)
    provider = cast.providers["provider_a1"]
    log: list = []
    item = SimpleNamespace(
        pk=41,
        for_next_meeting=True,
        qsg_id=m.qsg_id,
        providers=SimpleNamespace(all=lambda: [provider]),
    )
    item.__str__ = lambda self=item: "INT-41"
    seen_by = []

    def items_for(user):
        seen_by.append(user)
        return FakeItems([item], log)

    monkeypatch.setattr(agenda_intelligence, "access", SimpleNamespace(items_for=items_for))
    secretariat = cast.users["secretariat_a"]
    proposals = {k: p for k, _, p in selectors_meetings.agenda_suggestions(secretariat, m)}
    assert seen_by == [secretariat]
    assert log[0] == {"for_next_meeting": True, "qsg_id": m.qsg_id}
    [suggestion] = proposals["intelligence"]
    assert suggestion.provider_ids == [provider.pk] and suggestion.intelligence_item_ids == [41]
    agenda_services.agenda_add_suggestions(actor=secretariat, meeting=m, tokens=[suggestion.token])
    added = m.agenda_items.get(source="intelligence")
    assert added.intelligence_item_ids == [41]
    assert list(added.providers.all()) == [provider]


def test_other_layers_can_add_an_agenda_source(cast):
    m = meeting(cast, days=10)

    def signals(user, meeting):
        return [
            selectors_meetings.Suggestion(
                source="signals",
                key="mortality",
                title="Mortality alert",
                kind="signals",
                reason="SPC rule 1",
            )
        ]

    selectors_meetings.register_agenda_source(
        "mortality_alerts", "Mortality alerts", signals, order=500
    )
    try:
        sources = [
            key
            for key, _, _ in selectors_meetings.agenda_suggestions(cast.users["secretariat_a"], m)
        ]
        assert sources[-1] == "mortality_alerts"
    finally:
        selectors_meetings._SOURCES.pop("mortality_alerts")
