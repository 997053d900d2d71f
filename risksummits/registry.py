"""What risk summits add to the registries below them: navigation, home panels, the provider
page's section, the API, the demo, the summit PDF's job kind and the regional view's summit
source. Called only from `RisksummitsConfig.ready()` (see docs/architecture.md, "Extension
points")."""

from __future__ import annotations


def register() -> None:
    from qsg import broker, jobs, navigation, vocabulary
    from qsg.api.router import router
    from qsg.demo import register_seeder
    from surveillance.regional.selectors import register_summit_source

    from . import api, demo, demo_rapid_review, regional, tasks
    from .services.documents import PDF_KIND
    from .views import sections

    register_summit_source("risk-summits", regional.summits_for_region)
    jobs.register(
        PDF_KIND,
        label="Risk summit PDF",
        retry=tasks.retry_summit_pdf,
        restrict=tasks.jobs_in_ring,
    )

    navigation.register_nav(
        navigation.NavItem(
            lambda: vocabulary.term("risk_summits", capital=True),
            "risksummits:list",
            order=60,
            visible=sections.nav_visible,
        )
    )
    navigation.register_home_panel(
        navigation.HomePanel(
            "risk-summit-alerts",
            "risksummits/panels/alerts.jinja",
            sections.home_alerts,
            order=5,
        )
    )
    navigation.register_home_panel(
        navigation.HomePanel(
            "risk-summits-mine",
            "risksummits/panels/my_summits.jinja",
            sections.home_my_summits,
            order=30,
        )
    )
    navigation.register_detail_section(
        "provider",
        navigation.DetailSection(
            "risk-summits",
            "risksummits/sections/provider.jinja",
            sections.provider_section,
            order=80,
        ),
    )
    navigation.register_detail_section(
        "escalation",
        navigation.DetailSection(
            "rapid-reviews",
            "risksummits/sections/escalation.jinja",
            sections.escalation_section,
            order=10,
        ),
    )
    api.register(router)
    register_seeder("risk-summits", demo.seed, order=80)
    register_seeder("rapid-reviews", demo_rapid_review.seed, order=96)
    jobs.register_requeue(
        PDF_KIND, lambda job: broker.publish(tasks.render_summit_pdf, {"job_id": str(job.pk)})
    )
