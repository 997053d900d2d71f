"""Meetings in the registries: navigation, home panels, QSG and provider sections, API, demo,
the note PDF's job kind, and the agenda's own sources (other parts add theirs: regional
feedback from surveillance.regional)."""

from __future__ import annotations


def register() -> None:
    from dashboard import selectors as dashboard_selectors
    from qsg import broker, jobs
    from qsg.api.router import router
    from qsg.demo import register_seeder

    from . import agenda_signals, api, demo, navigation, tasks
    from . import selectors as s
    from .services.pdf import PDF_KIND

    navigation.register()
    dashboard_selectors.register_meeting_window(agenda_signals.next_meeting_window)
    api.register(router)
    register_seeder("meetings", demo.seed, order=50)
    jobs.register_retry(PDF_KIND, tasks.retry_note_pdf, label="Meeting note PDF")
    jobs.register_requeue(
        PDF_KIND,
        lambda job: broker.publish(tasks.render_meeting_note_pdf, {"job_id": str(job.pk)}),
    )
    s.register_agenda_source("matters_arising", "Matters arising", s.source_matters_arising, 10)
    s.register_agenda_source(
        "regular_review", "Providers under regular review", s.source_regular_review, 20
    )
    s.register_agenda_source(
        "business_cycle", "Due under the business cycle", s.source_business_cycle, 30
    )
    s.register_agenda_source(
        "signals", "Dashboard signals since the last meeting", s.source_signals, 35
    )
    s.register_agenda_source(
        "intelligence", "Intelligence for this meeting", s.source_intelligence, 40
    )
