"""The canary crawl (issue 14, build 7): no restricted words reach a person who may not read them.

`seed.py` writes a marker into every restricted object of every kind; this module then visits,
as every member of the cast and as nobody, every URL pattern of the URL configuration with
every value of the seed for its parameters (pages, API lists and details, with each API list's
id filters, PDFs read back as text, CSV and Excel exports, calendar files) and fails for each
marker found in an answer to someone `expectations.READERS` does not name for its kind.

Generated from the URL configuration and the models: a new page is crawled as soon as it is
routed (`test_every_url_pattern_is_crawled` fails if one of its parameters has no source), and a
new model with free text fails `test_every_model_with_free_text_carries_a_marker` until the
seed writes a marker into it or it is listed as exempt with a reason.
"""

from __future__ import annotations

import io
import re
import subprocess
import time
from collections import defaultdict

import pytest
from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.test import Client
from simple_history.models import HistoricalChanges

from tests.signin import log_in

from . import urls as crawl_urls
from .expectations import AUDITED, CRAWLERS, DNA_ITEM, READERS, check_table
from .seed import PREFIX

APPS = ("qsg", "dashboard", "surveillance", "risksummits")

# Models with free text that carry no marker, and why their words are not restricted.
UNMARKED = {
    "qsg.OrganisationType": "reference data (labels of member bodies)",
    "qsg.Organisation": "the network: member bodies are listed to everyone who sees the QSG",
    "qsg.User": "people's names are shared with their QSGs (a guest's and a do-not-attribute "
    "submitter's are marked: kinds 'guest' and 'dnaname')",
    "qsg.QSG": "the network: QSG names and footprints are public within the service",
    "qsg.Membership": "the network, read by everyone who sees the QSG",
    "qsg.Provider": "providers are public bodies with official names",
    "qsg.Job": "job bookkeeping: kind, key and error text, no free text of a person",
    "qsg.SubmissionToken": "double-submit tokens",
    "qsg.Notification": "e-mails carry links only, never the content (docs/security.md)",
    "qsg.AccountEvent": "sign-in events, read by the person themself",
    "qsg.ApiToken": "the person's own tokens",
    "qsg.ExternalIdentity": "single sign-on links, never shown",
    "qsg.IdentityProviderDevice": "second-factor bookkeeping",
    "qsg.RecoveryCode": "hashed recovery codes",
    "qsg.RecoveryCodeDevice": "second-factor bookkeeping",
    "dashboard.Indicator": "national indicator definitions",
    "dashboard.ColumnMapping": "import column names",
    "dashboard.ImportBatch": "national data imports (file names, sources)",
    "dashboard.ImportRowError": "errors in national data files",
    "dashboard.Observation": "national indicator values",
    "dashboard.Rebase": "reasons for an SPC rebase, shown with the national data",
    "dashboard.SpcSeries": "computed SPC labels",
    "dashboard.PeerStat": "computed peer statistics",
    "surveillance.Theme": "reference data",
    "surveillance.ConclusionCategory": "reference data",
    "qsg.QualityDimension": "reference data (the profile's quality dimensions)",
    "surveillance.FOIExemption": "reference data",
    "surveillance.QuorumRequirement": "quorum rules, labels of roles",
    "surveillance.MeetingSeries": "meeting titles, venues and dial-ins are read by everyone who sees "
    "the QSG",
    "surveillance.Meeting": "meeting titles, venues and dial-ins are read by everyone who sees the QSG",
    "surveillance.BusinessPlan": "the business cycle, read by everyone who sees the QSG",
    "surveillance.PlanEntry": "the business cycle, read by everyone who sees the QSG",
    "surveillance.Attendance": "who attended, read by everyone who sees the QSG",
    "surveillance.MeetingNote": "the note's own fields are states and a revision reason",
    "surveillance.NoteComment": "members' comments on a circulated note (the readers of the note)",
    "surveillance.NoteVersion": "a version's reason for revision",
    "surveillance.NoteEvent": "the note's history (verbs and audiences)",
    "surveillance.ActionReminder": "reminder bookkeeping",
    "surveillance.SurveillanceLogEntry": "made from conclusions (crawled through them)",
    "surveillance.RiskSummitReferral": "made from a conclusion of a published note",
    "surveillance.MeetingPack": "the protective marking printed on the pack",
    "surveillance.PackVersion": "file bookkeeping and the audience's name",
    "surveillance.PackDownload": "the download log",
    "surveillance.ReturnReminder": "reminder bookkeeping",
    "surveillance.RegionalRecommendation": "sent by the region to a local QSG, read by both",
    "surveillance.AssuranceQuestion": "annex A's questions, reference data",
    "surveillance.AssuranceReturn": "its answers carry the marker (AssuranceAnswer)",
    "surveillance.LocalReport": "its sections carry the marker (LocalReportSection)",
    "risksummits.RingHolderRule": "reference data",
    "risksummits.RingHolderRuleType": "reference data",
    "risksummits.Participant": "participating organisations (a guest's is marked: kind 'guest')",
    "risksummits.CQCJudgement": "part of the summit record (the summit's readers)",
    "risksummits.ImpactAssessmentResponse": "part of the summit record (the summit's readers)",
    "risksummits.Attendance": "part of the summit record (the summit's readers)",
    "risksummits.TimelineEvent": "made from the summit's records",
    "risksummits.SentAlert": "alert bookkeeping",
    "risksummits.SummitDocument": "PDF bookkeeping (the PDF is crawled)",
    "risksummits.AccessLogEntry": "the summit's access log",
    "qsg.Term": "the deployment's labels (2013 or 2022 terms), reference data",
    "dashboard.PendingUpload": "an analyst's upload of national data waiting for confirmation",
    "dashboard.StandardChange": "national data standard changes",
    "dashboard.ProviderSuccession": "provider mergers, published",
    "dashboard.ProviderContext": "published context (CQC ratings, NHS Oversight Framework)",
    "surveillance.ItemSighting": "bookkeeping",
    "surveillance.IntelligenceAccess": "the access log",
    "surveillance.Corroboration": "notes of corroborating organisations, read with the item",
}


