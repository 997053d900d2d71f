"""Property-based and fuzz tests of the PID screener (hypothesis; no Django).

The screener must never crash, must return well-formed findings for any text, and must
always find a valid NHS number written in any supported style inside benign text.
Time is measured, not asserted, for huge inputs: tests/benchmarks/pid_precision_recall.py
reports throughput.
"""

from __future__ import annotations

import functools
import itertools
import os
import random
import re
import time

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from qsg.pid import KINDS, LABELS, screen
from tests.qsg.pid.first_corpus import CORPUS

# `make fuzz` raises the count through QSG_PID_FUZZ_EXAMPLES.
FUZZ = settings(
    max_examples=int(os.environ.get("QSG_PID_FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Characters the patterns care about, to steer the fuzzer into the interesting paths.
PID_ALPHABET = (
    "0123456789 -.()+/@:#'\u2019_\n\r\t\u00a0\u202f\u2013\u200bDrMsOBNHSoWX1AEaxbeT\uff19\u0669"
)
pid_text = st.text(alphabet=PID_ALPHABET, max_size=400)
control_text = st.text(
    alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Nd"]), max_size=300
)
words = st.sampled_from(
    [
        "NHS",
        "number",
        "DOB",
        "born on",
        "Dr",
        "Mrs",
        "Smith",
        "ward",
        "07700",
        "900123",
        "943",
        "476",
        "5919",
        "SW1A",
        "1AA",
        "a@b.co",
        "12/03/1950",
        "March",
        "+44",
        "(0)",
        "-",
        ".",
        " ",
        "\n",
    ]
)
token_text = st.lists(words, max_size=40).map(" ".join)
any_text = st.one_of(st.text(max_size=500), pid_text, control_text, token_text)


def check_well_formed(text: str) -> None:
    findings = screen(text)
    line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    previous_end = 0
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
        assert f.start >= previous_end, "findings overlap or are out of order"
        previous_end = f.end
        assert f.kind in KINDS
        assert f.label == LABELS[f.kind]
        matched = text[f.start : f.end]
        if matched.isascii():
            assert len(f.excerpt) == len(matched), "masking keeps the layout"
        if re.search(r"[\r\n]", matched):
            assert f.kind in {"nhs_number", "phone_number"}, "only a number spans lines"
        line = max(i for i, s in enumerate(line_starts) if s <= f.start)
        last_line = max(i for i, s in enumerate(line_starts) if s <= f.end - 1)
        assert f.line == line + 1
        assert f.last_line == last_line + 1
        assert f.column == f.start - line_starts[line] + 1
        assert f.where.startswith(f"line {f.line}, character") or f.last_line > f.line
        if f.kind == "nhs_number":
            assert sum(c.isdecimal() for c in f.excerpt) <= 3


@FUZZ
@given(any_text)
@example("")
@example("\x00" * 50)
@example("Dr. " * 50)
@example("+(" * 100)
@example("1-" * 200)
@example("a@" * 200)
@example("DOB " * 100)
def test_any_text_gives_well_formed_findings(text):
    check_well_formed(text)


@FUZZ
@given(st.binary(max_size=400))
def test_decoded_bytes_never_crash(data):
    check_well_formed(data.decode("utf-8", errors="replace"))
    check_well_formed(data.decode("latin-1"))


# --- A valid NHS number in benign text is always found ------------------------------


@st.composite
def nhs_numbers(draw) -> str:
    first_nine = draw(st.lists(st.integers(0, 9), min_size=9, max_size=9))
    total = sum(d * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:  # these nine digits have no valid number; shift the last digit
        first_nine[8] = (first_nine[8] + 1) % 10
        total = sum(d * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
    assert check != 10
    digits = "".join(map(str, first_nine)) + str(check)
    # Placeholders ("0000000000", "0123456789") are by design not NHS numbers.
    assume(len(set(digits)) > 1 and digits not in "01234567890" and digits not in "98765432109")
    sep = draw(st.sampled_from([" ", "-", ".", "\u00a0", "\u202f", "\u2013", " - ", "  ", ""]))
    grouping = draw(st.sampled_from([(3, 3, 4), (5, 5), (4, 3, 3), (3, 4, 3), (10,)]))
    parts, i = [], 0
    for n in grouping:
        parts.append(digits[i : i + n])
        i += n
    number = sep.join(parts)
    if draw(st.booleans()):
        number = number.translate(
            str.maketrans("0123456789", "".join(chr(0xFF10 + d) for d in range(10)))
        )
    return number


# Benign surroundings: any text without numerals (a digit next to the number would make
# it part of a longer number, which is by design not an NHS number; superscript and
# circled numerals read as digits after NFKC).
benign = st.text(
    alphabet=st.characters(exclude_categories=["Nd", "Nl", "No", "Cs"]),
    max_size=200,
)


@FUZZ
@given(prefix=benign, number=nhs_numbers(), suffix=benign)
@example(prefix="NHS number:", number="943 476 5919", suffix=".")
@example(prefix="(", number="943-476-5919", suffix=")")
def test_embedded_valid_nhs_number_is_always_found(prefix, number, suffix):
    text = f"{prefix} {number} {suffix}"
    start = len(prefix) + 1
    found = [f for f in screen(text) if f.kind == "nhs_number"]
    assert [(f.start, f.end) for f in found] == [(start, start + len(number))]


@FUZZ
@given(st.lists(st.sampled_from([s.text for s in CORPUS]), min_size=1, max_size=6))
def test_joining_snippets_finds_what_each_finds(parts):
    """Screening is local: snippets on separate lines are found as if screened alone."""
    text = "\n".join(parts)
    expected = sorted(itertools.chain.from_iterable([f.kind for f in screen(p)] for p in parts))
    assert sorted(f.kind for f in screen(text)) == expected


# --- Huge inputs: must finish; the time is printed, not asserted ----------------------


@functools.cache
def _huge_inputs() -> dict[str, str]:
    size = 1_000_000
    rng = random.Random(20240514)
    prose = " ".join(s.text for s in CORPUS)
    return {
        "corpus prose": (prose * (size // len(prose) + 1))[:size],
        "one digit run": "7" * size,
        "digits and spaces": "12 " * (size // 3),
        "digits and dashes": "1-" * (size // 2),
        "titles": "Dr " * (size // 3),
        "initials": "Mr J. " * (size // 6),
        "dob cues": "DOB " * (size // 4),
        "at signs": "a@" * (size // 2),
        "brackets and plus": "+(0)" * (size // 4),
        "random pid alphabet": "".join(rng.choice(PID_ALPHABET) for _ in range(size)),
        "random unicode": "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(size)),
    }


@pytest.mark.parametrize("name", list(_huge_inputs()))
def test_one_megabyte_input_finishes(name, capsys):
    text = _huge_inputs()[name]
    started = time.perf_counter()
    findings = screen(text)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n1 MB {name!r}: {elapsed:.2f} s, {len(findings)} findings")
    assert all(0 <= f.start < f.end <= len(text) for f in findings)
