"""Every URL pattern of the project, and every value of the seed for each of its parameters.

`patterns()` walks `get_resolver()`. Each path parameter gets its values from the database (the
seed): the model it names is read from the API viewset for router URLs, and from
`PAGE_PARAMETERS` (keyed by app, the path segment before the parameter and its name) for pages.
A pattern with several parameters is crawled with every combination that belongs together (the
later object points at the earlier one through its foreign keys), so
`meetings/<pk>/agenda/items/<item_pk>/edit/` is asked for each agenda item of each meeting.
A pattern that is neither crawled nor in `EXEMPT` fails `test_every_url_pattern_is_crawled`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import product

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from surveillance.intelligence.forms import STEP_ORDER

# Patterns not crawled, and why.
EXEMPT = {
    "qsg:logout": "POST only; crawling it would end the crawler's session",
    "qsg:password-reset-confirm": "needs a token mailed to the person; shows no object",
    "qsg:oidc-login": "redirects to the identity provider; shows no object",
    "qsg:oidc-callback": "answers the identity provider's redirect; shows no object",
    "qsg:token-revoke": "POST only; the caller's own API tokens, which hold no restricted words",
    "qsg:job-retry": "POST only (retries a failed job)",
    "api:auth-token": "POST only (makes an API token)",
    "api:observation-import": "POST only (an upload)",
    "api-docs": "the Swagger UI shell; the schema it loads is crawled (api-schema)",
}

# (app namespace, path segment before the parameter, parameter) -> where its values come from:
# "app_label.Model" (every primary key of that model in the seed), "app_label.Model.field"
# (that field of every row), or a list of literal values.
PAGE_PARAMETERS: dict[tuple[str, str, str], str | list[str]] = {
    ("qsg", "organisations", "pk"): "qsg.Organisation",
    ("qsg", "qsgs", "pk"): "qsg.QSG",
    ("qsg", "members", "membership_pk"): "qsg.Membership",
    ("qsg", "people", "role_pk"): "qsg.QSGRole",
    ("qsg", "providers", "pk"): "qsg.Provider",
    ("dashboard", "indicators", "code"): "dashboard.Indicator.code",
    ("dashboard", "qsgs", "pk"): "qsg.QSG",
    ("dashboard", "providers", "pk"): "qsg.Provider",
    ("dashboard", "<pk>", "code"): "dashboard.Indicator.code",
    ("dashboard", "imports", "pk"): "dashboard.ImportBatch",
    ("dashboard", "preview", "pk"): "dashboard.PendingUpload",
    ("surveillance", "qsgs", "qsg_pk"): "qsg.QSG",
    ("surveillance", "quorum", "requirement_pk"): "surveillance.QuorumRequirement",
    ("surveillance", "series", "series_pk"): "surveillance.MeetingSeries",
    ("surveillance", "meetings", "pk"): "surveillance.Meeting",
    ("surveillance", "items", "item_pk"): "surveillance.AgendaItem",
    ("surveillance", "attendance", "row_pk"): "surveillance.Attendance",
    ("surveillance", "records", "passage_pk"): "surveillance.NotePassage",
    ("surveillance", "conclusions", "conclusion_pk"): "surveillance.Conclusion",
    ("surveillance", "actions", "action_pk"): "surveillance.Action",
    ("surveillance", "versions", "number"): "surveillance.NoteVersion.number",
    ("surveillance", "pdf", "job_id"): "qsg.Job",
    ("surveillance", "jobs", "job_id"): "qsg.Job",
    ("surveillance", "files", "version_pk"): "surveillance.PackVersion",
    ("surveillance", "business-plans", "pk"): "surveillance.BusinessPlan",
    ("surveillance", "entries", "entry_pk"): "surveillance.PlanEntry",
    ("surveillance", "drafts", "pk"): "surveillance.IntelligenceItem",
    ("surveillance", "<pk>", "step"): STEP_ORDER,
    ("surveillance", "intelligence", "pk"): "surveillance.IntelligenceItem",
    ("surveillance", "regions", "pk"): "qsg.QSG",
    ("surveillance", "reports", "pk"): "surveillance.LocalReport",
    ("surveillance", "sections", "section_pk"): "surveillance.LocalReportSection",
    ("surveillance", "assurance", "month"): "surveillance.AssuranceReturn.month",
    ("surveillance", "groups", "qsg_pk"): "qsg.QSG",
    ("surveillance", "escalations", "pk"): "surveillance.EscalationRecord",
    ("surveillance", "conclusions", "pk"): "surveillance.Conclusion",
    ("surveillance", "providers", "provider_pk"): "qsg.Provider",
    ("risksummits", "risk-summits", "pk"): "risksummits.RiskSummit",
    ("risksummits", "outcome", "provider_pk"): "qsg.Provider",
    ("risksummits", "participants", "participant_pk"): "risksummits.Participant",
    ("risksummits", "impact", "request_pk"): "risksummits.ImpactAssessmentRequest",
    ("risksummits", "meetings", "meeting_pk"): "risksummits.SummitMeeting",
    ("risksummits", "actions", "action_pk"): "risksummits.SummitAction",
    ("risksummits", "documents", "document_pk"): "risksummits.SummitDocument",
}
# API parameters whose model is not the viewset's.
API_PARAMETERS: dict[tuple[str, str], str] = {
    ("import-jobs", "job"): "qsg.Job",
    ("indicators", "code"): "dashboard.Indicator.code",
}
# Rows that were in the database before the seed (reference data the migrations load, such as
# indicators and themes): one of each model is enough to reach its pages. Set by the crawl.
REFERENCE: dict[type, set] = {}


def reference_rows() -> dict[type, set]:
    """The primary keys of every model's rows, taken before seeding."""
    return {m: set(m.objects.values_list("pk", flat=True)) for m in apps.get_models()}


