"""Audiences render in parallel: the job's task sends each members' version to a task of its own
and renders the full pack; whichever finishes the last version marks the job done. Run here
with eager tasks (as the in-process demo profile does): each version is still its own task."""

from __future__ import annotations

import pytest

from qsg import broker
from qsg.models import Job
from surveillance.packs import pdf as pdf_packs
from surveillance.packs import services as sp
from surveillance.packs import tasks
from surveillance.packs.models import PackRecipient, PackVersion

from .factories import pack_scenario


@pytest.fixture
def sent(monkeypatch):
    """Every task the pack's tasks publish, as (task name, kwargs), still run (eagerly)."""
    calls: list[tuple[str, dict]] = []
    publish = broker.publish

    def spy(task, kwargs, **options):
        calls.append((task.name, dict(kwargs)))
        return publish(task, kwargs, **options)

    monkeypatch.setattr(tasks.broker, "publish", spy)
    return calls


def _request(cast, pack, django_capture_on_commit_callbacks) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = sp.meeting_pack_render_request(actor=cast.users["secretariat_a"], pack=pack)
    job.refresh_from_db()
    return job


def test_each_members_version_is_its_own_task_and_the_last_one_finishes_the_job(
    cast, sent, django_capture_on_commit_callbacks
):
    s = pack_scenario(cast)
    job = _request(cast, s["pack"], django_capture_on_commit_callbacks)
    versions = list(PackVersion.objects.filter(pack=s["pack"], number=1))
    assert len(versions) == 3
    assert all(v.status == PackVersion.Status.READY and v.file and v.pages for v in versions)
    members = sorted(v.pk for v in versions if not v.for_secretariat)
    assert (
        sorted(kw["version_id"] for name, kw in sent if name == "surveillance.render_pack_version")
        == members
    )
    assert all(kw["job_id"] == str(job.pk) for _, kw in sent)
    assert job.status == Job.Status.SUCCEEDED and job.progress == 100
    assert job.counts["files"] == 3
    assert job.counts["pages"] == sum(v.pages for v in versions)
    assert PackRecipient.objects.filter(pack=s["pack"], number=1).count() == 2


def test_a_version_whose_task_cannot_be_sent_is_rendered_by_the_job(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    s = pack_scenario(cast)
    publish = broker.publish

    def refuse_versions(task, kwargs, **options):
        if task.name == "surveillance.render_pack_version":
            raise ConnectionError("broker down")
        return publish(task, kwargs, **options)

    monkeypatch.setattr(tasks.broker, "publish", refuse_versions)
    job = _request(cast, s["pack"], django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED and job.counts["files"] == 3
    assert not PackVersion.objects.filter(pack=s["pack"]).exclude(status=PackVersion.Status.READY)


def test_a_failed_version_fails_the_job_and_its_retry_makes_one_file_per_version(
    cast, sent, monkeypatch, django_capture_on_commit_callbacks
):
    s = pack_scenario(cast)
    render = pdf_packs.render_pack_pdf

    def members_fail(doc, dashboard, **kw):
        if not doc["full"]:
            raise RuntimeError("layout failed")
        return render(doc, dashboard, **kw)

    monkeypatch.setattr(pdf_packs, "render_pack_pdf", members_fail)
    job = _request(cast, s["pack"], django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED and "layout failed" in job.error
    stuck = PackVersion.objects.filter(pack=s["pack"]).exclude(status=PackVersion.Status.READY)
    assert stuck.exists() and not stuck.exclude(claim="").exists()  # claims let go

    monkeypatch.setattr(pdf_packs, "render_pack_pdf", render)
    with django_capture_on_commit_callbacks(execute=True):
        sp.meeting_pack_retry(actor=cast.users["secretariat_a"], job=job)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    versions = PackVersion.objects.filter(pack=s["pack"], number=1)
    assert versions.count() == 3
    assert not versions.exclude(status=PackVersion.Status.READY).exists()


def test_a_version_task_does_nothing_for_a_job_that_is_not_running(cast):
    s = pack_scenario(cast)
    job = sp.meeting_pack_render_request(actor=cast.users["secretariat_a"], pack=s["pack"])
    assert job.status == Job.Status.QUEUED
    tasks.render_pack_version.apply(kwargs={"job_id": str(job.pk), "version_id": 1})
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert not PackVersion.objects.filter(pack=s["pack"]).exists()


def test_a_version_whose_content_changed_since_the_job_began_fails_the_job(
    cast, django_capture_on_commit_callbacks
):
    from qsg import jobs

    s = pack_scenario(cast)
    job = sp.meeting_pack_render_request(actor=cast.users["secretariat_a"], pack=s["pack"])
    job = jobs.claim(str(job.pk), stale_after=sp.STALE_AFTER)
    sp.meeting_pack_render(job=job, dispatch=lambda version: True)  # sent, not yet run
    waiting = PackVersion.objects.filter(pack=s["pack"], for_secretariat=False).first()
    assert waiting.status == PackVersion.Status.RENDERING
    PackVersion.objects.filter(pk=waiting.pk).update(content_key="0" * 64)  # as if it changed
    tasks.render_pack_version.apply(kwargs={"job_id": str(job.pk), "version_id": waiting.pk})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == sp.CONTENT_CHANGED

    # Tried again from the failed-jobs page: the current content's versions are made and the
    # job finishes; the row of the old content does not hold it running (which would stop the
    # secretariat asking for a new version).
    with django_capture_on_commit_callbacks(execute=True):
        sp.meeting_pack_retry(actor=cast.users["secretariat_a"], job=job)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    current = PackVersion.objects.filter(pk__in=job.counts["versions"])
    assert waiting.pk not in job.counts["versions"]
    assert len(current) == job.counts["files"] == 3
    assert all(v.status == PackVersion.Status.READY for v in current)
