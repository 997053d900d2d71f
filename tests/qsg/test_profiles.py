"""The deployment's profile and terms (qsg.vocabulary), and the 2022 demo network with its
escalation story (QSG_PROFILE=2022); the 2013 demo stays the default."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from qsg import demo, navigation, vocabulary
from qsg.models import QSG, Membership, Provider, Term, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_terms():
    vocabulary.forget()
    yield
    vocabulary.forget()


def _nav(user) -> list[str]:
    request = RequestFactory().get("/")
    request.user = user
    return [i["text"] for i in navigation.primary_items(request)]


def test_the_2013_terms_are_the_default():
    assert vocabulary.profile() == "2013"
    assert vocabulary.term("risk_summit") == "risk summit"
    assert vocabulary.term("ring_holder", capital=True) == "Ring-holder"


@override_settings(QSG_PROFILE="2022")
def test_the_2022_profile_and_an_administrators_override():
    assert vocabulary.term("qsg_long") == "System Quality Group"
    assert vocabulary.term("risk_summits", capital=True) == "Rapid quality reviews"
    Term.objects.create(key="qsg_long", label="Integrated Care Quality Group")
    vocabulary.forget()
    assert vocabulary.term("qsg_long") == "Integrated Care Quality Group"
    assert vocabulary.term("regional_qsg") == "Regional Quality Group"


@override_settings(QSG_PROFILE="nonsense")
def test_an_unknown_profile_falls_back_to_2013():
    assert vocabulary.term("qsg") == "QSG"


def test_navigation_labels_follow_the_profile(cast):
    assert "Risk summits" in _nav(cast.users["secretariat_a"])
    with override_settings(QSG_PROFILE="2022"):
        vocabulary.forget()
        labels = _nav(cast.users["secretariat_a"])
    assert "Rapid quality reviews" in labels and "Quality groups" in labels


def test_the_2013_accounts_stay_the_default():
    names = {a.username for a in demo.demo_accounts_spec()}
    assert "gm.secretariat" in names and "wy.secretariat" not in names


@override_settings(QSG_PROFILE="2022")
def test_the_2022_demo_seeds_an_ics_network_and_the_escalation_story():
    from risksummits.models import RiskSummit
    from surveillance.escalation.models import EscalationRecord

    demo.seed(password="demo-password-2026")
    region = QSG.objects.get(name="North East and Yorkshire Regional Quality Group")
    systems = QSG.objects.filter(regional_qsg=region)
    assert sorted(systems.values_list("name", flat=True)) == [
        "Humber and North Yorkshire System Quality Group",
        "West Yorkshire System Quality Group",
    ]
    assert not QSG.objects.filter(name__endswith=" QSG").exists()  # no 2013 network
    wy = systems.get(name__startswith="West")
    assert wy.convening_organisation.name == "NHS West Yorkshire Integrated Care Board"
    # Providers are member organisations of their system's group.
    member_names = set(
        Membership.objects.filter(qsg=wy).values_list("organisation__name", flat=True)
    )
    assert set(Provider.objects.filter(qsg=wy).values_list("name", flat=True)) <= member_names

    rxf = EscalationRecord.objects.get(provider__ods_code="RXF")
    assert rxf.level == "intensive" and rxf.lead_organisation.name.startswith("NHS England")
    assert [d.direction for d in rxf.decisions.order_by("decided_on")] == [
        "placed",
        "reviewed",
        "escalated",
    ]
    assert rxf.criteria.filter(kind="measure", indicator__code="AE_4HR").exists()
    assert EscalationRecord.objects.get(provider__ods_code="RAE").level == "routine"
    review = RiskSummit.objects.get(providers=rxf.provider)
    assert review.kind == "rapid_review" and review.trigger == "level_decision"

    from dashboard.models import Observation, SpcSeries

    assert Observation.objects.filter(provider=rxf.provider).exists()
    assert SpcSeries.objects.filter(provider=rxf.provider).exists()
    # The meetings, intelligence and regional seeders fill the 2022 groups as they fill the
    # 2013 ones: a system group has meetings and items, the region a local report.
    from surveillance.intelligence.models import IntelligenceItem
    from surveillance.meetings.models import Meeting
    from surveillance.regional.models import LocalReport

    assert Meeting.objects.filter(qsg=wy).exists() and Meeting.objects.filter(qsg=region).exists()
    assert IntelligenceItem.objects.filter(qsg=wy).exists()
    assert LocalReport.objects.filter(qsg__regional_qsg=region).exists()
    # A provider trust's own person is a member of its system's group.
    trust_person = User.objects.get(username="wy.trust")
    assert trust_person.organisation.name == "Mid Yorkshire Teaching NHS Trust"
    # Tiers: a national group over the region reads it read-only; the ambulance trust is led
    # by West Yorkshire's group and sits in Humber and North Yorkshire's footprint too.
    from qsg import access

    assert region.regional_qsg.level == "national"
    national = access.principal(User.objects.get(username="national.secretariat"))
    assert national.read_only == {region.pk, *systems.values_list("pk", flat=True)}
    yas = Provider.objects.get(ods_code="RX8")
    hny = systems.get(name__startswith="Humber")
    assert yas.qsg == wy and list(yas.other_qsgs.all()) == [hny]
    assert yas in access.footprint(hny) and yas in access.providers_for(
        User.objects.get(username="hny.secretariat")
    )
    assert set(yas.commissioners.all()) >= {wy.convening_organisation, hny.convening_organisation}
    # The national team's pages: the region's view and the ambulance trust's escalation list.
    from django.test import Client
    from django.urls import reverse

    from tests.signin import log_in

    national_client = log_in(Client(), User.objects.get(username="national.secretariat"))
    view = national_client.get(reverse("surveillance:regional-view", args=[region.pk]))
    assert view.status_code == 200 and wy.name in view.content.decode()
    # West Yorkshire's submitted report, seeded after the escalation story, carries it.
    assert "Mid Yorkshire Teaching NHS Trust: Intensive support since" in view.content.decode()
    hny_client = log_in(Client(), User.objects.get(username="hny.secretariat"))
    page = hny_client.get(yas.get_absolute_url()).content.decode()
    assert "Also in the footprint of" in page and hny.name in page
    # A second run adds nothing.
    demo.seed(password="demo-password-2026")
    assert rxf.decisions.count() == 3 and RiskSummit.objects.count() == 1
    assert {a["username"] for a in demo.accounts_listing()} >= {"wy.secretariat", "ney.reviewer"}


def test_the_home_page_speaks_the_profile(cast, client):
    from tests.signin import log_in

    log_in(client, cast.users["secretariat_a"])
    assert "My QSGs" in client.get("/").content.decode()
    with override_settings(QSG_PROFILE="2022"):
        vocabulary.forget()
        body = client.get("/").content.decode()
    assert "My quality groups" in body and "My QSGs" not in body
