"""The assurance returns' grid: each group's monthly return, its overall rating and its counts
of red and amber, read through the regional access layer (the regional view and a group's page)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from qsg.models import QSG
from surveillance.regional import access as ar
from surveillance.regional.models import AssuranceAnswer, AssuranceReturn

RAG_ORDER = {"red": 0, "amber": 1, "green": 2}


def overall_rag(rags: Iterable[str]) -> str:
    """The worst rating given; "" if nothing was rated."""
    given = [r for r in rags if r]
    return min(given, key=RAG_ORDER.__getitem__) if given else ""


def assurance_months(end: dt.date, count: int = 6) -> list[dt.date]:
    months = []
    day = end.replace(day=1)
    for _ in range(count):
        months.append(day)
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def assurance_grid(user, qsgs: list[QSG], *, months: list[dt.date]) -> dict[str, Any]:
    """QSG x month: each submitted return's overall rating and its counts of red and amber."""
    returns = list(
        ar.assurance_returns_for(user).filter(qsg__in=qsgs, month__in=months).select_related("qsg")
    )
    rags: dict[int, list[str]] = defaultdict(list)
    for ret_id, rag in AssuranceAnswer.objects.filter(
        assurance_return__in=[r.pk for r in returns]
    ).values_list("assurance_return_id", "rag"):
        rags[ret_id].append(rag)
    cells = {(r.qsg_id, r.month): r for r in returns}
    this_month = timezone.localdate().replace(day=1)
    rows = []
    for q in qsgs:
        row = []
        for m in months:
            r = cells.get((q.pk, m))
            given = rags.get(r.pk, []) if r else []
            row.append(
                {
                    "month": m,
                    "return": r,
                    "rag": overall_rag(given) if r else "",
                    "red": given.count("red"),
                    "amber": given.count("amber"),
                    "submitted": bool(r and r.status == AssuranceReturn.Status.SUBMITTED),
                    "future": m > this_month,
                }
            )
        rows.append({"qsg": q, "cells": row})
    return {"months": months, "rows": rows}
