"""Every form of the project, found by walking the apps' modules (not by a list someone keeps):

- each multiple-choice field renders as checkboxes (Django's CheckboxSelectMultiple subclasses
  RadioSelect: a renderer that tests RadioSelect first keeps one answer where a person ticks
  several), and each single choice as radios or a select;
- each multiple-choice field round-trips two chosen values through a real POST to the page that
  uses it, read back from what was stored. A new multiple-choice field fails
  `test_every_multiple_choice_field_has_a_round_trip` until it has one here.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from qsg import forms_nhs, services
from qsg.models import QSG, Organisation, OrganisationType, Provider, User

APPS = ("qsg", "dashboard", "surveillance", "risksummits")
# Admin forms are rendered by Django's admin (its SelectMultiple and filter widgets read every
# chosen value with getlist), not by our NHS.UK renderer, which is what this walk checks.
SKIP = (".migrations", ".settings", ".management", ".admin", "qsg.wsgi", "__main__")


def _project_modules():
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=app + "."):
            if any(part in info.name for part in SKIP):
                continue
            yield importlib.import_module(info.name)


def form_classes() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for module in _project_modules():
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, forms.BaseForm)
                and obj.__module__.split(".")[0] in APPS
                and obj.__module__ == module.__name__
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


FORMS = form_classes()


# What a form's constructor is given, by argument name (a form that needs an argument not named
# here fails the walk: add it, with what its page passes). OVERRIDES: where a name means another
# thing to one form.
def _arguments(cast) -> dict[str, Callable[[], object]]:
    from risksummits.models import SummitMeeting
    from surveillance.meetings.models import AgendaItem
    from surveillance.regional.models import AssuranceQuestion

    return {
        "providers": lambda: Provider.objects.all(),
        "qsgs": lambda: QSG.objects.all(),
        "qsg": lambda: cast.qsgs["a"],
        "region": lambda: cast.qsgs["r"],
        "organisations": lambda: Organisation.objects.all(),
        "commissioners": lambda: Organisation.objects.all(),
        "other_qsgs": lambda: QSG.objects.all(),
        "people": lambda: User.objects.all(),
        "own_qsg_ids": lambda: {cast.qsgs["a"].pk},
        "questions": lambda: list(AssuranceQuestion.objects.all()[:3]),
        "meetings": lambda: SummitMeeting.objects.all(),
        "items": lambda: AgendaItem.objects.all(),
        "user": lambda: cast.users["secretariat_a"],
    }


def _overrides() -> dict[str, dict[str, Callable[[], object]]]:
    from surveillance.meetings.models import Meeting

    return {
        "surveillance.meetings.forms.PlanEntryForm": {"meetings": Meeting.objects.all},
        "surveillance.escalation.forms.DecisionForm": {
            "provider": lambda: Provider.objects.get(ods_code="RAA"),
            "record": lambda: None,
        },
    }


def build(form_class, cast, data=None):
    given = _arguments(cast)
    given.update(_overrides().get(f"{form_class.__module__}.{form_class.__qualname__}", {}))
    kwargs = {}
    for klass in form_class.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass.__module__.startswith("django."):
            continue
        for name, param in inspect.signature(init).parameters.items():
            if param.kind not in (param.KEYWORD_ONLY, param.POSITIONAL_OR_KEYWORD):
                continue
            if name in ("self", "data", "files") or name in kwargs:
                continue
            if name in given or param.default is inspect.Parameter.empty:
                assert name in given, (
                    f"{form_class.__qualname__} takes {name!r}: add it to _arguments()"
                )
                kwargs[name] = given[name]()
    if issubclass(form_class, AuthenticationForm):
        return form_class(None, data=data, **kwargs)
    return form_class(data, **kwargs)


def _is_multiple(field: forms.Field) -> bool:
    return isinstance(field, forms.MultipleChoiceField) or getattr(
        field.widget, "allow_multiple_selected", False
    )


def _render(bf) -> str:
    env = engines["jinja2"].env
    template = env.from_string(
        '{% from "macros/forms.jinja" import form_field %}{{ form_field(bf) }}'
    )
    return template.render(bf=bf, **env.globals)


def test_the_walk_finds_the_forms_of_every_app():
    names = {f"{c.__module__}.{c.__qualname__}" for c in FORMS}
    assert len(FORMS) > 50
    for expected in (
        "risksummits.forms.MeetingRecordForm",
        "surveillance.packs.forms.MemberReturnForm",
        "qsg.forms.ProviderForm",
        "dashboard.forms.ImportForm",
    ):
        assert expected in names


def _component_problems(form) -> list[str]:
    problems = []
    for bf in form:
        field = bf.field
        component = forms_nhs.field_params(bf)["component"]
        if _is_multiple(field):
            html = _render(bf)
            boxes = html.count('type="checkbox"')
            choices = len([c for c in field.choices if c[0] != ""])
            if component != "checkboxes" or 'type="radio"' in html or boxes != choices:
                problems.append(f"{bf.name}: {component}, {boxes} boxes for {choices} choices")
        elif isinstance(field.widget, forms.RadioSelect):
            if component != "radios" or 'type="checkbox"' in _render(bf):
                problems.append(f"{bf.name}: {component} for a single choice")
        elif (
            isinstance(field, forms.ChoiceField)
            and not isinstance(field.widget, forms.HiddenInput)
            and component not in ("select", "radios")
        ):
            problems.append(f"{bf.name}: {component} for a single choice")
    return problems


@pytest.mark.django_db
def test_every_choice_field_renders_as_its_component(cast):
    """One test over every form (the cast is built once): multiple choices as checkboxes with
    one box per choice, single choices as radios or a select."""
    problems = {}
    for form_class in FORMS:
        found = _component_problems(build(form_class, cast))
        if found:
            problems[f"{form_class.__module__}.{form_class.__qualname__}"] = found
    assert not problems


@pytest.mark.django_db
def test_no_error_on_any_form_says_only_this_field_is_required(cast):
    """Submitted empty, every form's errors (summary and inline) name their field, as the
    NHS.UK error message guidance asks ("Enter the title", "Select who attended")."""
    generic = str(forms.Field.default_error_messages["required"])
    unnamed = {}
    for form_class in FORMS:
        form = build(form_class, cast, data={})
        texts = [i["text"] for i in forms_nhs.error_list(form)]
        texts += [
            forms_nhs.field_params(bf)["params"]["errorMessage"]["text"] for bf in form if bf.errors
        ]
        if any(generic in t for t in texts):
            unnamed[f"{form_class.__module__}.{form_class.__qualname__}"] = texts
    assert not unnamed


# Round trips -------------------------------------------------------------------------------


class FormScraper(HTMLParser):
    """What a browser would submit from each <form> of a page, and its checkbox choices."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    @property
    def current(self) -> dict:
        return self.forms[-1]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "values": {}, "checkboxes": {}})
        if not self.forms:
            return
        values = self.current["values"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "checkbox":
                self.current["checkboxes"].setdefault(a["name"], []).append(a.get("value", "on"))
                if "checked" in a:
                    values.setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind == "radio":
                if "checked" in a:
                    values[a["name"]] = [a.get("value", "on")]
            elif kind not in ("submit", "button", "file"):
                values[a["name"]] = [a.get("value", "")]
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            values[self._select] = [a.get("value", "")]
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            values[a["name"]] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.current["values"][self._textarea][0] += data


def form_on_page(html: str, field: str) -> dict:
    scraper = FormScraper()
    scraper.feed(html)
    for form in scraper.forms:
        if field in form["checkboxes"]:
            return form
    raise AssertionError(f"no form on the page has checkboxes named {field!r}")


@dataclass
class RoundTrip:
    form: str  # module.Class
    field: str
    user: str
    url: Callable  # (cast) -> str
    data: Callable  # (cast) -> dict of what the person types or chooses besides the field
    stored: Callable  # (cast) -> set of the stored values' primary keys
    pick: Callable | None = None  # (cast) -> the two values to tick; default: two unticked


def _third_provider(cast) -> Provider:
    return services.provider_create(
        actor=None,
        ods_code="RAC",
        name="Alpha Mental Health Partnership",
        sector="mental_health",
        qsg=cast.qsgs["a"],
        commissioners=[cast.orgs["icb_a"]],
    )


def _summit_world(cast):
    from tests.risksummits.factories import world

    return world(cast)


def _summit_record_url(cast):
    w = _summit_world(cast)
    return reverse("risksummits:meeting-record", args=[w.summit.pk, w.held.pk])


def _summit_record_data(cast):
    start = timezone.localtime(_summit_world(cast).held.starts_at)
    # The form takes an end time on the meeting's own day: near midnight, the day's last minute.
    end = start + dt.timedelta(minutes=50)
    if end.date() != start.date():
        end = start.replace(hour=23, minute=59)
    return {
        "ends_at_time": end.strftime("%H:%M"),
        "judgements": "Concern confirmed; members to meet again in a week",
        "present": [],
    }


def _summit_record_stored(cast):
    held = _summit_world(cast).held
    held.refresh_from_db()
    return set(held.attendance.values_list("user_id", flat=True))


def _summit_record_pick(cast):
    return [cast.users["cqc_a"].pk, cast.users["chair_a"].pk]


def _trigger_url(cast):
    _third_provider(cast)
    return reverse("risksummits:trigger")


def _trigger_data(cast):
    judged = timezone.localtime() - dt.timedelta(hours=1)
    return {
        "provider": cast.providers["provider_a1"].pk,
        "concern": "Reports of unsafe staffing in the emergency department",
        "source": "media",
        "urgency": "immediate",
        "judged_at_date[day]": judged.day,
        "judged_at_date[month]": judged.month,
        "judged_at_date[year]": judged.year,
        "judged_at_time": judged.strftime("%H:%M"),
    }


def _trigger_stored(cast):
    from risksummits.models import RiskSummit

    summit = RiskSummit.objects.get()
    lead = cast.providers["provider_a1"].pk
    return {p for p in summit.providers.values_list("pk", flat=True) if p != lead}


def _trigger_pick(cast):
    return [cast.providers["provider_a2"].pk, Provider.objects.get(ods_code="RAC").pk]


def _participant_url(cast):
    from qsg.models import QSGRole
    from risksummits.models import Participant

    w = _summit_world(cast)
    # Only people holding a role in the QSG may be added (risksummits.access.participant_people_for).
    officer = services.user_create(
        actor=None,
        username="officer_a",
        organisation=cast.orgs["la_a"],
        password="cast-password-123",
        first_name="Officer",
        last_name="Alpha",
        email="officer_a@example.gov.uk",
    )
    services.role_assign(actor=None, qsg=cast.qsgs["a"], user=officer, role=QSGRole.Role.MEMBER)
    assert not Participant.objects.filter(
        summit=w.summit, organisation=cast.orgs["la_a"], is_active=True
    ).exists()
    return reverse("risksummits:participant-add", args=[w.summit.pk])


def _participant_data(cast):
    return {"organisation": cast.orgs["la_a"].pk}


def _participant_stored(cast):
    from risksummits.models import Participant

    participant = Participant.objects.get(
        summit=_summit_world(cast).summit, organisation=cast.orgs["la_a"], is_active=True
    )
    return set(participant.representatives.values_list("user_id", flat=True))


def _participant_pick(cast):
    return [cast.users["observer_a"].pk, User.objects.get(username="officer_a").pk]


def _meeting(cast):
    from tests.surveillance.meetings.factories import meeting

    found = cast.__dict__.get("_round_trip_meeting")
    if found is None:
        found = cast.__dict__["_round_trip_meeting"] = meeting(cast, days=14)
    return found


def _return_stored(cast):
    from surveillance.packs.models import MemberReturn

    row = MemberReturn.objects.get(pack__meeting=_meeting(cast), organisation=cast.orgs["icb_a"])
    return set(row.concern_providers.values_list("pk", flat=True))


def _quorum_stored(cast):
    from surveillance.meetings.models import QuorumRequirement

    row = QuorumRequirement.objects.get(qsg=cast.qsgs["a"], label="A regulator or council")
    return set(row.organisation_types.values_list("pk", flat=True))


def _quorum_pick(cast):
    return list(
        OrganisationType.objects.filter(code__in=("cqc", "local-authority")).values_list(
            "pk", flat=True
        )
    )


def _provider_stored(cast):
    provider = Provider.objects.get(ods_code="RAZ")
    return set(provider.commissioners.values_list("pk", flat=True))


def _shared_provider_url(cast):
    """Provider A1's edit page, its lead group's secretariat's organisation also a member of B and
    C, with a role there (the groups it may name as the provider's other groups are those it
    sees)."""
    from qsg.models import QSGRole

    for key in ("b", "c"):
        services.membership_add(
            actor=None, qsg=cast.qsgs[key], organisation=cast.users["secretariat_a"].organisation
        )
        services.role_assign(
            actor=None,
            qsg=cast.qsgs[key],
            user=cast.users["secretariat_a"],
            role=QSGRole.Role.MEMBER,
        )
    return reverse("qsg:provider-edit", args=[cast.providers["provider_a1"].pk])


def _item(cast):
    from tests.surveillance.intelligence.factories import submit

    found = cast.__dict__.get("_round_trip_item")
    if found is None:
        found = cast.__dict__["_round_trip_item"] = submit(cast, distribution="organisation")
    return found


def _named_stored(cast):
    item = _item(cast)
    item.refresh_from_db()
    return set(item.named_organisations.values_list("pk", flat=True))


ROUND_TRIPS = [
    RoundTrip(
        form="risksummits.forms.MeetingRecordForm",
        field="present",
        user="secretariat_a",
        url=_summit_record_url,
        data=_summit_record_data,
        stored=_summit_record_stored,
        pick=_summit_record_pick,
    ),
    RoundTrip(
        form="risksummits.forms.TriggerForm",
        field="other_providers",
        user="member_a",
        url=_trigger_url,
        data=_trigger_data,
        stored=_trigger_stored,
        pick=_trigger_pick,
    ),
    RoundTrip(
        form="risksummits.forms.ParticipantAddForm",
        field="people",
        user="secretariat_a",
        url=_participant_url,
        data=_participant_data,
        stored=_participant_stored,
        pick=_participant_pick,
    ),
    RoundTrip(
        form="surveillance.packs.forms.MemberReturnForm",
        field="concern_providers",
        user="member_a",
        url=lambda c: reverse("surveillance:member-return", args=[_meeting(c).pk]),
        data=lambda c: {"concerns": "Delays in discharge at both", "handling": "members"},
        stored=_return_stored,
    ),
    RoundTrip(
        form="surveillance.meetings.forms.QuorumRequirementForm",
        field="organisation_types",
        user="secretariat_a",
        url=lambda c: reverse("surveillance:quorum-settings", args=[c.qsgs["a"].pk]),
        data=lambda c: {"label": "A regulator or council", "role": "", "minimum": "1"},
        stored=_quorum_stored,
        pick=_quorum_pick,
    ),
    RoundTrip(
        form="qsg.forms.ProviderForm",
        field="commissioners",
        user="secretariat_a",
        url=lambda c: reverse("qsg:provider-create"),
        data=lambda c: {
            "ods_code": "RAZ",
            "name": "Alpha Specialist Hospital",
            "sector": "acute",
            "qsg": c.qsgs["a"].pk,
        },
        stored=_provider_stored,
        pick=lambda c: [c.orgs["icb_a"].pk, c.orgs["la_a"].pk],
    ),
    RoundTrip(
        form="qsg.forms.ProviderForm",
        field="other_qsgs",
        user="secretariat_a",
        url=_shared_provider_url,
        data=lambda c: {},
        stored=lambda c: set(c.providers["provider_a1"].other_qsgs.values_list("pk", flat=True)),
        pick=lambda c: [c.qsgs["b"].pk, c.qsgs["c"].pk],
    ),
    RoundTrip(
        form="surveillance.intelligence.forms.WidenForm",
        field="named_organisations",
        user="member_a",
        url=lambda c: reverse("surveillance:intelligence-widen", args=[_item(c).pk]),
        data=lambda c: {"distribution": "named"},
        stored=_named_stored,
        pick=lambda c: [c.orgs["cqc"].pk, c.orgs["hw_a"].pk],
    ),
]


def _escalation_data(cast, *, review=False):
    def parts(name, day):
        return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}

    today = timezone.localdate()
    data = {
        "level": "enhanced",
        "group": cast.qsgs["a"].pk,
        "decided_by": "The group by consensus",
        "rationale": "Staffing gaps reported by three members",
        "lead_organisation": cast.orgs["icb_a"].pk,
        **parts("decided_on", today - dt.timedelta(days=1)),
        **parts("review_date", today + dt.timedelta(days=60)),
    }
    if not review:
        data["criterion_1_text"] = "Staffing plan agreed"
    return data


