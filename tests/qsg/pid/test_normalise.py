"""Normalisation before matching: what is read, and where findings point in the text as
typed (plain pytest: no Django, no database)."""

from __future__ import annotations

import pytest

from qsg.pid import screen
from qsg.pid._text import normalise


def spans(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in screen(text)]


def test_ascii_text_keeps_its_offsets():
    norm = normalise("call O77OO 9OO123")
    assert norm.text == "call 07700 900123"
    assert norm.span(5, 17) == (5, 17)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("\uff2d\uff52\uff53", "Mrs"),  # full-width letters
        ("k.dunn\uff20example.com", "k.dunn@example.com"),  # full-width at sign
        ("D\u200bO\u200dB", "DOB"),  # zero-width space and joiner
        ("bi\u00adrth", "birth"),  # soft hyphen
        ("\u041crs \u0421astle", "Mrs Castle"),  # Cyrillic capitals
        ("\u039cr \u039frwell", "Mr Orwell"),  # Greek capitals
        ("\u041c\u0433", "Mr"),  # Cyrillic small ghe reads as r
        ("\u0669\u0664\u0663", "943"),  # Arabic-Indic digits
        ("l2O", "120"),  # look-alike letters inside a number
        ("SO14 0AA", "SO14 0AA"),  # but not in a token with other letters
        ("Zolt\u00e1n", "Zolt\u00e1n"),  # accented letters are letters
    ],
)
def test_what_is_read(typed, read):
    assert normalise(typed).text == read


def test_findings_point_at_the_text_as_typed():
    text = "Family of \u041crs\u200b Hollis (D\u200bO\u200bB 02/11/1937) called."
    found = spans(text)
    assert found == [
        ("personal_name", "\u041crs\u200b Hollis"),
        ("date_of_birth", "D\u200bO\u200bB 02/11/1937"),
    ]


def test_a_number_over_several_lines_is_one_finding_on_its_first_line():
    text = "Resident\n943\n476\n5919\nmoved"
    (finding,) = screen(text)
    assert finding.kind == "nhs_number"
    assert (finding.line, finding.last_line) == (2, 4)
    assert finding.where == "lines 2 to 4, from character 1"
    assert finding.excerpt == "943\n***\n****"


@pytest.mark.parametrize(
    "text",
    [
        "jane dot doe at example dot com",
        "jo.baker [at] example [dot] org",
        "sarah(at)example.co.uk",
        "Reply to a.nowak AT example DOT com",
        "Email: tom at example.com",
    ],
)
def test_spelled_out_addresses(text):
    assert [k for k, _ in spans(text)] == ["email"]


@pytest.mark.parametrize(
    "text",
    [
        "Guidance published at gov.uk last week.",
        "Staff at the trust dot every i.",
        "Meet at the hospital at 10.",
        "The email at the top of the thread.",
    ],
)
def test_at_and_dot_in_prose_are_not_addresses(text):
    assert spans(text) == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Hospital number RX4471902 on the band", "RX4471902"),
        ("MRN: 00723841", "00723841"),
        ("hosp. no. K2291834", "K2291834"),
        ("unit no is 0093371", "0093371"),
        ("Hosp No: RTH 449 2103", "RTH 449 2103"),
    ],
)
def test_hospital_numbers_after_a_cue(text, number):
    ((kind, matched),) = spans(text)
    assert kind == "hospital_number"
    assert matched.endswith(number)


@pytest.mark.parametrize(
    "text",
    [
        "Hospital numbers are up 12%.",
        "MRN not recorded on 40% of samples.",
        "Unit number 4 is the stores.",
        "The hospital number one priority is flow.",
    ],
)
def test_hospital_number_cues_without_a_number(text):
    assert spans(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Margaret Holt, 87, was found on the floor.",
        "Dennis Whitaker (aged 79) waited.",
        "An 84-year-old, Irene Castle, was discharged.",
        "Graham Pollard of 14 Weaver Street complained.",
        "Her son Liam Forde phoned.",
        "Patient: Smith, John (84).",
    ],
)
def test_names_without_a_title_beside_an_age_address_or_role(text):
    assert [k for k, _ in spans(text)] == ["personal_name"]


@pytest.mark.parametrize(
    "text",
    [
        "Mary Seacole House, 14 Park Road, is a rehab unit.",
        "Rose Court Care Home, 12 Church Lane.",
        "Milton Keynes University Hospital, aged estate.",
        "Kate Morrison complained.",  # no cue: not detected (documented)
        "Woman, 84, left in a corridor.",
    ],
)
def test_places_and_bare_names_pass(text):
    assert spans(text) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("the family of mrs crabtree", True),
        ("spoke to dr pemberton", True),
        ("MR ACHTERBERG COMPLAINED", True),
        ("meeting on ms teams", False),
        ("mr tablets were late", False),
        ("staff miss breaks", False),
        ("MR imaging backlog", False),
        ("Nurse Practitioner post vacant", False),
        ("Sister Okafor was in charge", True),
    ],
)
def test_titles_in_any_case(text, found):
    assert bool(spans(text)) is found
