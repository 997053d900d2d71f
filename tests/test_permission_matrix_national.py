"""The permission matrix's national rows (issue 16): every URL the matrix names, as the national
team over region R (`tests.cast.add_national`: its secretariat and its reviewer).

The rule, from the issue: a national group sees its regions read-only as regions see their
locals. So for every case the national people answer as R's reviewer does, except that they
never change anything below them: where the reviewer may write (a POST, PATCH, PUT or DELETE,
or the page of a form that writes), they are refused (403, or 400 naming the group they may
not write to); where the reviewer gets 403 or 404, they get
the same; where the reviewer reads, they read (and, where the reviewer must not find a secret
in the answer, neither may they).

The expectation is derived from the hand-written rules of tests/matrix/ (the reviewer's
classification), not from the access layer under test.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import NATIONAL_PEOPLE, add_national
from tests.signin import log_in
from tests.test_permission_matrix import CASES, RULES, _isolated, _send

READS = frozenset({"GET", "HEAD", "OPTIONS"})

# GET pages the reviewer may open because they hold a form that writes (or start a write):
# the national team reads no form below it.
WRITE_FORMS = {
    "risksummits:trigger": "start a risk summit (the region may, about its locals' providers)",
    "risksummits:rapid-review-start": "start a rapid quality review, likewise",
    "surveillance:local-report-comment": "comment on a local report (the region reviews it)",
    "surveillance:recommendation-create": "recommend to a local group (the region does)",
}
# POSTs that only read: asking for a PDF of what one may read.
READ_POSTS = {
    "risksummits:document-request": "a summit's meeting record as a PDF, for whoever reads it",
}
# Writes into their own (national) group, as the region's reviewer writes into the region: a
# form's answer names only groups they may write to (the API's answer for a group below is 400).
OWN_GROUP_WRITES = {
    "surveillance:intelligence-new": "intelligence submitted to the national group itself",
}
# Secretariats of a group of their own: the national secretariat is one (of the national group),
# so what every secretariat may do wherever it is (B's and C's alike: add an organisation to the
# directory, its own failed jobs and access logs) it may do too; nothing of R, A or B follows.
ANY_SECRETARIAT = frozenset({"secretariat_b", "secretariat_c"})
# ...except what only a local group's secretariat may do: a national group has no providers.
LOCAL_SECRETARIAT_ONLY = {"qsg:provider-create": "providers sit in local groups' footprints"}


def expected(case, url_name: str, username: str) -> str:
    """'ok', 'forbidden' or 'hidden' for one of the national people."""
    if url_name in WRITE_FORMS and "reviewer" in case.ok:
        return "forbidden"
    if url_name in OWN_GROUP_WRITES and "reviewer" in case.ok:
        return "ok"
    if username == "national_secretariat" and case.ok >= ANY_SECRETARIAT:
        return "forbidden" if url_name in LOCAL_SECRETARIAT_ONLY else "ok"
    if "outsider" in case.ok:
        return "ok"  # what anyone signed in may do (in their own groups) touches nothing below
    if "reviewer" in case.hidden:
        return "hidden"
    if "reviewer" in case.forbidden:
        return "forbidden"
    if url_name in READ_POSTS:
        return "ok"
    if case.method not in READS or url_name in WRITE_FORMS:
        return "forbidden"
    return "ok"


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}[{i}]" for n, i in CASES])
def test_national_matrix(name, index, cast):
    add_national(cast)
    case = RULES[name][index]
    if case.public:
        return
    url = reverse(name, kwargs=case.kwargs(cast) or None)
    secret = case.secret(cast) if case.secret else None
    failures = []
    for username in sorted(NATIONAL_PEOPLE):
        want = expected(case, name, username)
        client = Client()
        log_in(client, cast.users[username])
        response = _isolated(lambda client=client: _send(client, case, url, cast))
        status = response.status_code
        body = response.content.decode(errors="replace")
        if status >= 500:
            failures.append(f"{username}: server error {status}")
        elif want == "hidden":
            if status != 404:
                failures.append(f"{username}: got {status}, expected 404 (as the reviewer)")
            if secret and secret in body:
                failures.append(f"{username}: 404 response contains the secret")
        elif want == "forbidden":
            # Refused: 403, or (a write naming a group they cannot write to) the API's 400 with
            # the field's error, or 404 where the object is not theirs to reach that way.
            if status not in (400, 403, 404):
                failures.append(f"{username}: got {status}, expected a refusal (read-only)")
        else:
            if status not in case.ok_status:
                failures.append(
                    f"{username}: got {status}, expected {sorted(case.ok_status)}: {body[:300]}"
                )
            if "reviewer" in case.absent and secret and secret in body:
                failures.append(f"{username}: response contains what they must not see")
    assert not failures, f"{case.method} {url} ({case.label or name}):\n" + "\n".join(failures)
