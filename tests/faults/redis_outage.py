"""Fault: Redis (cache and Celery broker) hangs, then dies, while people use the site.

    .venv/bin/python tests/faults/redis_outage.py

On a throwaway stack (tests/stack), with traffic from several logged-in people throughout:

1. Redis frozen (SIGSTOP: connections open but nothing answers, the worst case for timeouts),
   then Redis killed (connections refused), each for a while;
2. during both: pages keep serving (no 5xx) and no request takes longer than a few seconds;
   /readyz says the cache is down; asking for a PDF and posting an import answer at once and
   say the job could not be started (status "not_queued") instead of hanging;
3. Redis back: the jobs that could not be queued are queued again by beat without anyone
   asking, and finish; the "new intelligence" e-mails raised during the outage are sent, once.

Each person asks for the pages of their own QSG, and every page must answer 200 before the fault.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import uuid

import requests
from common import JOB_ID, Checks, Stack, Traffic, job, log, login, summary, wait_job

FINISHED = {"succeeded", "failed", "not_queued"}
LIMIT = 5.0  # seconds: "nothing hangs a request for longer than a few seconds"


def token_of(stack: Stack, query: str) -> str:
    out = stack.manage(
        "shell",
        "-c",
        "from qsg.accounts.services import token_issue; from qsg.models import User; "
        f"u = User.objects.filter({query}).order_by('pk').first(); "
        "print('TOKEN', token_issue(user=u, name='faults', scope='read_write', "
        "origin='account_page', two_factor_verified=True)[1])",
    )
    return next(line.split()[1] for line in out.splitlines() if line.startswith("TOKEN "))


def csv_file(provider: str) -> bytes:
    rows = ["provider,indicator,period,value,numerator,denominator"]
    rows += [
        f"{code},SHMI,2019-{m:02d},{100 + m:.1f},," for m in range(1, 13) for code in [provider]
    ]
    return ("\n".join(rows) + "\n").encode()


def main() -> int:
    checks = Checks("Redis hangs, then stops, under load")
    with Stack("faults-redis") as stack:
        stack.start_all()
        gm = stack.sql("SELECT id FROM qsg_qsg WHERE name = 'Greater Manchester QSG'")
        meeting = stack.sql(
            "SELECT m.id FROM surveillance_meeting m JOIN surveillance_meetingnote n "  # noqa: S608
            f"ON n.meeting_id = m.id WHERE m.qsg_id = {gm} AND n.status = 'published' LIMIT 1"
        )
        provider = stack.sql(f"SELECT ods_code FROM qsg_provider WHERE qsg_id = {gm} LIMIT 1")  # noqa: S608
        lancs = stack.sql("SELECT id FROM qsg_qsg WHERE name = 'Lancashire QSG'")
        # Each person asks for the pages of their own QSG: Lancashire's people do not see Greater
        # Manchester's (an earlier version asked them to, and counted the 404s as traffic).
        people = [
            ("gm.secretariat", gm),
            ("gm.chair", gm),
            ("gm.icb", gm),
            ("gm.cqc", gm),
            ("lancs.secretariat", lancs),
            ("lancs.icb", lancs),
        ]
        sessions = [login(stack, name) for name, _ in people]
        token = token_of(stack, "groups__name='Analysts'")
        member = requests.Session()
        member_token = token_of(stack, "username='gm.icb'")
        member.headers["Authorization"] = f"Token {member_token}"
        gm_provider = stack.sql(f"SELECT id FROM qsg_provider WHERE qsg_id = {gm} LIMIT 1")  # noqa: S608
        submitted: list[str] = []
        api = requests.Session()
        api.headers["Authorization"] = f"Token {token}"

        def pages_of(qsg: str) -> list[str]:
            meeting_of = stack.sql(
                f"SELECT id FROM surveillance_meeting WHERE qsg_id = {qsg} ORDER BY id LIMIT 1"  # noqa: S608
            )
            ods = stack.sql(
                f"SELECT ods_code FROM qsg_provider WHERE qsg_id = {qsg} ORDER BY id LIMIT 1"  # noqa: S608
            )
            return [
                "/",
                f"/dashboard/qsgs/{qsg}/",
                f"/meetings/{meeting_of}/agenda/",
                f"/qsgs/{qsg}/meetings/",
                "/risk-summits/",
                "/actions/",
                "/api/v1/me/",
                f"/api/v1/observations/?ods_code={ods}",
            ]

        paths = [pages_of(qsg) for _, qsg in people]
        secretariat = sessions[0]
        redis_pid = stack.processes["redis"].pid
        outage_jobs: list[str] = []

        with Traffic(stack, sessions, paths, timeout=30) as traffic:
            time.sleep(8)
            before = time.monotonic()
            flowing = traffic.between(0, before)
            checks.check(
                bool(flowing) and all(r[2] == 200 for r in flowing),
                "traffic flowing before the fault, every page 200 to its person",
                summary(flowing),
            )
            for phase, freeze in (("frozen (SIGSTOP)", True), ("killed", False)):
                start = time.monotonic()
                if freeze:
                    os.kill(redis_pid, signal.SIGSTOP)
                else:
                    stack.stop("redis", signal.SIGKILL)
                log(f"Redis {phase}")
                time.sleep(3)

                t = time.monotonic()
                ready = stack.readyz()
                took = time.monotonic() - t
                checks.check(
                    not ready.get("checks", {}).get("cache", {}).get("ok", True) and took < LIMIT,
                    f"Redis {phase}: /readyz reports the cache down within {LIMIT:.0f} s",
                    f"{took:.1f} s",
                )

                t = time.monotonic()
                asked = secretariat.post(
                    f"{stack.base_url}/meetings/{meeting}/note/pdf/",
                    data={"csrfmiddlewaretoken": secretariat.cookies.get("csrftoken", "")},
                    allow_redirects=False,
                    timeout=30,
                )
                took = time.monotonic() - t
                found = JOB_ID.search(asked.headers.get("Location", ""))
                checks.check(
                    asked.status_code == 302 and took < LIMIT,
                    f"Redis {phase}: asking for a PDF answers within {LIMIT:.0f} s",
                    f"{asked.status_code} in {took:.1f} s",
                )
                response = secretariat.get(
                    stack.base_url + asked.headers.get("Location", "/"), timeout=30
                )
                row = job(stack, found.group(1)) if found else {}
                checks.check(
                    row.get("status") == "not_queued"
                    and "background service is not available" in response.text,
                    f"Redis {phase}: the PDF job is 'not_queued' and the page says so",
                    row.get("status"),
                )
                if found:
                    outage_jobs.append(found.group(1))

                t = time.monotonic()
                response = api.post(
                    f"{stack.base_url}/api/v1/observations/import/",
                    files={"file": ("outage.csv", csv_file(provider), "text/csv")},
                    headers={"Idempotency-Key": f"outage-{phase}"},
                    timeout=30,
                )
                took = time.monotonic() - t
                body = (
                    response.json()
                    if response.headers.get("Content-Type", "").startswith("application/json")
                    else {}
                )
                checks.check(
                    response.status_code == 202 and took < LIMIT,
                    f"Redis {phase}: an import posted to the API answers within {LIMIT:.0f} s",
                    f"{response.status_code} in {took:.1f} s",
                )
                checks.check(
                    body.get("status") == "not_queued",
                    f"Redis {phase}: the import's job is 'not_queued' and the API says so",
                    f"{body.get('status')}: {body.get('message')}",
                )
                if body.get("job"):
                    outage_jobs.append(body["job"])

                key = f"outage-{uuid.uuid4()}"
                t = time.monotonic()
                response = member.post(
                    f"{stack.base_url}/api/v1/intelligence/",
                    json={
                        "qsg": int(gm),
                        "providers": [int(gm_provider)],
                        "summary": "Agency staff on the wards at night, reported by a matron",
                        "details": "Wards relied on agency nurses for most night shifts last month.",
                        "source_type": "staff",
                        "quality_dimension": "safety",
                        "observed_from": "2026-10-01",
                        "source_reliability": "B",
                        "information_certainty": 2,
                    },
                    headers={"Idempotency-Key": key},
                    timeout=30,
                )
                took = time.monotonic() - t
                checks.check(
                    response.status_code == 201 and took < LIMIT,
                    f"Redis {phase}: intelligence submitted through the API is accepted within "
                    f"{LIMIT:.0f} s",
                    f"{response.status_code} in {took:.1f} s",
                )
                if response.status_code == 201:
                    submitted.append(key)

                time.sleep(12)
                end = time.monotonic()
                during = traffic.between(start, end)
                errors = [r for r in during if r[2] >= 500 or r[4]]
                slow = [r for r in during if r[1] > LIMIT]
                checks.check(
                    bool(during) and not errors,
                    f"Redis {phase}: pages kept serving, no 5xx or failed request",
                    summary(during),
                )
                checks.check(
                    not slow,
                    f"Redis {phase}: no page took longer than {LIMIT:.0f} s",
                    f"{len(slow)} slow: {sorted({r[3] for r in slow})[:5]}",
                )
                if freeze:
                    os.kill(redis_pid, signal.SIGCONT)
                    log("Redis thawed (SIGCONT)")
                    time.sleep(3)

            # Redis back, on the same port.
            stack.start_redis()
            back = time.monotonic()
            time.sleep(10)
            after = traffic.between(back, time.monotonic())
            errors = [r for r in after if r[2] >= 500 or r[4]]
            checks.check(
                bool(after) and not errors,
                "Redis back: pages serve without restarting anything",
                summary(after),
            )

        log("waiting for beat to queue again the jobs that could not be queued")
        for job_id in outage_jobs:
            row = wait_job(stack, job_id, {"succeeded", "failed"}, 200)
            checks.check(
                row.get("status") == "succeeded",
                f"job {row.get('kind')} from the outage queued again by itself and finished",
                row.get("status"),
            )
        for key in submitted:
            rows = stack.sql(
                f"SELECT count(*) FROM surveillance_intelligenceitem WHERE idempotency_key = '{key}'"  # noqa: S608
            )
            checks.check(
                rows == "1", "intelligence accepted during the outage is stored once", rows
            )
        for key in submitted:
            # The "new intelligence" e-mail raised while the broker was down: kept, then sent by
            # beat's sweep, once (one row, taken by one worker once).
            item = stack.sql(
                f"SELECT id FROM surveillance_intelligenceitem WHERE idempotency_key = '{key}'"  # noqa: S608
            )
            query = (
                "SELECT string_agg(status || ' attempts=' || attempts || ' sent_to='"  # noqa: S608
                " || sent_to::text, '; ') FROM qsg_notification"
                f" WHERE body LIKE '%/intelligence/{item}/%'"
            )
            deadline = time.monotonic() + 150
            rows = stack.sql(query)
            while not rows.startswith("sent") and time.monotonic() < deadline:
                time.sleep(2)
                rows = stack.sql(query)
            checks.check(
                rows.startswith("sent attempts=1 ") and ";" not in rows,
                "the e-mail about intelligence submitted during the outage was sent, once",
                rows,
            )
        ready = stack.readyz()
        checks.check(
            all(c.get("ok") for c in ready.get("checks", {}).values())
            or ready.get("checks", {}).get("worker", {}).get("ok") is False,
            "Redis back: /readyz reports the database and cache healthy",
            {k: v.get("ok") for k, v in ready.get("checks", {}).items()},
        )
        deadline = time.monotonic() + 120  # the imports' recomputes
        while time.monotonic() < deadline:
            pending = stack.sql(
                "SELECT count(*) FROM qsg_job WHERE status IN ('queued', 'running')"
            )
            if pending == "0":
                break
            time.sleep(2)
        checks.check(
            pending == "0",
            "no job left queued or running",
            stack.sql(
                "SELECT string_agg(kind || ' ' || status || ' ' || message, '; ') FROM qsg_job "
                "WHERE status IN ('queued', 'running')"
            )
            or "0",
        )
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
