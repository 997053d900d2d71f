"""After a load run: is everything the clients saw accepted in the database, exactly once?

python tests/load/verify.py LEDGER.json  (against the stack's database; prints JSON)
"""

from __future__ import annotations

import json
import sys
from collections import Counter

import django

django.setup()

from django.apps import apps  # noqa: E402

from dashboard.models import ImportBatch  # noqa: E402
from qsg.models import Job, SubmissionToken  # noqa: E402


def intelligence(entries: list[dict]) -> dict:
    if not entries:
        return {"checked": 0}
    Item = apps.get_model("surveillance", "IntelligenceItem")
    problems = []
    keys = Counter(
        Item.objects.filter(
            idempotency_key__in=[e["key"] for e in entries],
        ).values_list("submitted_by__username", "idempotency_key")
    )
    for e in entries:
        found = keys.get((e["username"], e["key"]), 0)
        markers = Item.objects.filter(summary__contains=e["marker"]).count()
        if found != 1 or markers != 1:
            problems.append({**e, "rows_with_key": found, "rows_with_marker": markers})
    seen = Counter((e["username"], e["key"]) for e in entries)
    return {
        "checked": len(entries),
        "distinct_keys": len(seen),
        "rows_in_database": Item.objects.count(),
        "problems": problems[:20],
        "problem_count": len(problems),
    }


def imports(entries: list[dict]) -> dict:
    problems = []
    for e in entries:
        batches = ImportBatch.objects.filter(job_id=e["job"]).count()
        tokens = SubmissionToken.objects.filter(
            user__username=e["username"], token=e["key"][:80]
        ).count()
        if batches != 1 or tokens != 1:
            problems.append({**e, "batches": batches, "tokens": tokens})
    outcomes = Counter(
        ImportBatch.objects.filter(job_id__in=[e["job"] for e in entries]).values_list(
            "job__status", flat=True
        )
    )
    return {
        "checked": len(entries),
        "job_status": dict(outcomes),
        "problems": problems[:20],
        "problem_count": len(problems),
    }


def jobs() -> dict:
    by = Counter(Job.objects.values_list("kind", "status"))
    return {f"{kind} {status}": n for (kind, status), n in sorted(by.items())}


def pdf_jobs(ids: list[str]) -> dict:
    distinct = set(ids)
    statuses = Counter(Job.objects.filter(pk__in=distinct).values_list("status", flat=True))
    return {"requests": len(ids), "distinct_jobs": len(distinct), "status": dict(statuses)}


if __name__ == "__main__":
    ledger = json.loads(open(sys.argv[1]).read())  # noqa: SIM115
    print(
        json.dumps(
            {
                "intelligence": intelligence(ledger["intelligence"]),
                "imports": imports(ledger["imports"]),
                "pdf_jobs": pdf_jobs(ledger["pdf_jobs"]),
                "jobs": jobs(),
            }
        )
    )
