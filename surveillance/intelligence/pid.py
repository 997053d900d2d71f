"""Screen free text for patient-identifiable data (PID) before it is submitted.

Soft intelligence in the QSG workspace is about organisations (trusts, GP practices,
care homes), never about identifiable people. This module is a *pure* screener: stdlib
only, no Django, no I/O. Forms call :func:`screen` on each free-text field and, if it
returns anything, show :func:`describe`'s messages and keep the text in the form so the
user can edit it.

What counts as a hit, and why
-----------------------------

``nhs_number``
    Ten digits that pass the NHS modulus 11 check (weights 10 to 2 on the first nine
    digits, check digit ``11 - remainder``, 11 becomes 0, 10 means "not a valid
    number"). Written plain (``9434765919``) or in groups of three or more digits split
    by spaces, dashes or dots (``943 476 5919``, ``943-476-5919``, ``94347 65919``).
    Ten digits with a wrong check digit are *not* a hit (an order number, a typo'd
    reference), except straight after an "NHS"/"NHS number"/"NHS no." cue: there the
    writer plainly meant an NHS number, and a mistyped one is still nearly identifying.
    The digits must not be part of a longer number: glued to other digits or letters,
    or joined to further digits by a dash, dot or slash (``QSG-2024-9434765919`` is a
    reference, not an NHS number).
    A ten-digit number that passes the check is reported as an NHS number even if it
    could also be dialled; eleven-digit numbers (``07700 900123``) are phone numbers.

``phone_number``
    UK numbers with the trunk 0 (``020 7946 0958``, ``01632 960001``,
    ``07700 900123``, ``0300 311 2233``; 10 or 11 digits) and international numbers
    (``+44 20 7946 0958``, ``+44 (0)161 496 0000``, ``0044 ...``, ``+1 202 555 0123``),
    with spaces, dashes, dots or brackets. *Every* phone number is flagged, including
    switchboards and national lines: the rule is that nobody's contact details go into
    soft intelligence, and the screener cannot tell a ward's direct line or a mobile from
    a switchboard. Short extensions ("extension 4521") and numbers without a trunk 0 or
    country code are not flagged: they are not dialable on their own and collide with
    counts, years and references.

``postcode``
    UK postcodes in the full outward + inward form, following the Royal Mail letter
    rules (``SW1A 1AA``, ``M1 1AE``, ``B33 8TH``, ``CR2 6XH``, ``DN55 1PT``), in
    capitals with or without the space, or in lower case with the space (lower case
    without a space, and ordinals such as "a1 2nd", are too close to ordinary words).
    An outward code alone (``LS1``, ``M62``) is not a hit: it names a district, and it
    collides with ODS codes (``RW3``), roads and wards. Organisations' postcodes are
    flagged too: we cannot tell them from a home address, and the place name will do.

``email``
    ``local@domain.tld``. All addresses, role mailboxes included, for the same reason
    as phone numbers. Obfuscated forms ("jane dot smith at nhs dot net") are not
    attempted.

``date_of_birth``
    A date is only a date of birth in context: after a cue ("DOB", "D.O.B.", "date of
    birth", "birth date", "born", "born on", or a lower-case "b.") optionally followed
    by a few filler words ("is", "was", "of", "on", "the", "recorded as" ...). The date
    must be more precise than a year: 12/03/1950, 12-03-50, 12.03.1950, 12031950,
    1950-03-12, 12 March 1950, 12th of March, March 12, 1950, March 1950, 03/1950.
    A year alone ("aged 84 (born 1940)", "born in 1940") is *not* a hit: it says no
    more than an age, which reports legitimately give ("a 92-year-old resident").
    Dates with no cue (meetings, inspections, incidents) are never hits.

``personal_name``
    A title (Mr, Mrs, Ms, Miss, Mx, Dr, Prof, Professor; with or without a dot; case
    as written) followed by a capitalised name of at least two letters, optionally
    after up to three initials: "Dr J. Smith", "Dr JR Evans", "Mrs O'Neill", "Mr Smith-Jones", "Dr Priya Patel",
    "Mrs Smith's ward". Not hits:

    * a title followed by initials only ("Mrs A", "Mr X"): that is the usual way NHS
      reports anonymise people;
    * job titles without a name ("the Director of Nursing", "the on-call doctor");
    * a title followed by a common sentence-starting word ("... by a Dr. The ward")
      or, after "a/the/another ... Dr.", by any capitalised word (end of sentence);
    * places named after a person, where a capitalised place word follows the name
      ("Dr Gray's Hospital", "Dr Jenner Ward", "the Dr Smith Report");
    * the allow-list below (organisations and products whose names begin with a title).

    Names without a title, lower-case titles ("dr smith") and all-capitals names
    ("MRS SMITH") are not detected: without a title a name cannot be told from a
    place or a product by rules like these. "Station Dr Leeds" (Drive) would be
    flagged; an address is worth removing anyway.

Overlaps are resolved by precedence: email, date of birth, NHS number, phone number,
postcode, personal name (so "Dr.Smith@nhs.net" is one email address, not a name).

Masking
-------
The ``excerpt`` is enough to find the text again, not enough to re-identify anyone:
NHS numbers keep their first three digits ("943 *** ****"), phone numbers their first
three (or the country code and two more: "+44 20 **** ****"), postcodes their outward
code ("SW1A ***"), email addresses the first character of the local part and the domain
("j*********@nhs.net"), dates of birth their cue ("DOB **/**/****") and names their title
and initials ("Dr J. S****"). Each hidden character becomes one "*", so the layout still
matches what the user typed.

Text handling
-------------
Offsets (``start``, ``end``) and columns count Unicode code points, like Python
strings. Lines are split at ``\\r\\n``, ``\\n`` and ``\\r`` (what a browser textarea
submits). Any Unicode decimal digit counts as a digit (a number typed with full-width
or Arabic-Indic digits is still a number); non-breaking, narrow, thin and figure spaces,
zero-width spaces and soft hyphens are accepted as separators, as are hyphen, en dash,
em dash and minus sign. Postcode letters are ASCII only.

Performance
-----------
Every pattern is linear: no nested quantifiers over overlapping character sets, every
repetition bounded or followed by a disjoint separator (and possessive where nothing
needs to be given back), and each pattern can only start at the beginning of a token (a
look-behind rejects starts mid-token), so a long run of digits or letters is scanned
once, not once per position. Python work after the regexes is bounded per digit group
(a number is at most 15 digits) and per title (at most a few words are examined).
tests/benchmarks/pid_precision_recall.py measures throughput on 1 MB inputs, including
adversarial ones.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["KINDS", "LABELS", "Finding", "Kind", "describe", "screen"]

Kind = Literal["nhs_number", "date_of_birth", "postcode", "phone_number", "email", "personal_name"]

LABELS: dict[str, str] = {
    "nhs_number": "an NHS number",
    "date_of_birth": "a date of birth",
    "postcode": "a postcode",
    "phone_number": "a phone number",
    "email": "an email address",
    "personal_name": "a person's name",
}
KINDS: tuple[str, ...] = tuple(LABELS)

# Lower number wins when two findings overlap.
_PRECEDENCE = {
    "email": 0,
    "date_of_birth": 1,
    "nhs_number": 2,
    "phone_number": 3,
    "postcode": 4,
    "personal_name": 5,
}


@dataclass(frozen=True, order=True)
class Finding:
    """One suspected piece of PID in the screened text.

    ``start``/``end`` are offsets into the text (``text[start:end]`` is the match);
    ``line`` and ``column`` are 1-based and point at ``start``. A match never spans a
    line break.
    """

    start: int
    end: int
    kind: Kind
    excerpt: str
    line: int = 1
    column: int = 1
    label: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in LABELS:
            raise ValueError(f"unknown PID kind {self.kind!r}")
        if not 0 <= self.start < self.end:
            raise ValueError("a finding needs 0 <= start < end")
        object.__setattr__(self, "label", LABELS[self.kind])

    @property
    def last_column(self) -> int:
        """1-based column of the last character of the match."""
        return self.column + (self.end - self.start) - 1

    @property
    def where(self) -> str:
        """Human location, e.g. ``"line 2, characters 15 to 26"``."""
        if self.last_column == self.column:
            return f"line {self.line}, character {self.column}"
        return f"line {self.line}, characters {self.column} to {self.last_column}"


# ---------------------------------------------------------------------------
# Character classes
# ---------------------------------------------------------------------------

# Horizontal white space, including the invisible characters that arrive from
# copy-and-paste (zero-width space/joiners, word joiner, soft hyphen, BOM).
_HS = "[ \t\u00a0\u2007\u2009\u202f\u200b\u200c\u200d\u2060\u00ad\ufeff]"
_DASH = "[-\u2010\u2011\u2012\u2013\u2014\u2212]"
_LETTER = r"[^\W\d_]"  # any Unicode letter

# ---------------------------------------------------------------------------
# Digit runs (NHS numbers and phone numbers)
# ---------------------------------------------------------------------------

# A separator between two groups of digits. Never empty and never starts with a
# digit, so ``\d+(?:SEP\d+)*`` has exactly one way to match any input.
_JOIN = rf"(?:{_HS}{{0,2}}(?:{_DASH}|\.){_HS}{{0,2}}|{_HS}{{1,3}})"
_SEP = rf"(?:\)?{_JOIN}\(?|\)\(?|\()"
_RUN_RE = re.compile(rf"(?<![\w+])(?P<plus>\+)?\(?\d++(?:{_SEP}\d+)*+")
_DIGITS_RE = re.compile(r"\d+")
# A gap of plain (possibly invisible) space between two digit groups; any other gap
# (dash, dot, bracket) ties the groups into one number.
_PLAIN_GAP_RE = re.compile(f"{_HS}+")

_NHS_CUE_RE = re.compile(
    rf"\bNHS{_HS}{{0,3}}(?:number|num\.?|no\.?|n[o\u00ba\u00b0]\.?|#)?(?:{_HS}{{0,3}}(?:is|was|:|-|=))?{_HS}{{0,3}}\Z",
    re.IGNORECASE,
)
_CODE_JOINERS = "-/_"


def _digit_value(ch: str) -> int:
    return int(ch)  # int() accepts any Unicode decimal digit


def _nhs_check_ok(digits: str) -> bool:
    values = [_digit_value(c) for c in digits]
    total = sum(v * w for v, w in zip(values[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == values[9]


@dataclass(slots=True)
class _Group:
    start: int  # offset of first digit
    end: int  # offset after last digit
    digits: str


def _mask_digits(s: str, keep: int) -> str:
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
    """True if the character at ``pos`` glues the number to a code.

    Checked at the outside edges of a whole run: a letter directly touching the
    digits, or a ``-``, ``/`` or ``_`` with a letter or digit beyond it.
    """
    if not 0 <= pos < len(text):
        return False
    ch = text[pos]
    if ch.isalnum() or ch == "_":
        return True
    if ch in _CODE_JOINERS:
        nxt = pos + direction
        return 0 <= nxt < len(text) and (text[nxt].isalnum())
    return False


def _phone_ok(text: str, groups: list[_Group], intl: bool) -> bool:
    window_text = text[groups[0].start : groups[-1].end]
    digits = "".join(g.digits for g in groups)
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
    values = "".join(str(_digit_value(c)) for c in digits)
    if not intl and values.startswith("00"):
        intl, values = True, values[2:]
    if intl:
        if values.startswith("44"):
            national = values[2:]
            if national.startswith("0") and "(0)" in window_text:
                national = national[1:]
            return len(national) in (9, 10) and national[0] != "0"
        return 8 <= len(values) <= 15 and values[0] != "0"
    return len(values) in (10, 11) and values[0] == "0" and values[1] != "0"


def _number_candidates(text: str) -> Iterable[tuple[str, int, int, str]]:
    for run in _RUN_RE.finditer(text):
        base = run.start()
        groups = [
            _Group(m.start(), m.end(), m.group())
            for m in _DIGITS_RE.finditer(text, base, run.end())
        ]
        plus = run.group("plus") is not None
        left_glued = _is_code_neighbour(text, base - 1, -1)
        right_glued = _is_code_neighbour(text, groups[-1].end, +1)
        last = len(groups) - 1
        sizes = [len(g.digits) for g in groups]
        # joined[k]: group k is tied to group k + 1 by a dash, dot or bracket.
        joined = [
            _PLAIN_GAP_RE.fullmatch(text, a.end, b.start) is None
            for a, b in itertools.pairwise(groups)
        ]
        joined.append(right_glued)
        i = 0
        while i <= last:
            intl = plus and i == 0
            # A window can only start at a group of three or more digits (NHS number),
            # a group starting with 0 (UK phone number) or after a "+"; and not at a
            # group tied to the previous one (that would be the middle of a number).
            first = groups[i].digits
            if (
                not (intl or sizes[i] >= 3 or (sizes[i] == 2 and _digit_value(first[0]) == 0))
                or (i == 0 and left_glued)
                or (i > 0 and joined[i - 1])
            ):
                i += 1
                continue
            phone_possible = intl or _digit_value(first[0]) == 0
            best: tuple[str, int] | None = None  # (kind, index of last group)
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
                if total == 10 and not intl and _nhs_shape(text, window):
                    digits = "".join(g.digits for g in window)
                    if _nhs_check_ok(digits) or _NHS_CUE_RE.search(
                        text, max(0, window[0].start - 40), window[0].start
                    ):
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
                excerpt = _mask_digits(text[start:end], 3)
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
                excerpt = _mask_digits(raw, keep)
            yield kind, start, end, excerpt
            i = j + 1


def _nhs_shape(text: str, window: list[_Group]) -> bool:
    if any(len(g.digits) < 3 for g in window):
        return False
    return all(
        "(" not in text[a.end : b.start] and ")" not in text[a.end : b.start]
        for a, b in itertools.pairwise(window)
    )


# ---------------------------------------------------------------------------
# Postcodes
# ---------------------------------------------------------------------------

_POSTCODE_UPPER_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?P<out>[A-PR-UWYZ](?:[A-HK-Y]\d[ABEHMNPRVWXY\d]?|\d[A-HJKPSTUW\d]?))"
    rf"(?P<sp>{_HS}?)"
    r"(?P<in>\d[ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])"
)
_POSTCODE_LOWER_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?P<out>[a-pr-uwyz](?:[a-hk-y]\d[abehmnprvwxy\d]?|\d[a-hjkpstuw\d]?))"
    rf"(?P<sp>{_HS})"
    r"(?P<in>\d[abd-hjlnp-uw-z]{2})"
    r"(?![A-Za-z0-9])"
)
_ORDINAL_RE = re.compile(r"(?:1st|2nd|3rd|[04-9]th)\Z")


def _postcode_candidates(text: str) -> Iterable[tuple[str, int, int, str]]:
    for m in _POSTCODE_UPPER_RE.finditer(text):
        yield _postcode(m)
    for m in _POSTCODE_LOWER_RE.finditer(text):
        if not _ORDINAL_RE.match(m.group("in")):
            yield _postcode(m)


def _postcode(m: re.Match[str]) -> tuple[str, int, int, str]:
    excerpt = m.group("out") + m.group("sp") + "*" * len(m.group("in"))
    return "postcode", m.start(), m.end(), excerpt


# ---------------------------------------------------------------------------
# Email addresses
# ---------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"(?<![\w.%+'\u2019-])[\w.%+'\u2019-]++@[\w-]++(?:\.[\w-]++)++")
_EMAIL_LEADING_JUNK = ".%+'\u2019-"


def _email_candidates(text: str) -> Iterable[tuple[str, int, int, str]]:
    for m in _EMAIL_RE.finditer(text):
        raw = m.group()
        local, domain = raw.split("@", 1)
        stripped = local.lstrip(_EMAIL_LEADING_JUNK)
        if not stripped:
            continue
        start = m.start() + (len(local) - len(stripped))
        excerpt = stripped[0] + "*" * (len(stripped) - 1) + "@" + domain
        yield "email", start, m.end(), excerpt


# ---------------------------------------------------------------------------
# Dates of birth
# ---------------------------------------------------------------------------

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![^\W\d_])\.?"
_ORD = r"(?:st|nd|rd|th)?"
_DSEP = f"[{_DASH[1:-1]}/.]"
_SP = f"{_HS}{{1,3}}"

_DATE = (
    "(?:"
    # 12/03/1950, 12-03-50, 12.03.1950
    rf"(?P<d1>\d{{1,2}}){_DSEP}(?P<m1>\d{{1,2}}){_DSEP}(?P<y1>\d{{4}}|\d{{2}})(?!\d)"
    # 1950-03-12
    rf"|(?P<y2>\d{{4}}){_DSEP}(?P<m2>\d{{1,2}}){_DSEP}(?P<d2>\d{{1,2}})(?!\d)"
    # 12 March 1950, 12th of March, 12 Mar 50
    rf"|(?P<d3>\d{{1,2}}){_ORD}(?:{_SP}of)?{_SP}(?P<m3>{_MONTH})(?:,?{_SP}(?:\d{{4}}|'?\d{{2}})(?!\d))?"
    # March 12, 1950 / March 12th
    rf"|(?P<m4>{_MONTH}){_SP}(?P<d4>\d{{1,2}}){_ORD}(?!\d)(?:,?{_SP}\d{{4}}(?!\d))?"
    # March 1950
    rf"|(?P<m5>{_MONTH}),?{_SP}\d{{4}}(?!\d)"
    # 12031950, 120350
    r"|(?P<d6>\d{2})(?P<m6>\d{2})(?:\d{4}|\d{2})(?!\d)"
    # 03/1950
    rf"|(?P<m7>\d{{1,2}}){_DSEP}\d{{4}}(?!\d)"
    ")"
)
_FILLER = r"(?:is|was|of|on|the|as|recorded|given|listed|noted|stated|being)"
_DOB_RE = re.compile(
    r"(?<![^\W_])"
    r"(?P<cue>d\.?o\.?b\b\.?|date" + _SP + r"of" + _SP + r"birth|birth" + _HS + r"?date"
    r"|born(?:" + _SP + r"on)?|(?-i:b\.))"
    rf"(?:{_HS}{{0,3}}[:=\-\u2013])?{_HS}{{0,3}}"
    rf"(?:{_FILLER}{_SP}){{0,3}}"
    rf"(?P<date>{_DATE})",
    re.IGNORECASE,
)


def _month_number(token: str | None) -> int | None:
    if token is None:
        return None
    if token.isdecimal() or all(c.isdecimal() for c in token):
        return int(token)
    return _MONTHS.get(token.rstrip(".").lower())


def _plausible(day: int | None, month: int | None) -> bool:
    if month is None:
        return False
    if day is None:
        return 1 <= month <= 12
    return (1 <= day <= 31 and 1 <= month <= 12) or (1 <= month <= 31 and 1 <= day <= 12)


def _dob_candidates(text: str) -> Iterable[tuple[str, int, int, str]]:
    for m in _DOB_RE.finditer(text):
        day = month = None
        for d, mo in (("d1", "m1"), ("d2", "m2"), ("d3", "m3"), ("d4", "m4"), ("d6", "m6")):
            if m.group(mo) is not None:
                day, month = int(m.group(d)), _month_number(m.group(mo))
                break
        else:
            month = _month_number(m.group("m5") or m.group("m7"))
        if not _plausible(day, month):
            continue
        date_start = m.start("date")
        excerpt = text[m.start() : date_start] + re.sub(r"\w", "*", m.group("date"))
        yield "date_of_birth", m.start(), m.end(), excerpt


# ---------------------------------------------------------------------------
# Titled personal names
# ---------------------------------------------------------------------------

_TITLE_RE = re.compile(
    r"(?<![^\W_])(?P<title>Professor|Prof|Mrs|Miss|Mr|Ms|Mx|Dr)"
    rf"(?P<dot>\.)?(?(dot){_HS}{{0,2}}|{_HS}{{1,2}})"
)
_NAME_WORD_RE = re.compile(rf"{_LETTER}+(?:['\u2019\-]{_LETTER}+)*")
_NAME_GAP_RE = re.compile(f"{_HS}{{0,2}}")

# Organisations and products whose names start with a title. "Dr Foster" is the
# healthcare-data company (Dr Foster Intelligence) often cited in QSG papers;
# "Dr Doctor" is a patient-communication app used by trusts. A real person called
# Dr Foster would be missed: accepted, as the company is cited far more often.
ALLOWED_TITLED_NAMES = frozenset({("Dr", "Foster"), ("Dr", "Doctor")})

# Capitalised words that follow a title at a sentence boundary or in a product name,
# not a surname ("seen by the Dr. The ward...", "Ms Teams" for MS Teams).


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_NOT_NAMES = _word_set(
    """
    A An And As At But By For From He Her His However I If In It Its My No Nor Not Of On
    Or Our She So That The Their Them Then There These They This Those To We What When
    Where Which While Who Why With You Your Also After Before During Since Although
    Please Staff Patients Patient Teams Team Word Excel Office Forms Outlook
    Mr Mrs Ms Miss Mx Dr Prof Professor
    """
)
# A titled name followed by one of these names a place after a person ("Dr Gray's
# Hospital", "Dr Jenner Ward"), which is not personal data.
_PLACE_WORDS = _word_set(
    """
    Ward Wards Unit Centre Center Hospital Hospice Building House Suite Wing Clinic
    Surgery Practice Institute Lodge Court Home Theatre Library Road Street Lane Avenue
    Drive Way Close Memorial Trust Foundation Fund Award Lecture Report Review Inquiry
    """
)
_DETERMINERS = _word_set(
    "a an the another our their your his her my this that each every any no one"
)
_PREV_WORD_RE = re.compile(rf"({_LETTER}+){_HS}+\Z")


def _name_candidates(text: str) -> Iterable[tuple[str, int, int, str]]:
    for m in _TITLE_RE.finditer(text):
        title = m.group("title")
        pos = m.end()
        initials = 0
        words: list[tuple[int, int]] = []
        need_gap = False
        place = False
        while len(words) < 4:
            word_start = pos
            if need_gap:
                gap = _NAME_GAP_RE.match(text, pos)
                assert gap is not None  # the pattern can match the empty string
                if gap.end() == pos and text[pos - 1 : pos] != ".":
                    break
                word_start = gap.end()
            wm = _NAME_WORD_RE.match(text, word_start)
            if wm is None:
                break
            word = wm.group()
            if not words and len(word) <= 3 and word.isalpha() and word.isupper():
                # Initials before the surname: "J.", "J R", "JR".
                initials += len(word)
                if initials > 3:
                    break
                pos = wm.end() + (1 if text.startswith(".", wm.end()) else 0)
                need_gap = True
                continue
            if not (word[0].isupper() and any(c.islower() for c in word[1:])):
                break
            if word in _NOT_NAMES:
                break
            if word in _PLACE_WORDS:
                place = True
                break
            words.append((wm.start(), wm.end()))
            pos = wm.end()
            need_gap = True
        if not words or place:
            continue
        if (title, text[words[0][0] : words[0][1]]) in ALLOWED_TITLED_NAMES:
            continue
        if m.group("dot"):
            prev = _PREV_WORD_RE.search(text, max(0, m.start() - 30), m.start())
            if prev and prev.group(1).lower() in _DETERMINERS:
                continue
        end = words[-1][1]
        if text[end - 2 : end] in ("'s", "\u2019s") and end - 2 > words[-1][0] + 1:
            end -= 2
        excerpt = text[m.start() : m.end()] + _mask_name(text[m.end() : end])
        yield "personal_name", m.start(), end, excerpt


def _mask_name(s: str) -> str:
    out = []
    prev_letter = False
    for ch in s:
        is_letter = ch.isalpha()
        out.append("*" if is_letter and prev_letter else ch)
        prev_letter = is_letter or (prev_letter and ch in "'\u2019")
    return "".join(out)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------

_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


def screen(text: str) -> list[Finding]:
    """Return the suspected PID in ``text``, sorted by position (non-overlapping)."""
    if not isinstance(text, str):
        raise TypeError(f"screen() expects str, not {type(text).__name__}")
    if not text:
        return []
    candidates: list[tuple[str, int, int, str]] = []
    candidates.extend(_email_candidates(text))
    candidates.extend(_dob_candidates(text))
    candidates.extend(_number_candidates(text))
    candidates.extend(_postcode_candidates(text))
    candidates.extend(_name_candidates(text))
    if not candidates:
        return []
    # Highest precedence first, then longest, then leftmost; keep non-overlapping.
    candidates.sort(key=lambda c: (_PRECEDENCE[c[0]], -(c[2] - c[1]), c[1]))
    taken: list[tuple[int, int]] = []  # sorted, disjoint intervals
    chosen: list[tuple[str, int, int, str]] = []
    for cand in candidates:
        _, start, end, _ = cand
        k = bisect.bisect_left(taken, (start, start))
        if k > 0 and taken[k - 1][1] > start:
            continue
        if k < len(taken) and taken[k][0] < end:
            continue
        taken.insert(k, (start, end))
        chosen.append(cand)
    chosen.sort(key=lambda c: c[1])
    line_starts = [0] + [m.end() for m in _LINE_BREAK_RE.finditer(text)]
    findings = []
    for kind, start, end, excerpt in chosen:
        line_index = bisect.bisect_right(line_starts, start) - 1
        findings.append(
            Finding(
                start=start,
                end=end,
                kind=kind,  # type: ignore[arg-type]
                excerpt=excerpt,
                line=line_index + 1,
                column=start - line_starts[line_index] + 1,
            )
        )
    return findings


def describe(findings: Iterable[Finding], field_label: str) -> list[str]:
    """Error messages for a form, one per finding, in the order they appear.

    E.g. ``Summary contains what looks like an NHS number (line 1, near "943 *** ****").
    Remove it before you submit.``
    """
    return [
        f'{field_label} contains what looks like {f.label} (line {f.line}, near "{f.excerpt}"). '
        "Remove it before you submit."
        for f in sorted(findings, key=lambda f: (f.start, f.end))
    ]