def _seeded(model, rows: list) -> list:
    before = REFERENCE.get(model, set())
    new = [r for r in rows if r.pk not in before]
    old = [r for r in rows if r.pk in before]
    return new + old[:1]


@dataclass(frozen=True)
class Pattern:
    name: str  # namespaced URL name
    route: str  # the whole route, for messages
    params: tuple[str, ...]
    sources: tuple[object, ...]  # per parameter: a model, (model, field) or list of values
    is_api: bool
    callback: object = None


_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def _segments(route: str) -> list[tuple[str, str]]:
    """(segment before, parameter) for each parameter of a route."""
    out = []
    for match in _PARAM.finditer(route):
        name = match.group("name") or match.group("rname")
        before = route[: match.start()].rstrip("/^")
        previous = re.split(r"/", before)[-1] if before else ""
        if _PARAM.fullmatch(previous or "-"):
            previous = "<pk>"
        out.append((previous.lstrip("^"), name))
    return out


def _source(spec):
    if isinstance(spec, list):
        return spec
    label, model_name, *rest = spec.split(".")
    model = apps.get_model(label, model_name)
    return (model, rest[0]) if rest else model


def _api_model(callback):
    cls = getattr(callback, "cls", None)
    queryset = getattr(cls, "queryset", None)
    if queryset is not None:
        return queryset.model
    return None


def patterns() -> tuple[list[Pattern], dict[str, str]]:
    """(crawlable patterns, {name: why not} for those with a parameter nobody can fill)."""
    found: list[Pattern] = []
    unresolved: dict[str, str] = {}

    def walk(items, prefix, namespaces):
        for item in items:
            if isinstance(item, URLResolver):
                ns = [*namespaces, item.namespace] if item.namespace else namespaces
                walk(item.url_patterns, prefix + str(item.pattern), ns)
                continue
            if not isinstance(item, URLPattern) or not item.name:
                continue
            name = ":".join([*namespaces, item.name])
            if name.startswith("admin:") or name in EXEMPT:
                continue
            route = prefix + str(item.pattern)
            app = namespaces[0] if namespaces else ""
            is_api = app == "api"
            params, sources = [], []
            for segment, param in _segments(route):
                spec = None
                if is_api:
                    spec = API_PARAMETERS.get((segment, param))
                    if spec is None and param == "pk":
                        model = _api_model(item.callback)
                        if model is not None:
                            spec = f"{model._meta.app_label}.{model.__name__}"
                else:
                    spec = PAGE_PARAMETERS.get((app, segment, param))
                if spec is None:
                    unresolved[name] = f"no source for <{param}> after '{segment}/' in {route}"
                    break
                params.append(param)
                sources.append(_source(spec))
            else:
                found.append(
                    Pattern(name, route, tuple(params), tuple(sources), is_api, item.callback)
                )

    walk(get_resolver().url_patterns, "", [])
    return found, unresolved


# Values -----------------------------------------------------------------------------------------


