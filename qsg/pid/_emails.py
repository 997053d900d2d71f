"""E-mail addresses, including those spelled out to get past a filter."""

from __future__ import annotations

import re
from collections.abc import Iterable

Candidate = tuple[str, int, int, str]

_EMAIL_RE = re.compile(r"(?<![\w.%+'\u2019-])[\w.%+'\u2019-]++@[\w-]++(?:\.[\w-]++)++")
_LEADING_JUNK = ".%+'\u2019-"

# "jane dot doe at example dot com", "jo [at] example [dot] org", "a.b(at)example.com".


def _bracketed(word: str) -> str:
    return rf"[ \t]*[\[(<]{{1,2}}[ \t]*{word}[ \t]*[\])>]{{1,2}}[ \t]*"


_AT = rf"(?:{_bracketed('at')}|[ \t]+at[ \t]+|[ \t]*@[ \t]*)"
_DOT = rf"(?:{_bracketed('dot')}|[ \t]+dot[ \t]+|\.)"
_PART = r"[A-Za-z0-9_%+'-]+"
_TLDS = (
    "com|org|net|uk|co|gov|nhs|ac|edu|io|info|biz|me|ie|eu|de|fr|es|it|nl|pl|in|pk|ng|au|"
    "ca|us|scot|wales|cymru|london|email|online"
)
_SPELLED_RE = re.compile(
    rf"(?<![\w.%+'-])(?P<local>{_PART}(?:{_DOT}{_PART}){{0,3}})"
    rf"(?P<at>{_AT})"
    rf"(?P<domain>{_PART}(?:{_DOT}{_PART}){{0,3}}{_DOT}(?:{_TLDS}))(?![\w-])",
    re.IGNORECASE,
)
_EMAIL_CUE_RE = re.compile(
    r"\b(?:e-?mail|mail|write|reply|contact|send|address)\b[^\n]{0,25}\Z", re.IGNORECASE
)


def _excerpt(local: str, domain: str, at: str) -> str:
    return local[0] + "*" * (len(local) - 1) + at + domain


def email_candidates(text: str) -> Iterable[Candidate]:
    for m in _EMAIL_RE.finditer(text):
        local, domain = m.group().split("@", 1)
        stripped = local.lstrip(_LEADING_JUNK)
        if not stripped:
            continue
        start = m.start() + (len(local) - len(stripped))
        yield "email", start, m.end(), _excerpt(stripped, domain, "@")
    for m in _SPELLED_RE.finditer(text):
        if "@" in m.group("at") and "@" in m.group() and not re.search(r"\s", m.group()):
            continue  # a plain address: found above
        if not _spelled_is_address(text, m):
            continue
        yield (
            "email",
            m.start(),
            m.end(),
            _excerpt(m.group("local"), m.group("domain"), m.group("at")),
        )


def _spelled_is_address(text: str, m: re.Match[str]) -> bool:
    at, local, whole = m.group("at"), m.group("local"), m.group()
    if "@" in at or re.search(r"[\[({<]", at) or re.search(r"[\[({<][ \t]*dot", whole, re.I):
        return True
    if re.search(r"[ \t]dot[ \t]", whole, re.IGNORECASE):
        return True
    if at.strip() == "AT":
        return True
    # "x at y.com" is also how a web address is given ("published at gov.uk"): an
    # address needs a local part that looks like one, or an e-mail cue just before.
    if re.search(r"[._\d]", local):
        return True
    return _EMAIL_CUE_RE.search(text, max(0, m.start() - 40), m.start()) is not None
