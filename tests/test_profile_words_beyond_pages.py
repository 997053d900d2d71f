"""Each profile's words beyond the pages: every e-mail, the API's schema and its error messages.

tests/test_profile_words.py reads the pages and PDFs; here the same word list (`WRONG`) is held
to what leaves the product another way (issue 16). Under the 2022 profile no 2013 word (QSG,
risk summit, ring-holder, Local Safeguarding Children Board) may appear; under the 2013 profile
the same texts still carry them, so that a check that finds nothing because nothing was sent
cannot pass. Names the data holds (a group called "Area A QSG") are data and are taken out
before the words are read.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from qsg import vocabulary
from qsg.models import QSG, Organisation, Provider, User
from surveillance.meetings.models import Meeting
from tests.crawl.seed import build_seed
from tests.crawl.test_mail import _deliver_everything
from tests.risksummits.factories import trigger
from tests.signin import log_in
from tests.test_profile_words import WRONG, build, visible, wrong_words

pytestmark = pytest.mark.django_db

OLD = WRONG["2022"]  # the 2013 words
PROFILES = ["2013", "2022"]


@pytest.fixture(autouse=True)
def _fresh_words():
    vocabulary.forget()
    yield
    vocabulary.forget()


def check(profile: str, found: dict[str, str]) -> None:
    """Under 2022 no 2013 word anywhere; under 2013 the 2013 words in every text."""
    assert found, "nothing was read"
    if profile == "2022":
        wrong = {where: wrong_words("2022", text) for where, text in found.items()}
        wrong = {where: words for where, words in wrong.items() if words}
        assert not wrong, "\n".join(f"{where}: {words}" for where, words in wrong.items())
    else:
        silent = [where for where, text in found.items() if not OLD.search(text)]
        assert not silent, f"no 2013 word in {silent}"
        wrong = {where: wrong_words("2013", text) for where, text in found.items()}
        assert not any(wrong.values()), wrong


def without_data(text: str) -> str:
    names = set()
    for rows in (
        QSG.objects.values_list("name", "footprint"),
        QSG.objects.values_list("slug", "slug"),
        Organisation.objects.values_list("name", "email"),
        Provider.objects.values_list("name", "name"),
        Meeting.objects.values_list("title", "title"),
        User.objects.values_list("username", "email"),
    ):
        for pair in rows:
            names.update(n for n in pair if n)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "<data>").replace(name.lower(), "<data>")
    return text


# E-mails ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_every_email_speaks_the_profiles_words(profile):
    """Every kind of e-mail the seed and the sweeps send (tests/crawl/test_mail.py), the
    password-reset e-mail, and the sender's name."""
    with override_settings(QSG_PROFILE=profile):
        seed = build_seed()
        messages = _deliver_everything()
        Client().post(reverse("qsg:password-reset"), {"email": seed.cast.users["member_a"].email})
        reset = mail.outbox[-1]
        assert "password" in reset.subject.lower()
        messages.append(reset)
        senders = {str(m.message()["From"]) for m in messages}
        subjects = {re.sub(r"\d", "", m.subject): m for m in messages}
        found = {
            f"mail {subject!r}": without_data(f"{m.subject}\n{m.body}")
            for subject, m in subjects.items()
        }
    assert len(found) >= 15, sorted(found)
    # Data keeps its names: a group called "Area A QSG" is still called that in a 2022 e-mail.
    name = seed.cast.qsgs["a"].name
    assert "QSG" in name and any(name in f"{m.subject} {m.body}" for m in messages)
    assert len(senders) == 1, senders
    if profile == "2022":
        check(profile, found)
        assert senders == {"Quality group workspace <no-reply@qsg-workspace.invalid>"}
    else:
        # Not every e-mail names a group or a summit ("Your intelligence ... has been triaged"):
        # the summit's and the intelligence's do.
        named = {where: text for where, text in found.items() if OLD.search(text)}
        assert len(named) >= 10, sorted(found)
        check(profile, named)
        assert senders == {"QSG workspace <no-reply@qsg-workspace.invalid>"}


@pytest.mark.parametrize("profile", PROFILES)
def test_the_authenticator_app_names_the_service_in_the_profiles_words(cast, profile):
    device = TOTPDevice.objects.create(user=cast.users["secretariat_a"], name="app")
    with override_settings(QSG_PROFILE=profile):
        url = unquote(device.config_url)
    check(profile, {"otpauth issuer": url.split("issuer=")[1]})


# The API ----------------------------------------------------------------------------------------


def schema_text(profile: str, django_assert_num_queries) -> str:
    """What the schema says to a reader (titles, summaries, descriptions, choice labels), without
    the API's own names in `code` (a field called `qsg` is an identifier, not a word). The schema
    is built without the database (the check --deploy and schemathesis build it with none)."""
    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"title", "summary", "description"} and isinstance(value, str):
                    out.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    with override_settings(QSG_PROFILE=profile), django_assert_num_queries(0):
        vocabulary.forget()
        walk(SchemaGenerator().get_schema(request=None, public=True))
    return re.sub(r"`[^`]*`", "`code`", "\n".join(out))


@pytest.mark.parametrize("profile", PROFILES)
def test_the_api_schema_speaks_the_profiles_words(profile, django_assert_num_queries):
    text = schema_text(profile, django_assert_num_queries)
    check(profile, {"schema": text})
    if profile == "2022":
        assert "rapid quality review" in text.lower() and "Quality group workspace" in text