def _fk_ancestors(obj, depth: int = 3) -> set[tuple[type, object]]:
    """(model, pk) of everything `obj` points at through foreign keys, `depth` steps deep."""
    out: set[tuple[type, object]] = set()
    frontier = [obj]
    for _ in range(depth):
        nxt = []
        for o in frontier:
            for f in o._meta.concrete_fields:
                if isinstance(f, models.ForeignKey):
                    target = getattr(o, f.name, None)
                    if target is not None:
                        out.add((type(target)._meta.concrete_model, target.pk))
                        nxt.append(target)
        frontier = nxt
    return out


def _reaches(model, target, depth: int = 3) -> bool:
    frontier = {model}
    for _ in range(depth):
        nxt = set()
        for m in frontier:
            for f in m._meta.concrete_fields:
                if isinstance(f, models.ForeignKey):
                    rel = f.related_model._meta.concrete_model
                    if rel is target:
                        return True
                    nxt.add(rel)
        frontier = nxt
    return False


def _candidates(source) -> list[tuple[object, str]]:
    """(row or None, value for the URL) for one parameter."""
    if isinstance(source, list):
        return [(None, str(v)) for v in source]
    if isinstance(source, tuple):
        model, field = source
        rows = _seeded(model, list(model.objects.order_by("pk")))
        values = []
        for row in rows:
            value = getattr(row, field)
            values.append((row, value.strftime("%Y-%m") if hasattr(value, "strftime") else value))
        return values
    return [(row, str(row.pk)) for row in _seeded(source, list(source.objects.order_by("pk")))]


def urls_for(pattern: Pattern) -> Iterator[str]:
    """Every URL of the pattern for the seed: all values of each parameter, combined only where
    the later object belongs to the earlier one (when its model points at the earlier's); an
    API list also once per value of each id filter."""
    if not pattern.params:
        yield reverse(pattern.name)
        if pattern.is_api:
            yield from filtered_urls(pattern)
        return
    columns = [_candidates(s) for s in pattern.sources]
    ancestors: dict[int, set] = {}
    for combo in product(*columns):
        ok = True
        for i, (row, _) in enumerate(combo):
            for earlier_row, _ in combo[:i]:
                if row is None or earlier_row is None:
                    continue
                earlier_model = type(earlier_row)._meta.concrete_model
                if not _reaches(type(row), earlier_model):
                    continue
                key = id(row)
                if key not in ancestors:
                    ancestors[key] = _fk_ancestors(row)
                if (earlier_model, earlier_row.pk) not in ancestors[key]:
                    ok = False
        if ok:
            kwargs = {p: v for p, (_, v) in zip(pattern.params, combo, strict=True)}
            yield reverse(pattern.name, kwargs=kwargs)


# API list filters -------------------------------------------------------------------------------

# Id filters whose model the filter's own field path does not name.
FILTER_MODELS: dict[str, str] = {"provider": "qsg.Provider"}


def _filter_model(filterset_model, name: str, flt):
    """The model an id filter of a list names, from its field path on the list's model."""
    path = (flt.field_name or name).removesuffix("_id").split("__")
    model = filterset_model
    try:
        for part in path:
            f = model._meta.get_field(part)
            if not f.is_relation:
                return None
            model = f.related_model
        return model
    except FieldDoesNotExist:  # a method filter's name is no field
        spec = FILTER_MODELS.get(name)
        return _source(spec) if spec else None


def list_filters(pattern: Pattern) -> tuple[list[tuple[str, type]], list[str]]:
    """([(parameter, model)], [unresolved parameter]) for the id filters of an API list."""
    from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter, NumberFilter

    cls = getattr(pattern.callback, "cls", None)
    filterset = getattr(cls, "filterset_class", None)
    if (
        filterset is None
        or pattern.params
        or "list" not in (pattern.callback.actions or {}).values()
    ):
        return [], []
    out, unresolved = [], []
    for name, flt in filterset.base_filters.items():
        if isinstance(flt, ModelChoiceFilter | ModelMultipleChoiceFilter):
            out.append((name, flt.queryset.model))
        elif isinstance(flt, NumberFilter):
            model = _filter_model(filterset._meta.model, name, flt)
            if model is None:
                unresolved.append(name)
            else:
                out.append((name, model))
    return out, unresolved


def filtered_urls(pattern: Pattern) -> Iterator[str]:
    """The list once per value of each of its id filters (`?qsg=`, `?meeting=`...)."""
    filters, _ = list_filters(pattern)
    base = reverse(pattern.name)
    for name, model in filters:
        for row in _seeded(model, list(model.objects.order_by("pk"))):
            yield f"{base}?{name}={row.pk}"
