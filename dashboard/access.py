"""Who sees and changes what in the dashboard, on top of qsg.access.

* The indicator catalogue is readable by anyone logged in with an organisation.
* Observations, SPC results and the matrix: only for providers the person may see
  (qsg.access.providers_for). National and peer aggregates (means, pooled values, limits) are
  not sensitive and are shown to anyone who may see the indicator; another provider's name or
  values outside the person's scope never are.
* Analysts (permission dashboard.load_observations, given to the "Analysts" group) import data
  for any provider, because indicator data is published national data; what they can *view*
  stays scoped like everyone else's. Catalogue edits need dashboard.change_indicator.
* An import's page and error report (which echo the uploaded file) are for the person who
  uploaded it; the job list (status, counts, durations) is for all analysts.
* Not visible: 404. Visible but not yours to change: 403.
"""

from __future__ import annotations

from django.db.models import QuerySet

from qsg import access as qsg_access

from .models import ColumnMapping, ImportBatch, Indicator, Observation, SpcSeries

LOAD = "dashboard.load_observations"
EDIT_CATALOGUE = "dashboard.change_indicator"


def _known(user) -> bool:
    return not qsg_access.principal(user).is_anonymous


def is_analyst(user) -> bool:
    return _known(user) and user.has_perm(LOAD)


def can_edit_catalogue(user) -> bool:
    return _known(user) and user.has_perm(EDIT_CATALOGUE)


def require_analyst(user) -> None:
    qsg_access.require(is_analyst(user))


# Catalogue ------------------------------------------------------------------------------------


def indicators_for(user) -> QuerySet[Indicator]:
    if not _known(user):
        return Indicator.objects.none()
    return Indicator.objects.all()


def indicator_for_user(user, code, *, manage: bool = False) -> Indicator:
    indicator = indicators_for(user).filter(code=str(code).upper()[:40]).first()
    if indicator is None:
        raise qsg_access.not_found()
    if manage:
        qsg_access.require(can_edit_catalogue(user))
    return indicator


def mappings_for(user) -> QuerySet[ColumnMapping]:
    if not is_analyst(user):
        return ColumnMapping.objects.none()
    return ColumnMapping.objects.select_related("fixed_indicator")


# Provider data --------------------------------------------------------------------------------


def observations_for(user) -> QuerySet[Observation]:
    return Observation.objects.filter(provider__in=qsg_access.providers_for(user))


def series_for_user(user, provider_pk, indicator_code) -> SpcSeries:
    provider = qsg_access.provider_for_user(user, provider_pk)
    series = (
        SpcSeries.objects.filter(provider=provider, indicator__code=str(indicator_code).upper())
        .select_related("indicator", "provider", "provider__qsg")
        .first()
    )
    if series is None:
        raise qsg_access.not_found()
    return series


def scope_providers(user, qsg):
    """Providers of a QSG's footprint (`qsg.access.in_footprint`: led there or sitting there
    too; a regional or national group: its locals') that the user may see."""
    return qsg_access.providers_for(user).filter(qsg_access.in_footprint(qsg))


# Imports --------------------------------------------------------------------------------------


def batches_for(user) -> QuerySet[ImportBatch]:
    """The person's own imports."""
    if not is_analyst(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(uploaded_by=user)


def batch_for_user(user, pk) -> ImportBatch:
    try:
        return batches_for(user).select_related("job", "recompute_job").get(pk=int(pk))
    except (ImportBatch.DoesNotExist, TypeError, ValueError):
        raise qsg_access.not_found() from None
