"""What the dashboard adds to the network core's registries: navigation, home panels, the
provider page's section, the API, the demo seeder and its job kinds. Called only from
`DashboardConfig.ready()` (see docs/architecture.md, "Extension points")."""

from __future__ import annotations


def _uses_dashboard(request) -> bool:
    """A QSG's data to read, or national data to load (an analyst)."""
    from qsg.access import principal

    from . import access

    return bool(principal(request.user).qsg_ids) or access.is_analyst(request.user)


def register() -> None:
    from qsg import demo, navigation
    from qsg.api.router import router

    from . import panels
    from .api import register as register_api
    from .demo import seed_dashboard

    navigation.register_nav(
        navigation.NavItem("Dashboard", "dashboard:home", order=30, visible=_uses_dashboard)
    )
    panels.register()
    register_api(router)
    demo.register_seeder("dashboard", seed_dashboard, order=20)
    register_jobs()


def register_jobs() -> None:
    """Failed imports and recomputes can be tried again from the failed-jobs page."""
    from qsg import broker, jobs

    from . import services, tasks

    jobs.register_retry(services.RECOMPUTE_KIND, _retry_recompute, label="Dashboard recompute")
    jobs.register(
        services.IMPORT_KIND,
        label="Indicator data import",
        retry=_retry_import,
        restrict=_failed_not_rejected,
    )
    jobs.register_requeue(services.IMPORT_KIND, tasks._send_import)
    jobs.register_requeue(
        services.RECOMPUTE_KIND,
        lambda job: broker.publish(tasks.recompute, {"job_id": str(job.pk)}),
    )


def _failed_not_rejected(user, jobs):
    """A file refused for its content is the analyst's to fix (its page lists the problems),
    not an operational failure: leave those off the failed-jobs page."""
    return jobs.exclude(dashboard_import__outcome="rejected")


def _retry_recompute(job, actor) -> bool:
    from qsg import broker, jobs

    from . import tasks

    return jobs.requeue(job, lambda: broker.publish(tasks.recompute, {"job_id": str(job.pk)}))


def _retry_import(job, actor) -> bool:
    from django.core.exceptions import ValidationError

    from qsg import broker, jobs

    from . import tasks
    from .models import ImportBatch

    batch = ImportBatch.objects.filter(job=job).only("pk", "content").first()
    if batch is None or not batch.content:
        raise ValidationError("The file is no longer kept. Upload it again to import it.")
    return jobs.requeue(
        job, lambda: broker.publish(tasks.import_observations, {"batch_id": batch.pk})
    )