def _escalation_start_url(cast):
    from tests.surveillance.intelligence.factories import scenario

    scenario(cast)
    return reverse("surveillance:escalation-start", args=[cast.providers["provider_a1"].pk])


def _escalation_signals_url(cast):
    from dashboard.models import Indicator, SpcSeries

    for code in ("AE_4HR", "SHMI"):
        SpcSeries.objects.get_or_create(
            provider=cast.providers["provider_a1"],
            indicator=Indicator.objects.get(code=code),
            defaults={"n_points": 12},
        )
    return reverse("surveillance:escalation-start", args=[cast.providers["provider_a1"].pk])


def _escalation_decision(cast):
    from surveillance.escalation.models import EscalationDecision

    return EscalationDecision.objects.order_by("-pk").first()


def _escalation_record(cast):
    from tests.surveillance.escalation.factories import escalation_scenario

    return escalation_scenario(cast)["record"]


def _escalation_met(cast):
    return set(_escalation_record(cast).criteria.filter(status="met").values_list("pk", flat=True))


ROUND_TRIPS += [
    RoundTrip(
        form="surveillance.escalation.forms.DecisionForm",
        field="intelligence_item_ids",
        user="secretariat_a",
        url=_escalation_start_url,
        data=_escalation_data,
        stored=lambda c: set(_escalation_decision(c).intelligence_item_ids),
    ),
    RoundTrip(
        form="surveillance.escalation.forms.DecisionForm",
        field="signal_indicators",
        user="secretariat_a",
        url=_escalation_signals_url,
        data=_escalation_data,
        stored=lambda c: set(
            _escalation_decision(c).signal_indicators.values_list("pk", flat=True)
        ),
    ),
    RoundTrip(
        form="surveillance.escalation.forms.DecisionForm",
        field="criteria_met",
        user="chair_a",
        url=lambda c: reverse("surveillance:escalation-decide", args=[_escalation_record(c).pk]),
        data=lambda c: _escalation_data(c, review=True),
        stored=_escalation_met,
    ),
]


