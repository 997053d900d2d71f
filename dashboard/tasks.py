"""Background jobs of the dashboard: thin, idempotent, keyword-only ids.

Each task claims its qsg.Job row with a conditional update (services.job_claim), so a task
delivered twice does the work once.
"""

from __future__ import annotations

from celery import shared_task

from qsg import broker, jobs

from . import services


@shared_task(name="dashboard.import_observations", ignore_result=True)
def import_observations(*, batch_id: int) -> None:
    services.import_run(batch_id=batch_id)


@shared_task(name="dashboard.recompute", ignore_result=True)
def recompute(*, job_id: str) -> None:
    services.recompute_run(job_id=job_id)


@shared_task(name="dashboard.nightly_recompute", ignore_result=True)
def nightly_recompute() -> None:
    """Beat: recompute every series (new engine versions, catalogue changes, safety net)."""
    services.recompute_request(full=True)


def _send_import(job) -> None:
    from .models import ImportBatch

    broker.publish(import_observations, {"batch_id": ImportBatch.objects.get(job=job).pk})


jobs.register_requeue(services.IMPORT_KIND, _send_import)
jobs.register_requeue(
    services.RECOMPUTE_KIND, lambda job: broker.publish(recompute, {"job_id": str(job.pk)})
)
