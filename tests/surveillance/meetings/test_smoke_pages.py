from django.urls import reverse

from .factories import agreed_meeting, meeting


def test_pages_render_for_secretariat(cast, client_for):
    m, _note, _c = agreed_meeting(cast)
    upcoming = meeting(cast, days=20)
    client = client_for("secretariat_a")
    for name, args in [
        ("surveillance:meeting-index", []),
        ("surveillance:meeting-list", [cast.qsgs["a"].pk]),
        ("surveillance:meeting-detail", [m.pk]),
        ("surveillance:agenda", [upcoming.pk]),
        ("surveillance:attendance", [m.pk]),
        ("surveillance:note", [m.pk]),
        ("surveillance:note", [upcoming.pk]),
        ("surveillance:coverage", [cast.qsgs["a"].pk]),
        ("surveillance:plan-list", [cast.qsgs["a"].pk]),
        ("surveillance:quorum-settings", [cast.qsgs["a"].pk]),
        ("surveillance:action-list", []),
        ("surveillance:note-pdf", [m.pk]),
        ("surveillance:series-create", [cast.qsgs["a"].pk]),
        ("surveillance:agenda-item-create", [upcoming.pk]),
        ("surveillance:note-version", [m.pk, 1]),
        ("qsg:home", []),
        ("qsg:provider-detail", [cast.providers["provider_a1"].pk]),
        ("qsg:qsg-detail", [cast.qsgs["a"].pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, (name, response.status_code)