def api_errors(cast) -> dict[str, str]:
    """A few representative invalid requests, each answered with a message naming a group, a
    summit or a ring-holder."""

    def client(who: str) -> APIClient:
        c = APIClient()
        c.force_authenticate(cast.users[who])
        return c

    r = cast.qsgs["r"]
    summit = trigger(cast)
    requests = {
        "hidden group (TargetField)": (
            "secretariat_a",
            "/api/v1/meetings/",
            {"qsg": 2_000_000_000, "title": "x", "date": "2030-01-01"},
        ),
        "provider in a regional group": (
            "regional_secretariat",
            "/api/v1/providers/",
            {"qsg": r.pk, "ods_code": "ZZZ99", "name": "x", "sector": "acute"},
        ),
        "hidden summit meeting (VisibleRelatedField)": (
            "secretariat_a",
            f"/api/v1/risk-summits/{summit.pk}/actions/",
            {
                "objective": "x",
                "description": "x",
                "owner_organisation": cast.orgs["icb_a"].pk,
                "due_on": "2030-01-01",
                "meeting": 2_000_000_000,
            },
        ),
        "summit across two groups": (
            "regional_secretariat",
            "/api/v1/risk-summits/",
            {
                "providers": [cast.providers["provider_a1"].pk, cast.providers["provider_b1"].pk],
                "concern": "Staffing on the wards",
                "source": "whistleblower",
                "urgency": "urgent",
                "judged_at": "2030-01-01T09:00:00Z",
            },
        ),
    }
    found = {}
    for what, (who, url, body) in requests.items():
        response = client(who).post(url, body, format="json")
        assert response.status_code in (400, 404), (what, response.status_code, response.content)
        found[what] = " | ".join(messages(response.json()))
    return found


def messages(node) -> list[str]:
    """The messages of an error body, without its keys (a field called `qsg` is a name)."""
    if isinstance(node, dict):
        return [m for value in node.values() for m in messages(value)]
    if isinstance(node, list):
        return [m for value in node for m in messages(value)]
    return [str(node)]


@pytest.mark.parametrize("profile", PROFILES)
def test_api_error_messages_speak_the_profiles_words(cast, profile):
    with override_settings(QSG_PROFILE=profile):
        found = api_errors(cast)
    check(profile, found)


# What the API answers: labels and sentences of the code's in each object it lists ---------------


LISTS = [
    "/api/v1/me/",
    "/api/v1/organisations/",
    "/api/v1/qsgs/",
    "/api/v1/memberships/",
    "/api/v1/qsg-roles/",
    "/api/v1/providers/",
    "/api/v1/intelligence/",
    "/api/v1/meetings/",
    "/api/v1/agenda-items/",
    "/api/v1/conclusions/",
    "/api/v1/actions/",
    "/api/v1/escalations/",
    "/api/v1/local-reports/",
    "/api/v1/packs/",
    "/api/v1/risk-summits/",
]


@pytest.mark.parametrize("profile", PROFILES)
def test_api_answers_speak_the_profiles_words(cast, monkeypatch, profile):
    """Every list the API gives, and a risk summit's own pages, as a local and a regional
    secretariat see them; the data is named in the profile's words first (as on the pages)."""
    with override_settings(QSG_PROFILE=profile):
        scene = build(cast, profile, monkeypatch)
        summit = scene["summit"]
        found = {}
        for who in ("secretariat_a", "regional_secretariat"):
            client = APIClient()
            client.force_authenticate(cast.users[who])
            urls = (
                LISTS
                + [
                    f"/api/v1/risk-summits/{summit.pk}/{part}/"
                    for part in ("participants", "meetings", "judgements", "actions")
                ]
                + [f"/api/v1/local-reports/{scene['report'].pk}/"]
            )
            for url in urls:
                response = client.get(url)
                if response.status_code == 404:
                    continue
                assert response.status_code == 200, (who, url, response.status_code)
                found[f"{who} {url}"] = without_data(" | ".join(messages(response.json())))
    if profile == "2022":
        check(profile, found)
    else:
        assert OLD.search(" ".join(found.values()))


# The Django admin ------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_the_admin_speaks_the_profiles_words(cast, profile):
    """An administrator's index, lists, add and change pages: headers, model names, titles and
    form labels (a QSG's page, a provider's "lead group", a role in a QSG)."""
    with override_settings(QSG_PROFILE=profile):
        vocabulary.forget()
        root = User.objects.create_superuser("root", "root@example.nhs.uk", "root-password-1234")
        client = Client()
        log_in(client, root)
        qsg = cast.qsgs["a"]
        provider = Provider.objects.filter(qsg=qsg).first()
        urls = {
            "index": reverse("admin:index"),
            "app": reverse("admin:app_list", args=["qsg"]),
            "groups": reverse("admin:qsg_qsg_changelist"),
            "group": reverse("admin:qsg_qsg_change", args=[qsg.pk]),
            "new group": reverse("admin:qsg_qsg_add"),
            "roles": reverse("admin:qsg_qsgrole_changelist"),
            "provider": reverse("admin:qsg_provider_change", args=[provider.pk]),
        }
        found = {}
        for where, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, where
            found[where] = without_data(visible(response.content.decode()))
        check(profile, found)
