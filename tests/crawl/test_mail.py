"""No marker reaches an e-mail to someone who may not read its object (issue 14, build 7).

Every e-mail the product sends is a `Notification` (qsg/notifications.py). The seed already
drove the actions that mail people (submission and triage, the note's circulation and
publication, the pack, the summit's trigger, participants and guest invitation), and the
regional reviewer comments on QSG A's submitted report through the API, as the regional team
does (`POST /api/v1/local-reports/{id}/comments/`); here the sweeps that raise reminders and alerts run as if weeks had passed, every
notification is delivered to the test mailbox, and each message is read against the readers
of each kind (`expectations.READERS`), recipient by recipient. E-mails carry links, never
content: the regional comment's e-mail carries a link to the report and no word of the comment
or of the report, although its recipients may read both.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from qsg import notifications
from qsg.models import Notification
from risksummits.services.alerts import alerts_send
from surveillance.meetings.services.actions import action_reminders_send
from surveillance.packs.services import return_reminders_send
from tests.signin import log_in

from .expectations import READERS
from .test_crawl import markers_in

pytestmark = pytest.mark.django_db

# What the seed and the sweeps must have mailed (a subject matching each), so that a change
# that stops a kind of e-mail from being sent cannot pass this test by sending nothing.
REGIONAL_COMMENT = r"^The region has commented on your report"
EXPECTED_SUBJECTS = {
    "submission": r"^New intelligence ",
    "triage": r"has been triaged$",
    "note": r"note",
    "pack": r"pack",
    "summit": r"[Rr]isk summit",
    "guest invitation": r"^Invitation to risk summit",
    "action reminder": r": action \S+ was due on",
    "summit alert": r"^Risk summit \S+: (first meeting|action)",
    "regional comment": REGIONAL_COMMENT,
}


def _deliver_everything() -> list[mail.EmailMessage]:
    later = timezone.now() + dt.timedelta(days=45)
    action_reminders_send(today=later.date())
    return_reminders_send(today=later.date())
    alerts_send(now=later)
    Notification.objects.update(status=Notification.Status.QUEUED, sent_to=[])
    mail.outbox.clear()
    for pk in Notification.objects.order_by("pk").values_list("pk", flat=True):
        notifications.deliver(pk)
    return list(mail.outbox)


def _comment_through_the_api(seed) -> str:
    """The reviewer comments on QSG A's submitted report (its sections and the seed's comment
    carry the marker of kind 'reportcomment'); returns the report's address."""
    report = seed.objects["reportcomment"].report
    client = Client()
    log_in(client, seed.cast.users["reviewer"])
    response = client.post(
        f"/api/v1/local-reports/{report.pk}/comments/",
        {"text": f"{seed.m('reportcomment')} said through the API"},
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201, response.content
    return report.get_absolute_url()


def test_no_marker_reaches_the_mail_of_someone_who_may_not_read_it(seed):
    people = {u.email: name for name, u in seed.cast.users.items()}
    report_url = _comment_through_the_api(seed)
    messages = _deliver_everything()
    leaks, unknown = [], set()
    for message in messages:
        (address,) = message.to
        person = people.get(address)
        if person is None:
            unknown.add(address)
            continue
        text = f"{message.subject}\n{message.body}"
        for kind in markers_in(text):
            if person not in READERS[kind]:
                leaks.append(f"{person} was mailed '{kind}' in {message.subject!r}")
    subjects = {m.subject for m in messages}
    print(f"{len(messages)} e-mails, {len(subjects)} subjects, to {len(set(people))} people")
    assert not leaks, "\n".join(leaks)
    assert not unknown, f"mail to people outside the cast: {sorted(unknown)}"
    missing = [
        what
        for what, pattern in EXPECTED_SUBJECTS.items()
        if not any(re.search(pattern, s) for s in subjects)
    ]
    assert not missing, f"no e-mail for {missing}; subjects sent: {sorted(subjects)}"
    commented = [m for m in messages if re.search(REGIONAL_COMMENT, m.subject)]
    assert {people[m.to[0]] for m in commented} == {"secretariat_a"}
    for message in commented:
        text = f"{message.subject}\n{message.body}"
        assert re.search(rf"https?://\S+{re.escape(report_url)}", message.body), text
        assert not markers_in(text), f"the regional comment's e-mail carries words: {text!r}"
