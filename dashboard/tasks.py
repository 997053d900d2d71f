"""Background jobs of the dashboard: thin, idempotent, keyword-only ids.

Each task claims its qsg.Job row with a conditional update (qsg.jobs.claim), so a task
delivered twice does the work once. Each is a qsg.jobs.JobTask: retried with back-off while the
database cannot be reached, its job marked failed when the retries run out.
"""

from __future__ import annotations

from celery import shared_task

from qsg import broker, jobs

from . import services


class ImportTask(jobs.JobTask):
    def job_of(self, kwargs: dict) -> str | None:
        from .models import ImportBatch

        batch = ImportBatch.objects.filter(pk=kwargs.get("batch_id")).values("job_id").first()
        return batch["job_id"] if batch else None


@shared_task(name="dashboard.import_observations", ignore_result=True, base=ImportTask)
def import_observations(*, batch_id: int) -> None:
    services.import_run(batch_id=batch_id)


@shared_task(name="dashboard.recompute", ignore_result=True, base=jobs.JobTask)
def recompute(*, job_id: str) -> None:
    services.recompute_run(job_id=job_id)


@shared_task(name="dashboard.nightly_recompute", ignore_result=True, base=jobs.JobTask)
def nightly_recompute() -> None:
    """Beat: recompute every series (new engine versions, catalogue changes, safety net)."""
    services.recompute_request(full=True)


def _send_import(job) -> None:
    from .models import ImportBatch

    broker.publish(import_observations, {"batch_id": ImportBatch.objects.get(job=job).pk})
