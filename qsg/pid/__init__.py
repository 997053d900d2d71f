"""Screen free text for patient-identifiable data (PID) before it is stored.

A QSG record is about organisations, never about identifiable people. This package is a
*pure* screener: no Django, no database, no I/O beyond reading the word lists its
libraries ship. Services call :func:`screen` on each free-text field (through
``qsg.screening``) and refuse the text, with :func:`describe`'s messages, if it finds
anything.

Before matching, the text is normalised (``_text``): NFKC, format and zero-width
characters dropped, Cyrillic and Greek look-alike letters read as Latin, O/I/l inside
numbers read as digits. Offsets in findings are those of the text as typed.

What counts as a hit
--------------------

``nhs_number``
    Ten digits that pass the NHS modulus 11 check, written plain or in groups of three or
    more joined by spaces, dashes, dots, slashes, underscores or a line break
    (``943 476 5919``, ``943/476/5919``), or one digit at a time (``9 4 3 4 ...``). Ten
    digits with a wrong check digit count straight after an "NHS number" cue; in pairs
    they count beside such a cue. Not part of a longer number or a code
    (``QSG-2024-9434765919``).
``phone_number``
    UK numbers with the trunk 0 (10 or 11 digits) and international numbers (``+44``,
    ``0044``, ``+1 ...``), with spaces, dashes, dots, brackets, or one digit at a time.
    Every phone number, switchboards included: the screener cannot tell a ward's line
    from a mobile.
``hospital_number``
    A hospital, unit, case-note or medical record number (MRN) after its cue: up to four
    letters and five to twelve digits (``MRN 00723841``, ``hosp no K2291834``).
``postcode``
    Full UK postcodes (outward and inward code) in any case, with or without the space
    (``SW1A 1AA``, ``ls72pq``). Not an outward code alone (``LS1``), and not a letter and
    number before an ordinal (``a1 2nd floor``).
``email``
    ``local@domain``, and addresses spelled out: ``jane dot doe at example dot com``,
    ``jo [at] example [dot] org``, ``a.b(at)example.com``. "x at y.com" counts when the
    local part looks like an address (a dot, digit or underscore) or an e-mail cue comes
    just before: "published at gov.uk" does not.
``date_of_birth``
    A date more precise than a year after a cue ("DOB", "d-o-b", "date of birth" however
    split, "birth date", "born (on)", a lower-case "b."). Dates with no cue never count.
``personal_name``
    A title (Mr, Mrs, Ms, Miss, Mx, Dr, Prof, Professor) and a name. In ordinary case
    ("Dr Priya Patel", "Mrs O'Neill"), any capitalised word that does not end a sentence
    or name a place after a person ("Dr Gray's Hospital"). In lower case or capitals
    ("mrs crabtree", "MR ACHTERBERG"), a known given name or surname, or a rare word
    (after "mr", "ms", "dr" and "miss", which also mean other things, only a known name or
    a very rare word: "ms teams", "mr tablets", "miss doses" pass). Without a title, a
    given name and a surname beside an age ("Margaret Holt, 87"), an address
    ("of 14 Weaver Street") or a word that says who the person is ("resident", "her son",
    "the patient,"). A name with none of these ("Kate Morrison complained") is not
    detected: by rule alone it cannot be told from a place ("Milton Keynes").

Overlaps are resolved by precedence: email, date of birth, NHS number, hospital number,
phone number, postcode, personal name.

Excerpts are masked: enough to find the text again, not to re-identify anyone.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from ._dates import dob_candidates
from ._emails import email_candidates
from ._names import titled_name_candidates, untitled_name_candidates
from ._numbers import hospital_number_candidates, number_candidates
from ._postcodes import postcode_candidates
from ._text import normalise

__all__ = ["KINDS", "LABELS", "Finding", "Kind", "describe", "screen"]

Kind = Literal[
    "nhs_number",
    "date_of_birth",
    "postcode",
    "phone_number",
    "email",
    "personal_name",
    "hospital_number",
]

LABELS: dict[str, str] = {
    "nhs_number": "an NHS number",
    "date_of_birth": "a date of birth",
    "postcode": "a postcode",
    "phone_number": "a phone number",
    "email": "an email address",
    "personal_name": "a person's name",
    "hospital_number": "a hospital number",
}
KINDS: tuple[str, ...] = tuple(LABELS)

_PRECEDENCE = {
    "email": 0,
    "date_of_birth": 1,
    "nhs_number": 2,
    "hospital_number": 3,
    "phone_number": 4,
    "postcode": 5,
    "personal_name": 6,
}

_DETECTORS = (
    email_candidates,
    dob_candidates,
    number_candidates,
    hospital_number_candidates,
    postcode_candidates,
    titled_name_candidates,
    untitled_name_candidates,
)


@dataclass(frozen=True, order=True)
class Finding:
    """One suspected piece of PID in the screened text.

    ``start``/``end`` are offsets into the text as typed (``text[start:end]`` is the
    match); ``line`` and ``column`` are 1-based and point at ``start``; ``last_line`` is
    the line of the last character (a number typed over several lines is one finding).
    ``excerpt`` is the match as read after normalisation, masked: it has one character
    for each character of the normalised match.
    """

    start: int
    end: int
    kind: Kind
    excerpt: str
    line: int = 1
    column: int = 1
    last_line: int = 0  # 0: the same as ``line``
    label: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in LABELS:
            raise ValueError(f"unknown PID kind {self.kind!r}")
        if not 0 <= self.start < self.end:
            raise ValueError("a finding needs 0 <= start < end")
        object.__setattr__(self, "label", LABELS[self.kind])
        if self.last_line < self.line:
            object.__setattr__(self, "last_line", self.line)

    @property
    def last_column(self) -> int:
        """1-based column of the last character of a match on one line."""
        return self.column + (self.end - self.start) - 1

    @property
    def where(self) -> str:
        """Human location, e.g. ``"line 2, characters 15 to 26"``."""
        if self.last_line > self.line:
            return f"lines {self.line} to {self.last_line}, from character {self.column}"
        if self.last_column == self.column:
            return f"line {self.line}, character {self.column}"
        return f"line {self.line}, characters {self.column} to {self.last_column}"


def _line_starts(text: str) -> list[int]:
    starts = [0]
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\r":
            if i + 1 < n and text[i + 1] == "\n":
                i += 1
            starts.append(i + 1)
        elif ch == "\n":
            starts.append(i + 1)
        i += 1
    return starts


def screen(text: str) -> list[Finding]:
    """Return the suspected PID in ``text``, sorted by position (non-overlapping)."""
    if not isinstance(text, str):
        raise TypeError(f"screen() expects str, not {type(text).__name__}")
    if not text:
        return []
    norm = normalise(text)
    candidates = [c for detect in _DETECTORS for c in detect(norm.text)]
    if not candidates:
        return []
    # Highest precedence first, then longest, then leftmost; keep non-overlapping.
    candidates.sort(key=lambda c: (_PRECEDENCE[c[0]], -(c[2] - c[1]), c[1]))
    taken: list[tuple[int, int]] = []
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
    line_starts = _line_starts(text)
    findings = []
    for kind, start, end, excerpt in chosen:
        start, end = norm.span(start, end)
        line_index = bisect.bisect_right(line_starts, start) - 1
        last_line = bisect.bisect_right(line_starts, end - 1)
        findings.append(
            Finding(
                start=start,
                end=end,
                kind=kind,  # type: ignore[arg-type]
                excerpt=excerpt,
                line=line_index + 1,
                column=start - line_starts[line_index] + 1,
                last_line=last_line,
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
