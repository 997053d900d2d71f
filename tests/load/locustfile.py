"""The mixed load scenario: members, the secretariat, analysts and readers of meeting notes.

Run by tests/load/run.py against a throwaway stack; it reads the seeded accounts from
$QSG_LOAD_ACCOUNTS and writes what the clients saw accepted to $QSG_LOAD_LEDGER when the test
stops, so that the runner can check every accepted submission is in the database exactly once.

Requests are named by route (ids replaced by [id]) so that the statistics are per endpoint.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import string
import threading
import time
import uuid

from locust import HttpUser, between, events, task

ACCOUNTS = json.loads(open(os.environ["QSG_LOAD_ACCOUNTS"]).read())  # noqa: SIM115
LEDGER_PATH = os.environ.get("QSG_LOAD_LEDGER", "ledger.json")
LOGIN_SHARE = float(os.environ.get("QSG_LOAD_LOGIN_SHARE", "0.1"))
_ledger_lock = threading.Lock()
LEDGER: dict[str, list] = {
    "intelligence": [],
    "imports": [],
    "pdf_jobs": [],
    "problems": [],
    "server_errors": [],
}
_counters: dict[str, itertools.count] = {
    kind: itertools.count() for kind in ("members", "secretariat", "analysts", "note_readers")
}
JOB_ID = re.compile(r"/note/pdf/([0-9a-f-]{36})/")


def record(kind: str, entry) -> None:
    with _ledger_lock:
        LEDGER[kind].append(entry)


def account(kind: str) -> dict:
    pool = ACCOUNTS[kind]
    return pool[next(_counters[kind]) % len(pool)]


@events.request.add_listener
def count_server_errors(request_type, name, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    if status >= 500 or (exception is not None and not status):
        record("server_errors", [request_type, name, status, repr(exception)[:200]])


@events.test_stop.add_listener
def write_ledger(environment, **kwargs):
    with _ledger_lock, open(LEDGER_PATH, "w") as fh:
        json.dump(LEDGER, fh)


class WebUser(HttpUser):
    """Someone using the pages with a session, as a browser would."""

    abstract = True
    kind = "members"

    def on_start(self):
        self.me = account(self.kind)
        # Most people logged in earlier in the day; a share log in now, through the form.
        if random.random() >= LOGIN_SHARE and self.me.get("session"):
            self.client.cookies.set("sessionid", self.me["session"])
            response = self.client.get("/", name="/")
            if "/account/login/" in response.url:
                record("problems", f"the session of {self.me['username']} was not accepted")
            return
        self.client.get("/account/login/", name="/account/login/ [GET]")
        response = self.client.post(
            "/account/login/",
            data={
                "username": self.me["username"],
                "password": ACCOUNTS["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="/account/login/ [POST]",
            allow_redirects=False,
        )
        if response.status_code != 302:
            record("problems", f"login of {self.me['username']} gave {response.status_code}")

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")


class Member(WebUser):
    """A member: the home page, their QSG's meetings and agendas, and submitting intelligence."""

    weight = 12
    wait_time = between(2, 6)
    kind = "members"

    @task(4)
    def home(self):
        self.client.get("/", name="/")

    @task(2)
    def meetings(self):
        self.client.get(f"/qsgs/{self.me['qsg']}/meetings/", name="/qsgs/[id]/meetings/")

    @task(3)
    def agenda(self):
        if self.me["meetings"]:
            meeting = random.choice(self.me["meetings"])
            self.client.get(f"/meetings/{meeting}/agenda/", name="/meetings/[id]/agenda/")

    @task(1)
    def actions(self):
        self.client.get("/actions/", name="/actions/")

    @task(4)
    def submit_intelligence(self):
        url = ACCOUNTS.get("intelligence_url")
        if not url:
            return
        key = f"load-{uuid.uuid4()}"
        # Letters only: a run of digits could look like an NHS number to the PID screen.
        marker = "LOADMARK" + "".join(random.choices(string.ascii_uppercase, k=16))
        body = {
            "qsg": self.me["qsg"],
            "providers": random.sample(self.me["providers"], k=1) if self.me["providers"] else [],
            "summary": f"Staffing concerns on the surgical wards {marker}",
            "details": (
                "Several members of staff reported that rotas were short on nights for two weeks. "
                f"Raised at the ward managers' meeting. Reference {marker}."
            ),
            "source_type": "staff",
            "quality_dimension": "safety",
            "observed_from": (dt.date.today() - dt.timedelta(days=14)).isoformat(),
            "source_reliability": "B",
            "information_certainty": 2,
        }
        headers = {
            "Authorization": f"Token {self.me['token']}",
            "Idempotency-Key": key,
        }
        with self.client.post(
            url, json=body, headers=headers, name=f"{url} [POST]", catch_response=True
        ) as response:
            if response.status_code == 201:
                record(
                    "intelligence",
                    {
                        "username": self.me["username"],
                        "key": key,
                        "marker": marker,
                        "id": response.json().get("id"),
                    },
                )
                response.success()
            elif response.status_code >= 500:
                response.failure(f"{response.status_code}")
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
        # One in five submits twice (a double click, a retry after a lost response):
        # the same key must give back the same item, not a second one.
        if random.random() < 0.2:
            with self.client.post(
                url,
                json=body,
                headers=headers,
                name=f"{url} [POST repeat]",
                catch_response=True,
            ) as again:
                if again.status_code in (200, 201):
                    again.success()
                else:
                    again.failure(f"{again.status_code}: {again.text[:200]}")


