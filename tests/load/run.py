"""The load test, end to end: its own stack, the demo plus load accounts, locust, then checks.

    .venv/bin/python tests/load/run.py                 # 200 users for 5 minutes (make load)
    .venv/bin/python tests/load/run.py --users 40 --run-time 60s

Starts PostgreSQL, Redis, gunicorn, a Celery worker and beat of its own (tests/stack), seeds the
demo and one account per simulated user, runs the mixed scenario in tests/load/locustfile.py
headless and self-stopping, waits for the background jobs to drain, then checks:

- no response was a server error (5xx) or a refused connection;
- every intelligence submission a client saw accepted (201) is in the database exactly once,
  and repeating a submission with the same idempotency key made no second item;
- every import a client saw accepted (202) has one batch and one job, and every job finished;

and prints throughput and p50/p95/p99 per endpoint. Exits non-zero if any check fails.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.load.memory import PeakMemory
from tests.stack import PYTHON, ROOT, Stack, log

HERE = Path(__file__).resolve().parent


def percentile_table(stats_csv: Path) -> tuple[list[dict], dict]:
    rows = list(csv.DictReader(stats_csv.open()))
    table, total = [], {}
    for row in rows:
        entry = {
            "name": f"{row['Type']} {row['Name']}".strip(),
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            "p50": row["50%"],
            "p95": row["95%"],
            "p99": row["99%"],
            "max": row["100%"],
        }
        if row["Name"] == "Aggregated":
            total = entry
        else:
            table.append(entry)
    return sorted(table, key=lambda e: -e["requests"]), total


def print_table(table: list[dict], total: dict) -> None:
    width = max(len(e["name"]) for e in [*table, total])
    print(
        f"{'endpoint':<{width}}  {'requests':>8}  {'fail':>5}  {'req/s':>6}  "
        f"{'p50 ms':>6}  {'p95 ms':>6}  {'p99 ms':>6}  {'max ms':>6}"
    )
    for e in [*table, total]:
        print(
            f"{e['name']:<{width}}  {e['requests']:>8}  {e['failures']:>5}  {e['rps']:>6.1f}  "
            f"{e['p50']:>6}  {e['p95']:>6}  {e['p99']:>6}  {e['max']:>6}"
        )


def wait_for_jobs(stack: Stack, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    pending = "?"
    while time.monotonic() < deadline:
        pending = stack.sql("SELECT count(*) FROM qsg_job WHERE status IN ('queued','running')")
        if pending == "0":
            return pending
        time.sleep(2)
    return pending


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=4)
    parser.add_argument("--run-time", default="5m")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--out", default=str(ROOT / "var" / "load"), help="where results go")
    parser.add_argument(
        "--login-share",
        type=float,
        default=0.1,
        help="share of web users who log in through the form (the rest hold a session already)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the stack's directory")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())

    with Stack(
        "load", web_workers=args.web_workers, web_threads=args.web_threads, keep=args.keep
    ) as stack:
        stack.start_all()
        accounts = out / "accounts.json"
        log(stack.script(HERE / "seed.py", str(accounts), stack.password).strip())
        ledger = out / "ledger.json"
        env = {
            **stack.env,
            "QSG_LOAD_ACCOUNTS": str(accounts),
            "QSG_LOAD_LEDGER": str(ledger),
            "QSG_LOAD_LOGIN_SHARE": str(args.login_share),
        }
        command = [
            PYTHON,
            "-m",
            "locust",
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.spawn_rate),
            "--run-time",
            args.run_time,
            "--stop-timeout",
            "30",
            "--host",
            stack.base_url,
            "--csv",
            str(out / "locust"),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        log(f"locust: {args.users} users, spawn {args.spawn_rate}/s, for {args.run_time}")
        load_before = Path("/proc/loadavg").read_text().split()[:3]
        with PeakMemory(stack) as memory:  # the load and the jobs it left to drain
            locust = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            load_after = Path("/proc/loadavg").read_text().split()[:3]
            (out / "locust.log").write_text(locust.stdout + locust.stderr)
            if not ledger.exists():
                print(locust.stdout[-3000:], locust.stderr[-3000:])
                return 2
            log("locust finished; waiting for background jobs to drain")
            pending = wait_for_jobs(stack, 180)
        if pending != "0":
            failures.append(f"{pending} jobs still queued or running 3 minutes after the load")
        verdict = json.loads(stack.script(HERE / "verify.py", str(ledger)).strip().splitlines()[-1])
        web_errors = [
            line
            for line in stack.tail("web", 100000).splitlines()
            if '"level": "ERROR"' in line and "/readyz" not in line
        ]

    table, total = percentile_table(out / "locust_stats.csv")
    ledger_data = json.loads(ledger.read_text())
    print()
    print(
        f"Load test, {started}; {args.users} users, {args.run_time}; "
        f"gunicorn {args.web_workers}x{args.web_threads} gthread, Celery prefork x2, beat; "
        f"{os.cpu_count()} cores, {platform.platform()}"
    )
    print(
        f"machine load average (1/5/15 min) before: {' '.join(load_before)}, "
        f"after: {' '.join(load_after)} (other work shares these cores)"
    )
    print_table(table, total)
    print()
    peaks = memory.summary()
    print(
        "peak resident memory (VmHWM, sampled every 2 s), MiB: "
        f"gunicorn arbiter {peaks['web']['leader_mib']}, largest web worker "
        f"{peaks['web']['largest_child_mib']} ({peaks['web']['children_seen']} workers seen); "
        f"Celery parent {peaks['worker']['leader_mib']}, largest pool process "
        f"{peaks['worker']['largest_child_mib']} ({peaks['worker']['children_seen']} seen)"
    )
    server_errors = ledger_data["server_errors"]
    print(f"server errors (5xx or refused connection): {len(server_errors)}")
    for entry in server_errors[:10]:
        print("   ", entry)
    if server_errors:
        failures.append(f"{len(server_errors)} server errors")
    if web_errors:
        failures.append(f"{len(web_errors)} ERROR lines in the web log")
        for line in web_errors[:5]:
            print("   ", line[:300])
    if ledger_data["problems"]:
        failures.append(f"{len(ledger_data['problems'])} client-side problems")
        for line in ledger_data["problems"][:5]:
            print("   ", line)
    intel = verdict["intelligence"]
    print(f"intelligence: {json.dumps(intel)}")
    if intel.get("problem_count"):
        failures.append(f"{intel['problem_count']} accepted submissions not in the database once")
    imports = verdict["imports"]
    print(f"imports: {json.dumps(imports)}")
    if imports.get("problem_count"):
        failures.append(f"{imports['problem_count']} accepted imports without exactly one batch")
    bad = {k: v for k, v in imports["job_status"].items() if k != "succeeded"}
    if bad:
        failures.append(f"imports not succeeded: {bad}")
    print(f"PDF jobs: {json.dumps(verdict['pdf_jobs'])}")
    print(f"all jobs (kind status: count): {json.dumps(verdict['jobs'])}")
    failed_jobs = {
        k: v for k, v in verdict["jobs"].items() if k.endswith((" failed", " not_queued"))
    }
    if failed_jobs:
        failures.append(f"jobs failed or not queued: {failed_jobs}")
    if not ledger_data["intelligence"]:
        print("NOTE: no intelligence submissions (the intelligence API is not on this branch)")
    (out / "summary.json").write_text(
        json.dumps(
            {
                "started": started,
                "args": vars(args),
                "total": total,
                "endpoints": table,
                "verdict": verdict,
                "server_errors": len(server_errors),
                "failures": failures,
            },
            indent=2,
        )
    )
    print()
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print("PASSED: no server errors; every accepted submission and import is in the database once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
