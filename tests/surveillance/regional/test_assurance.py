"""Assurance returns (annex A): questions as data, one return per QSG per month, the region's grid."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from surveillance.regional import assurance
from surveillance.regional import services as sv
from surveillance.regional.models import AssuranceAnswer, AssuranceQuestion, AssuranceReturn

pytestmark = pytest.mark.django_db


def _answers(qsg, rag="green", **overrides):
    return {
        q.pk: {"rag": overrides.get(q.code, rag), "comments": "", "evidence": q.evidence_hint}
        for q in sv.questions_for(qsg)
    }


def test_questions_are_seeded_from_annex_a():
    local = AssuranceQuestion.objects.filter(applies_to="local")
    regional = AssuranceQuestion.objects.filter(applies_to="regional")
    assert local.count() == 18 and regional.count() == 20
    assert local.get(code="1a").text == "QSG chair agreed"
    assert local.get(code="3e").text == "Annual business cycle agreed"
    assert regional.get(code="1b.vii").text.endswith("professional regulators (GMC, NMC)")


def test_one_return_per_qsg_per_month_and_submit_locks(cast):
    sec, qsg = cast.users["secretariat_a"], cast.qsgs["a"]
    month = timezone.localdate()
    sv.assurance_return_save(actor=sec, qsg=qsg, month=month, answers=_answers(qsg, rag=""))
    with pytest.raises(ValidationError) as error:
        sv.assurance_return_save(
            actor=sec, qsg=qsg, month=month, answers=_answers(qsg, rag=""), submit=True
        )
    assert any(key.startswith("rag_") for key in error.value.message_dict)
    first = sv.assurance_return_save(
        actor=sec, qsg=qsg, month=month, answers=_answers(qsg, **{"2b": "red"}), submit=True
    )
    second = sv.assurance_return_save(
        actor=sec, qsg=qsg, month=month, answers=_answers(qsg), submit=True
    )
    assert first.pk == second.pk
    assert AssuranceReturn.objects.count() == 1
    assert AssuranceAnswer.objects.filter(assurance_return=first, rag="red").count() == 1
    with pytest.raises(ValidationError):
        sv.assurance_return_save(actor=sec, qsg=qsg, month=month, answers=_answers(qsg))


def test_pid_and_bad_ratings_are_field_errors(cast):
    sec, qsg = cast.users["secretariat_a"], cast.qsgs["a"]
    answers = _answers(qsg)
    qid = next(iter(answers))
    answers[qid]["comments"] = "Raised by Mr Smith, NHS number 943 476 5919"
    answers[qid]["rag"] = "purple"
    with pytest.raises(ValidationError) as error:
        sv.assurance_return_save(actor=sec, qsg=qsg, month=timezone.localdate(), answers=answers)
    assert {f"rag_{qid}", f"comments_{qid}"} <= set(error.value.message_dict)
    assert not AssuranceReturn.objects.exists()


def test_region_sees_its_locals_ratings_over_time(cast, client_for):
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for qsg_key, month, rag in (
        ("a", last_month, "red"),
        ("a", today, "green"),
        ("b", today, "amber"),
    ):
        qsg = cast.qsgs[qsg_key]
        sv.assurance_return_save(
            actor=cast.users[f"secretariat_{qsg_key}"],
            qsg=qsg,
            month=month,
            answers=_answers(qsg, **{"1a": rag}),
            submit=True,
        )
    grid = assurance.assurance_grid(
        cast.users["reviewer"],
        [cast.qsgs["a"], cast.qsgs["b"]],
        months=assurance.assurance_months(today, count=2),
    )
    assert [[c["rag"] for c in row["cells"]] for row in grid["rows"]] == [
        ["red", "green"],
        ["", "amber"],
    ]
    # Someone from another region sees no cell of it.
    other = assurance.assurance_grid(
        cast.users["secretariat_c"], [cast.qsgs["a"]], months=assurance.assurance_months(today, 2)
    )
    assert all(c["return"] is None for c in other["rows"][0]["cells"])
    page = client_for("reviewer").get(f"/regional/regions/{cast.qsgs['r'].pk}/")
    assert "app-rag--amber" in page.content.decode()


def test_page_double_submit_creates_one_return(cast, client_for):
    qsg = cast.qsgs["a"]
    month = f"{timezone.localdate():%Y-%m}"
    data = {"form_token": "tok-1", "action": "submit"}
    for q in sv.questions_for(qsg):
        data[f"rag_{q.pk}"] = "green"
    client = client_for("secretariat_a")
    url = f"/regional/qsgs/{qsg.pk}/assurance/{month}/"
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert AssuranceReturn.objects.filter(qsg=qsg).count() == 1
    assert AssuranceReturn.objects.get(qsg=qsg).status == "submitted"
    assert client_for("member_a").post(url, data).status_code == 403
    assert client_for("member_c").get(url).status_code == 404
    assert (
        client_for("secretariat_a").get(f"/regional/qsgs/{qsg.pk}/assurance/2026-13/").status_code
        == 404
    )


def test_api_create_is_one_per_month_with_field_errors(cast, client_for):
    qsg = cast.qsgs["a"]
    client = client_for("secretariat_a")
    answers = [{"question": q.pk, "rag": "green"} for q in sv.questions_for(qsg)]
    body = {"qsg": qsg.pk, "month": f"{timezone.localdate():%Y-%m-15}", "answers": answers}
    first = client.post("/api/v1/assurance-returns/", body, content_type="application/json")
    assert first.status_code == 201, first.content
    again = client.post(
        "/api/v1/assurance-returns/", {**body, "submit": True}, content_type="application/json"
    )
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.json()["status"] == "submitted"
    bad = client.post(
        "/api/v1/assurance-returns/",
        {**body, "answers": [{"question": answers[0]["question"], "rag": "purple"}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "answers" in bad.json()
    assert (
        client_for("member_a")
        .post("/api/v1/assurance-returns/", body, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        client_for("member_c")
        .post("/api/v1/assurance-returns/", body, content_type="application/json")
        .status_code
        == 404
    )
    assert client.get("/api/v1/assurance-returns/?qsg=").status_code == 400
    assert client.get("/api/v1/assurance-returns/?page_size=0").status_code == 400


def test_months_still_to_come_are_not_due_rather_than_missing(cast, client_for):
    today = timezone.localdate()
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    grid = assurance.assurance_grid(
        cast.users["reviewer"], [cast.qsgs["a"]], months=assurance.assurance_months(next_month, 2)
    )
    assert [c["future"] for c in grid["rows"][0]["cells"]] == [False, True]
    # The regional view of the quarter after next: its months are to come, not missed.
    ahead = (today.replace(day=1) + dt.timedelta(days=190)).replace(day=1)
    quarter = f"{ahead.year}-Q{(ahead.month - 1) // 3 + 1}"
    url = f"/regional/regions/{cast.qsgs['r'].pk}/?quarter={quarter}"
    page = client_for("reviewer").get(url).content.decode()
    grid = page[page.index('id="assurance-grid"') :]
    assert "Not due yet" in grid