# The cast, the seed and the crawl ------------------------------------------------------------


def _text_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]


def _project_models():
    for model in apps.get_models():
        historical = issubclass(model, HistoricalChanges)
        if model._meta.app_label in APPS and not historical and _text_fields(model):
            yield model


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def _pdf_text(content: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return out.stdout.decode(errors="replace")


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def readable_text(response) -> str:
    """What a person reads in the answer: the body as text (a PDF or a workbook read back, a
    calendar file unfolded) and the headers (a file name can carry a title)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if content.startswith(b"%PDF"):
        text = _pdf_text(content)
    elif content.startswith(b"PK\x03\x04"):
        text = _xlsx_text(content)
    else:
        text = content.decode(errors="replace")
        if "calendar" in kind:
            text = re.sub(r"\r?\n[ \t]", "", text)
    headers = " ".join(f"{k}: {v}" for k, v in response.items())
    return f"{headers}\n{text}"


MARKER = re.compile(PREFIX + r"([a-z]+?)qz")


def markers_in(text: str) -> set[str]:
    """The kinds whose markers the text holds (a line break or hyphen a PDF put inside a marker
    does not hide it)."""
    lowered = text.lower()
    squeezed = re.sub(r"[\s\u00ad-]+", "", lowered)
    return set(MARKER.findall(lowered)) | set(MARKER.findall(squeezed))


FILE_TYPES = ("application/pdf", "text/csv", "text/calendar", "spreadsheetml", "octet-stream")


def is_file(response) -> bool:
    """A download: an attachment, or a document rather than a page or JSON."""
    kind = response.get("Content-Type", "")
    disposition = response.get("Content-Disposition", "")
    return "attachment" in disposition or any(t in kind for t in FILE_TYPES)


def _get(client: Client, url: str, is_api: bool):
    headers = {"HTTP_ACCEPT": "application/json"} if is_api else {}
    response = client.get(url, **headers)
    return response.status_code, readable_text(response), is_file(response)


def _about(pattern, url: str, item) -> bool:
    """The URL is a page or API answer about this intelligence item itself."""
    sources = [s[0] if isinstance(s, tuple) else s for s in pattern.sources]
    return any(s is type(item) for s in sources) and f"/{item.pk}/" in url


def owed_audit(seed, pattern, url: str, kinds: set[str], download: bool) -> set[str]:
    """The kinds whose item this answer must log as read (`expectations.AUDITED`)."""
    owed = {AUDITED[k] for k in kinds if k in AUDITED} if download else set()
    about_dna = _about(pattern, url, seed.objects[DNA_ITEM])
    if about_dna and kinds & {DNA_ITEM, "dnaname"}:
        owed.add(DNA_ITEM)
    return owed


def unaudited_reads(seed, user, since, owed: set[str], url: str) -> list[str]:
    from surveillance.intelligence.models import IntelligenceAccess

    logged = set(
        IntelligenceAccess.objects.filter(user=user, at__gte=since).values_list(
            "item_id", flat=True
        )
    )
    return [f"{kind} at {url}" for kind in sorted(owed) if seed.objects[kind].pk not in logged]


@pytest.fixture(scope="module")
def crawl_plan(seed):
    """Every URL to visit: each pattern with every value of the seed, less the patterns that
    answer a GET with 405 (POST-only views refuse the method before anything else; asked once,
    with the first URL of each pattern)."""
    found, _ = crawl_urls.patterns()
    url_list = [(p, url) for p in found for url in crawl_urls.urls_for(p)]
    firsts = {}
    for pattern, url in url_list:
        firsts.setdefault(pattern.name, url)
    probe = Client()
    post_only = set()
    with transaction.atomic():
        log_in(probe, seed.cast.users["secretariat_a"])
        for name, url in firsts.items():
            if probe.get(url).status_code == 405:
                post_only.add(name)
        transaction.set_rollback(True)
    return [(p, url) for p, url in url_list if p.name not in post_only], sorted(post_only)


def crawl_as(seed, plan, person: str | None) -> tuple[dict[str, list[str]], list[str], list[str]]:
    """({kind: [url, ...]} of the markers this person was shown, [server errors], [reads
    that the access log the secretariat reads should hold and does not]).

    The requests run in a transaction rolled back afterwards, so what one person's visit
    records (sightings, access log, downloads) does not reach the next person's."""
    from django.utils import timezone

    seen: dict[str, list[str]] = defaultdict(list)
    errors: list[str] = []
    unaudited: list[str] = []
    client = Client()
    user = seed.cast.users[person] if person is not None else None
    with transaction.atomic():
        if user is not None:
            log_in(client, user)
        for pattern, url in plan:
            since = timezone.now()
            status, text, download = _get(client, url, pattern.is_api)
            if status >= 500:
                errors.append(f"{status} on GET {url}")
            kinds = markers_in(text)
            for kind in kinds:
                seen[kind].append(url)
            owed = owed_audit(seed, pattern, url, kinds, download) if user else set()
            if owed:
                unaudited += unaudited_reads(seed, user, since, owed, url)
        transaction.set_rollback(True)
    return seen, errors, unaudited


# The guards ----------------------------------------------------------------------------------


def test_every_url_pattern_is_crawled():
    found, unresolved = crawl_urls.patterns()
    for pattern in found:
        for name in crawl_urls.list_filters(pattern)[1]:
            unresolved[pattern.name] = f"no model for the id filter ?{name}="
    assert not unresolved, (
        "URL patterns neither crawled nor exempt (add the parameter's source to "
        "tests/crawl/urls.py, or the pattern to EXEMPT with a reason):\n"
        + "\n".join(f"{name}: {why}" for name, why in sorted(unresolved.items()))
    )


def test_the_expectations_name_only_the_cast():
    assert not check_table()


@pytest.mark.django_db
def test_every_model_with_free_text_carries_a_marker(seed):
    missing, stale = [], []
    for model in _project_models():
        label = _label(model)
        marked = Q()
        for f in _text_fields(model):
            marked |= Q(**{f"{f.name}__contains": PREFIX})
        has_marker = model.objects.filter(marked).exists()
        if label in UNMARKED:
            continue
        if not has_marker:
            missing.append(label)
    for label in UNMARKED:
        try:
            apps.get_model(label)
        except LookupError:
            stale.append(label)
    assert not missing, (
        "models with free text but no marker in the seed (write one in tests/crawl/seed.py, "
        f"or list the model in UNMARKED with the reason its words are not restricted): {missing}"
    )
    assert not stale, f"UNMARKED names models that no longer exist: {stale}"


def test_every_kind_has_readers_and_a_marker(seed):
    assert set(seed.markers) == set(READERS), (
        f"seeded kinds {sorted(seed.markers)} and the expectation table {sorted(READERS)} differ"
    )


# The crawl -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("person", ["anonymous", *CRAWLERS])
def test_canary_crawl(seed, crawl_plan, person):
    """As one person: no marker of a kind they may not read, no server error, and the marker of
    every kind they may read read somewhere (so a crawl that reaches nothing cannot pass)."""
    plan, post_only = crawl_plan
    started = time.monotonic()
    seen, errors, unaudited = crawl_as(seed, plan, None if person == "anonymous" else person)
    print(
        f"{person}: {len(plan)} URLs in {time.monotonic() - started:.0f} s; answered 405 to "
        f"GET, not crawled: {post_only}"
    )
    leaks = [
        f"{person} read '{kind}' at {len(set(urls))} URLs: {', '.join(sorted(set(urls))[:8])}"
        for kind, urls in sorted(seen.items())
        if person not in READERS[kind]
    ]
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks)
    assert not errors, "\n".join(errors[:20])
    # Issue 14, build 6: every download carrying restricted or "do not attribute" words, and
    # every read of a "do not attribute" item, is in the access log the secretariat reads.
    assert not unaudited, f"{len(unaudited)} reads not in the access log:\n" + "\n".join(
        unaudited[:30]
    )
    unseen = sorted(kind for kind, readers in READERS.items() if person in readers)
    unseen = [kind for kind in unseen if kind not in seen]
    assert not unseen, f"{person} never read the marker of {unseen}, which they may read"
