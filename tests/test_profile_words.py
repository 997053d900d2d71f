"""Each profile's words, and only them, on the main pages and in the note and pack PDFs.

The same pages are rendered under the 2013 profile and the 2022 one (issue 16): a 2013 word
(QSG, risk summit, ring-holder, "holds the ring", Local Safeguarding Children Board) on a 2022
page fails, and a 2022 word (System or Regional Quality Group, rapid quality review, safeguarding
partnership) on a 2013 page fails. Data the test itself names (group names, meeting titles) is renamed into the
profile's words first, so that what is found comes from templates and code.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import re

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from qsg import dimensions, vocabulary
from qsg.models import QSG
from surveillance.meetings import pdf as pdf_meetings
from surveillance.meetings.models import Meeting
from surveillance.regional import services as regional_services
from tests.risksummits.factories import trigger
from tests.surveillance.escalation.factories import escalation_scenario
from tests.surveillance.meetings import factories as meeting_factories
from tests.surveillance.packs import factories as pack_factories
from tests.surveillance.packs.factories import pack_scenario, render_now

pytestmark = pytest.mark.django_db

WRONG = {
    "2022": re.compile(
        r"\bQSGs?\b|risk summits?|ring-holders?|Local Safeguarding Children Boards?"
        r"|\bhold(?:s|ing)? the ring\b|\bring held\b|\bsummits?\b",
        re.I,
    ),
    "2013": re.compile(
        r"System Quality Groups?|Regional Quality Groups?|rapid quality reviews?"
        r"|safeguarding partnerships?|\bSQGs?\b",
        re.I,
    ),
}
NAMES = {
    "2013": {"a": "Area A QSG", "b": "Area B QSG", "r": "Test North regional QSG"},
    "2022": {
        "a": "Area A System Quality Group",
        "b": "Area B System Quality Group",
        "r": "Test North Regional Quality Group",
    },
}


@pytest.fixture(autouse=True)
def _fresh_words():
    vocabulary.forget()
    dimensions.forget()
    yield
    vocabulary.forget()
    dimensions.forget()


def visible(body: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())


# Web addresses are identifiers, the same under every profile (/risk-summits/4/).
ADDRESS = re.compile(r"(?:https?://\S+|(?<![\w/])/[\w\-/.?=&#%]+)")


def wrong_words(profile: str, text: str) -> list[str]:
    """Each wrong word found, in its context (to find where it comes from)."""
    text = ADDRESS.sub("<address>", text)
    return sorted(
        {text[max(m.start() - 40, 0) : m.end() + 40] for m in WRONG[profile].finditer(text)}
    )


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def build(cast, profile: str, monkeypatch) -> dict:
    for key, name in NAMES[profile].items():
        for rows in (QSG.objects, QSG.history):
            rows.filter(id=cast.qsgs[key].pk).update(name=name, footprint=name)
    # The meeting factory's default title names a 2013 group: the meetings are "Area A meeting".
    titled = functools.partial(meeting_factories.meeting, title="Area A meeting")
    monkeypatch.setattr(meeting_factories, "meeting", titled)
    monkeypatch.setattr(pack_factories, "meeting", titled)
    scene = pack_scenario(cast)
    Meeting.objects.filter(title__contains="QSG").update(title="Area A, next meeting")
    scene["record"] = escalation_scenario(cast)["record"]
    scene["summit"] = trigger(cast)
    # A local report drafted now: its section headings and drafted sentences come from code.
    scene["report"] = regional_services.local_report_draft(
        actor=cast.users["secretariat_a"],
        qsg=cast.qsgs["a"],
        period_start=scene["meeting"].date - dt.timedelta(days=90),
        period_end=scene["meeting"].date,
    )
    # Submitted: the regional view sets its sections side by side, headed in the profile's words.
    regional_services.local_report_submit(actor=cast.users["secretariat_a"], report=scene["report"])
    return scene


def pages(cast, scene) -> list[tuple[str, str]]:
    a, r = cast.qsgs["a"], cast.qsgs["r"]
    meeting, previous = scene["meeting"], scene["previous"]
    summit = scene["summit"]
    local = [
        reverse("qsg:home"),
        reverse("qsg:qsg-list"),
        reverse("qsg:qsg-detail", args=[a.pk]),
        reverse("qsg:provider-list"),
        reverse("qsg:provider-detail", args=[cast.providers["provider_a1"].pk]),
        reverse("surveillance:intelligence-list"),
        reverse("surveillance:intelligence-new"),
        reverse("surveillance:meeting-index"),
        reverse("surveillance:meeting-list", args=[a.pk]),
        reverse("surveillance:meeting-detail", args=[meeting.pk]),
        reverse("surveillance:agenda", args=[meeting.pk]),
        reverse("surveillance:note", args=[previous.pk]),
        reverse("surveillance:pack", args=[meeting.pk]),
        reverse("surveillance:escalation-index"),
        reverse("surveillance:escalation-group", args=[a.pk]),
        reverse("surveillance:escalation-detail", args=[scene["record"].pk]),
        reverse("risksummits:list"),
        reverse("risksummits:trigger"),
        reverse("risksummits:detail", args=[summit.pk]),
        reverse("risksummits:ring-holder", args=[summit.pk]),
        reverse("risksummits:ring-holder-propose", args=[summit.pk]),
        reverse("risksummits:ring-holder-confirm", args=[summit.pk]),
        reverse("dashboard:home"),
        reverse("surveillance:local-report-detail", args=[scene["report"].pk]),
    ]
    regional = [
        reverse("qsg:qsg-detail", args=[r.pk]),
        reverse("surveillance:regional-index"),
        reverse("surveillance:regional-view", args=[r.pk]),
        reverse("surveillance:escalation-group", args=[r.pk]),
    ]
    return [("secretariat_a", u) for u in local] + [("regional_secretariat", u) for u in regional]


@pytest.mark.parametrize("profile", ["2013", "2022"])
def test_pages_and_pdfs_speak_only_the_profiles_words(cast, client_for, monkeypatch, profile):
    with override_settings(QSG_PROFILE=profile):
        scene = build(cast, profile, monkeypatch)
        found = {}
        clients = {}
        for who, url in pages(cast, scene):
            client = clients.setdefault(who, client_for(who))
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            words = wrong_words(profile, visible(response.content.decode()))
            if words:
                found[url] = words
        note_pdf = pdf_meetings.render_note_pdf(scene["note"], audience="full")
        words = wrong_words(profile, pdf_text(note_pdf.content))
        if words:
            found["note PDF"] = words
        _job, versions = render_now(cast, scene["pack"])
        for version in versions:
            with default_storage.open(version.file, "rb") as fh:
                words = wrong_words(profile, pdf_text(fh.read()))
            if words:
                found[f"pack PDF {version.pk}"] = words
    assert not found, "\n".join(f"{where}: {words}" for where, words in found.items())


def test_the_2022_words_are_there_too(cast, client_for, monkeypatch):
    """Not only are the 2013 words gone: the 2022 ones stand in their place."""
    with override_settings(QSG_PROFILE="2022"):
        scene = build(cast, "2022", monkeypatch)
        body = visible(
            client_for("secretariat_a")
            .get(reverse("risksummits:detail", args=[scene["summit"].pk]))
            .content.decode()
        )
        assert "Rapid quality review" in body and "Lead organisation" in body
        body = visible(
            client_for("regional_secretariat")
            .get(reverse("surveillance:regional-view", args=[cast.qsgs["r"].pk]))
            .content.decode()
        )
        assert "System Quality Groups" in body