class Secretariat(WebUser):
    """The secretariat: meetings, agendas and the dashboard matrix, risk summits."""

    weight = 4
    wait_time = between(2, 6)
    kind = "secretariat"

    @task(2)
    def home(self):
        self.client.get("/", name="/")

    @task(3)
    def matrix(self):
        self.client.get(f"/dashboard/qsgs/{self.me['qsg']}/", name="/dashboard/qsgs/[id]/")

    @task(1)
    def signals(self):
        self.client.get(
            f"/dashboard/qsgs/{self.me['qsg']}/signals/", name="/dashboard/qsgs/[id]/signals/"
        )

    @task(3)
    def agenda(self):
        if self.me["meetings"]:
            meeting = random.choice(self.me["meetings"])
            self.client.get(f"/meetings/{meeting}/agenda/", name="/meetings/[id]/agenda/")
            self.client.get(f"/meetings/{meeting}/", name="/meetings/[id]/")

    @task(1)
    def meetings(self):
        self.client.get(f"/qsgs/{self.me['qsg']}/meetings/", name="/qsgs/[id]/meetings/")

    @task(1)
    def risk_summits(self):
        self.client.get("/risk-summits/", name="/risk-summits/")


class Analyst(HttpUser):
    """An analyst loading indicator data through the API and following the import job."""

    weight = 2
    wait_time = between(5, 15)

    def on_start(self):
        self.me = account("analysts")
        self.client.headers["Authorization"] = f"Token {self.me['token']}"

    def _csv(self) -> bytes:
        rows = ["provider,indicator,period,value,numerator,denominator"]
        provider = random.choice(ACCOUNTS["providers"])
        indicator = random.choice(ACCOUNTS["indicators"])
        month = dt.date(2018, 1, 1)
        for i in range(random.randint(6, 24)):
            period = dt.date(
                month.year + (month.month + i - 1) // 12, (month.month + i - 1) % 12 + 1, 1
            )
            rows.append(f"{provider},{indicator},{period:%Y-%m},{random.uniform(1, 100):.3f},,")
        return ("\n".join(rows) + "\n").encode()

    @task(3)
    def import_observations(self):
        key = f"load-import-{uuid.uuid4()}"
        with self.client.post(
            "/api/v1/observations/import/",
            files={"file": ("load.csv", self._csv(), "text/csv")},
            data={"source": "load test"},
            headers={"Idempotency-Key": key},
            name="/api/v1/observations/import/ [POST]",
            catch_response=True,
        ) as response:
            if response.status_code != 202:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            job = response.json()["job"]
            record("imports", {"username": self.me["username"], "key": key, "job": job})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(1)
            status = self.client.get(
                f"/api/v1/import-jobs/{job}/", name="/api/v1/import-jobs/[job]/"
            )
            if status.status_code != 200 or status.json().get("status") in {
                "succeeded",
                "failed",
                "not_queued",
            }:
                break

    @task(2)
    def observations(self):
        provider = random.choice(ACCOUNTS["providers"])
        self.client.get(f"/api/v1/observations/?ods_code={provider}", name="/api/v1/observations/")

    @task(1)
    def signals(self):
        self.client.get(
            f"/api/v1/signals/?qsg={self.me['qsg']}&since=2018-01-01", name="/api/v1/signals/"
        )


class NoteReader(WebUser):
    """A member fetching the PDF of a published meeting note: request, poll, download."""

    weight = 2
    wait_time = between(3, 10)
    kind = "note_readers"

    @task(1)
    def note(self):
        meeting = self.me["meeting"]
        self.client.get(f"/meetings/{meeting}/note/", name="/meetings/[id]/note/")

    @task(2)
    def pdf(self):
        meeting = self.me["meeting"]
        self.client.get(f"/meetings/{meeting}/note/pdf/", name="/meetings/[id]/note/pdf/")
        response = self.client.post(
            f"/meetings/{meeting}/note/pdf/",
            data={"csrfmiddlewaretoken": self.csrf()},
            headers={"Referer": f"{self.host}/meetings/{meeting}/note/pdf/"},
            name="/meetings/[id]/note/pdf/ [POST]",
            allow_redirects=False,
        )
        found = JOB_ID.search(response.headers.get("Location", ""))
        if response.status_code != 302 or not found:
            return
        job = found.group(1)
        record("pdf_jobs", job)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = self.client.get(
                f"/meetings/{meeting}/note/pdf/{job}/", name="/meetings/[id]/note/pdf/[job]/"
            )
            if "download" in status.text and f"/note/pdf/{job}/download/" in status.text:
                self.client.get(
                    f"/meetings/{meeting}/note/pdf/{job}/download/",
                    name="/meetings/[id]/note/pdf/[job]/download/",
                )
                return
            time.sleep(2)