def _multiple_fields() -> set[tuple[str, str]]:
    found = set()
    for form_class in FORMS:
        for name, field in form_class.base_fields.items():
            if _is_multiple(field):
                found.add((f"{form_class.__module__}.{form_class.__qualname__}", name))
    return found


def test_every_multiple_choice_field_has_a_round_trip():
    covered = {(r.form, r.field) for r in ROUND_TRIPS}
    # A subclass inherits its parent's field: one page per field is enough.
    missing = {
        (form, name)
        for form, name in _multiple_fields()
        if not any(name == n and _same_family(form, f) for f, n in covered)
    }
    assert not missing, f"add a RoundTrip for {sorted(missing)}"


def _same_family(a: str, b: str) -> bool:
    classes = {f"{c.__module__}.{c.__qualname__}": c for c in FORMS}
    return issubclass(classes[a], classes[b]) or issubclass(classes[b], classes[a])


@pytest.mark.django_db
@pytest.mark.parametrize("trip", ROUND_TRIPS, ids=lambda r: f"{r.form}.{r.field}")
def test_two_chosen_values_round_trip_through_the_page(cast, client_for, trip):
    client = client_for(trip.user)
    url = trip.url(cast)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    form = form_on_page(html, trip.field)
    offered = form["checkboxes"][trip.field]
    assert f'name="{trip.field}" type="radio"' not in html
    chosen = [str(v) for v in trip.pick(cast)] if trip.pick else None
    if chosen is None:
        unticked = [v for v in offered if v not in form["values"].get(trip.field, [])]
        chosen = unticked[:2]
    assert len(chosen) == 2 and set(chosen) <= set(offered), (chosen, offered)

    data = dict(form["values"].items())
    data.update({k: v if isinstance(v, list) else [v] for k, v in trip.data(cast).items()})
    data[trip.field] = chosen
    response = client.post(url, data)
    if response.status_code != 302:
        errors = forms_nhs_errors(response)
        raise AssertionError(f"the page refused the form: {errors}")
    assert {str(v) for v in trip.stored(cast)} == set(chosen)

    # The page shows both ticked when it is opened again (where it edits what was stored).
    if trip.form in (
        "risksummits.forms.MeetingRecordForm",
        "surveillance.packs.forms.MemberReturnForm",
        "surveillance.intelligence.forms.WidenForm",
    ):
        again = form_on_page(client.get(url).content.decode(), trip.field)
        assert set(chosen) <= set(again["values"].get(trip.field, []))


def forms_nhs_errors(response) -> list[str]:
    body = response.content.decode()
    return re.findall(r'nhsuk-error-message"[^>]*>(.*?)</span>\s*</?\w', body, re.S) or [
        body[:3000]
    ]
