"""NHS numbers, phone numbers and hospital numbers."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ._text import DASH, HS

Candidate = tuple[str, int, int, str]  # kind, start, end, excerpt

# A separator between two groups of digits. Never empty and never starts with a digit,
# so ``\d+(?:SEP\d+)*`` has exactly one way to match any input. A single line break
# separates groups too: a number typed over three lines is still one number.
_TIE = rf"(?:{DASH}|[./_])"
_JOIN = rf"(?:{HS}{{0,2}}{_TIE}{HS}{{0,2}}|{HS}{{0,2}}\r?\n{HS}{{0,2}}|{HS}{{1,3}})"
_SEP = rf"(?:\)?{_JOIN}\(?|\)\(?|\()"
_RUN_RE = re.compile(rf"(?<![^\W_]|\+)(?P<plus>\+)?\(?\d++(?:{_SEP}\d+)*+")
_DIGITS_RE = re.compile(r"\d+")
# A gap of plain space (or one line break) between two digit groups; any other gap
# (dash, dot, slash, underscore, bracket) ties the groups into one number.
# A slash with space around it separates two numbers ("0121 496 0852 / 07700 900853").
_PLAIN_GAP_RE = re.compile(rf"{HS}*(?:\r?\n)?{HS}*|{HS}+/{HS}+")

_NHS_CUE = (
    r"\bN[ .]?H[ .]?S\.?[ _-]{0,3}(?:number|num\.?|no\.?|n[o\u00ba\u00b0]\.?|#|id)?"
    rf"(?:{HS}{{0,3}}(?:is|was|:|-|=))?"
)
_NHS_CUE_BEFORE_RE = re.compile(rf"{_NHS_CUE}{HS}{{0,3}}\Z", re.IGNORECASE)
_NHS_CUE_NEAR_RE = re.compile(_NHS_CUE, re.IGNORECASE)
_CODE_JOINERS = "-/"
# A number its writer has labelled as something else is that something else: about one
# ten-digit order or serial number in eleven passes the check digit by chance.
_OTHER_LABEL_RE = re.compile(
    r"\b(?:(?:purchase\s+)?order|p\.?o\.?|invoice|ticket|serial|account|acct|asset|tag|"
    r"tracking|consignment|batch|lot|claim|contract|isbn|barcode|job|sku|part)"
    r"(?:\s*(?:number|num|no\.?|#|ref(?:erence)?|id))?\s*[:#.=-]?\s*\Z",
    re.IGNORECASE,
)


def nhs_check_ok(digits: str) -> bool:
    if len(set(digits)) == 1 or digits in "01234567890" or digits in "98765432109":
        return False  # "0000 000 000", "0 1 2 3 4 5 6 7 8 9": placeholders, never issued
    values = [int(c) for c in digits]
    total = sum(v * w for v, w in zip(values[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == values[9]


@dataclass(slots=True)
class _Group:
    start: int
    end: int
    digits: str


def mask_digits(s: str, keep: int) -> str:
    out = []
    seen = 0
    for ch in s:
        if ch.isdecimal():
            seen += 1
            out.append(ch if seen <= keep else "*")
        else:
            out.append(ch)
    return "".join(out)


def _is_code_neighbour(text: str, pos: int, direction: int) -> bool:
    """True if the character at ``pos`` glues the number to a code: a letter or digit
    touching it, or a ``-`` or ``/`` with a letter or digit beyond."""
    if not 0 <= pos < len(text):
        return False
    ch = text[pos]
    if ch.isalnum():
        return True
    if ch in _CODE_JOINERS:
        nxt = pos + direction
        return 0 <= nxt < len(text) and text[nxt].isalnum()
    return False


def _phone_ok(text: str, groups: list[_Group], intl: bool) -> bool:
    window_text = text[groups[0].start : groups[-1].end]
    digits = "".join(g.digits for g in groups)
    if not all(len(g.digits) == 1 for g in groups):
        for n, g in enumerate(groups):
            if len(g.digits) >= 2:
                continue
            if n == 0 and intl:
                continue  # a one-digit country code, e.g. +1
            if g.digits == "0" and text[g.start - 1 : g.end + 1] == "(0)":
                continue
            return False
        if len(groups) > 1 and max(len(g.digits) for g in groups) < 3:
            return False  # "01 02 03 04 05": a list of small numbers, not a phone number
    if not intl and digits.startswith("00"):
        intl, digits = True, digits[2:]
    if intl:
        if digits.startswith("44"):
            national = digits[2:]
            if national.startswith("0") and "(0)" in window_text:
                national = national[1:]
            return len(national) in (9, 10) and national[0] != "0"
        return 8 <= len(digits) <= 15 and digits[0] != "0"
    return len(digits) in (10, 11) and digits[0] == "0" and digits[1] != "0"


def _labelled_otherwise(text: str, window: list[_Group]) -> bool:
    start = window[0].start
    return _OTHER_LABEL_RE.search(text, max(0, start - 40), start) is not None


def _nhs_cue_near(text: str, start: int, end: int) -> bool:
    if _NHS_CUE_BEFORE_RE.search(text, max(0, start - 40), start):
        return True
    return _NHS_CUE_NEAR_RE.search(text, end, min(len(text), end + 30)) is not None


def number_candidates(text: str) -> Iterable[Candidate]:
    for run in _RUN_RE.finditer(text):
        base = run.start()
        groups = [
            _Group(m.start(), m.end(), m.group())
            for m in _DIGITS_RE.finditer(text, base, run.end())
        ]
        plus = run.group("plus") is not None
        left_glued = _is_code_neighbour(text, base - 1, -1)
        right_glued = _is_code_neighbour(text, groups[-1].end, +1)
        if not (left_glued or right_glued):
            spread = _spread_out(text, groups, plus)
            if spread is not None:
                yield spread
                continue
        yield from _windows(text, groups, plus, left_glued, right_glued, base)


def _spread_out(text: str, groups: list[_Group], plus: bool) -> Candidate | None:
    """A whole run of small groups that makes exactly one NHS or phone number: digits
    typed one at a time ("9 4 3 4 7 6 5 9 1 9"), or in pairs beside an NHS cue."""
    if plus or len(groups) < 4 or max(len(g.digits) for g in groups) > 2:
        return None
    gaps = {text[a.end : b.start] for a, b in itertools.pairwise(groups)}
    if len(gaps) > 1 and any("." in gap for gap in gaps):
        return None  # "0.5 1.5 2.5": decimals in a list, not one number
    digits = "".join(g.digits for g in groups)
    start, end = groups[0].start, groups[-1].end
    singles = all(len(g.digits) == 1 for g in groups)
    if len(digits) == 10 and nhs_check_ok(digits) and (singles or _nhs_cue_near(text, start, end)):
        return "nhs_number", start, end, mask_digits(text[start:end], 3)
    if singles and len(digits) == 11 and _phone_ok(text, groups, False):
        return "phone_number", start, end, mask_digits(text[start:end], 3)
    return None


def _windows(
    text: str, groups: list[_Group], plus: bool, left_glued: bool, right_glued: bool, base: int
) -> Iterable[Candidate]:
    last = len(groups) - 1
    sizes = [len(g.digits) for g in groups]
    # joined[k]: group k is tied to group k + 1 by a dash, dot, slash or bracket.
    joined = [
        _PLAIN_GAP_RE.fullmatch(text, a.end, b.start) is None for a, b in itertools.pairwise(groups)
    ]
    joined.append(right_glued)
    i = 0
    while i <= last:
        intl = plus and i == 0
        # A window can only start at a group of three or more digits (NHS number), a
        # group starting with 0 (UK phone number) or after a "+"; and not at a group
        # tied to the previous one (that would be the middle of a number).
        first = groups[i].digits
        if (
            not (intl or sizes[i] >= 3 or (sizes[i] == 2 and first[0] == "0"))
            or (i == 0 and left_glued)
            or (i > 0 and joined[i - 1])
        ):
            i += 1
            continue
        phone_possible = intl or first[0] == "0"
        best: tuple[str, int] | None = None
        total = 0
        for j in range(i, last + 1):
            total += sizes[j]
            if total > 15:
                break
            if total < 8 or joined[j]:
                continue
            if total != 10 and not phone_possible:
                continue
            window = groups[i : j + 1]
            kind = None
            whole_run = i == 0 and j == last and not left_glued and not right_glued
            if total == 10 and not intl and _nhs_shape(text, window, whole_run):
                digits = "".join(g.digits for g in window)
                cue = _NHS_CUE_BEFORE_RE.search(text, max(0, window[0].start - 40), window[0].start)
                if cue or (nhs_check_ok(digits) and not _labelled_otherwise(text, window)):
                    kind = "nhs_number"
            if kind is None and phone_possible and _phone_ok(text, window, intl):
                kind = "phone_number"
            if kind is not None:
                best = (kind, j)
        if best is None:
            i += 1
            continue
        kind, j = best
        start, end = groups[i].start, groups[j].end
        if kind == "nhs_number":
            excerpt = mask_digits(text[start:end], 3)
        else:
            if intl:
                start = base
            elif text[start - 1 : start] == "(" and start > 0:
                start -= 1
            raw = text[start:end]
            first_digits = "".join(c for c in raw[:4] if c.isdecimal())
            if raw.startswith("+"):
                keep = 5 if "(0)" in raw else 4
            elif first_digits.startswith("00"):
                keep = 6
            else:
                keep = 3
            excerpt = mask_digits(raw, keep)
        yield kind, start, end, excerpt
        i = j + 1


def _nhs_shape(text: str, window: list[_Group], whole_run: bool) -> bool:
    """Groups of three or more digits; pairs after the first group only when the window
    is the whole run ("999 980 71 78", but not the end of a longer list)."""
    if len(window[0].digits) < 3 or any(len(g.digits) < (2 if whole_run else 3) for g in window):
        return False
    return all(
        "(" not in text[a.end : b.start] and ")" not in text[a.end : b.start]
        for a, b in itertools.pairwise(window)
    )


# ---------------------------------------------------------------------------
# Hospital numbers (MRN, unit number, case-note number): only after a cue
# ---------------------------------------------------------------------------

_GAP = r"[ \t._-]{0,3}"
_HOSP_CUE = (
    r"(?:"
    rf"hosp(?:ital|\.)?{_GAP}(?:number|num\b\.?|no\b\.?|n[o\u00ba\u00b0]\b\.?|#|id\b|ref\b)"
    r"|m\.?r\.?n\b\.?"
    rf"|medical{_GAP}records?{_GAP}(?:number|no\b\.?|#)"
    rf"|(?:unit|case{_GAP}notes?|patient|pas|k){_GAP}(?:number|no\b\.?|#|id\b)"
    r")"
)
_HOSP_FILLER = r"(?:is|was|of|given|as|reads|read|quoted|on|recorded)"
_HOSP_ID = rf"[A-Za-z]{{0,4}}{HS}?(?:\d[ -]?){{4,11}}\d[A-Za-z]?"
_HOSP_RE = re.compile(
    rf"(?<![^\W_]){_HOSP_CUE}"
    rf"(?:{HS}{{0,3}}[:#=\u2013-])?{HS}{{0,3}}"
    rf"(?:{_HOSP_FILLER}{HS}{{1,3}}){{0,2}}"
    rf"(?P<id>{_HOSP_ID})(?![^\W_])",
    re.IGNORECASE,
)


def hospital_number_candidates(text: str) -> Iterable[Candidate]:
    for m in _HOSP_RE.finditer(text):
        ident = m.group("id").rstrip(" -")
        start = m.start("id")
        end = start + len(ident)
        digits = sum(c.isdigit() for c in ident)
        if digits < 5:
            continue
        excerpt = text[m.start() : start] + mask_digits(ident, 0)
        yield "hospital_number", m.start(), end, excerpt
