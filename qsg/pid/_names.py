"""People's names: after a title in any case, or without one beside an age, an address
or a word saying who the person is ("resident", "her son")."""

from __future__ import annotations

import re
from collections.abc import Iterable

from . import _lexicon
from ._text import HS, LETTER

Candidate = tuple[str, int, int, str]

_TITLE_RE = re.compile(
    r"(?<![^\W_])(?P<title>professor|prof|mrs|miss|mr|ms|mx|dr"
    r"|sister|nurse|matron|reverend|revd|rev|father|sir|dame|lady|lord|councillor|cllr)"
    rf"(?P<dot>\.)?(?(dot){HS}{{0,2}}|{HS}{{1,2}})",
    re.IGNORECASE,
)
# Titles that mean nothing else: any uncommon word after them is taken as a name. "Mr",
# "Ms", "Dr" and "Miss" also abbreviate "modified release", "multiple sclerosis" and
# "drive", and "miss" is a verb, so after those a lower-case word must be a known name
# or a rare word.
_PLAIN_TITLES = frozenset({"mrs", "mx", "prof", "professor"})
# Nursing, clerical and honorific titles are also ordinary words ("Nurse Practitioner",
# "Sister ward", "Lady Margaret Hall"): after them only a known name or a rare word counts.
_ROLE_TITLES = frozenset(
    [
        "sister",
        "nurse",
        "matron",
        "reverend",
        "revd",
        "rev",
        "father",
        "sir",
        "dame",
        "lady",
        "lord",
        "councillor",
        "cllr",
    ]
)
_NAME_WORD_RE = re.compile(rf"{LETTER}+(?:['\u2019\-]{LETTER}+)*")
_NAME_GAP_RE = re.compile(f"{HS}{{0,2}}")

# Organisations, products and shows whose names start with a title. "Dr Foster" is the
# healthcare-data company often cited in QSG papers; "Dr Doctor" a patient-letters app.
ALLOWED_TITLED_NAMES = frozenset(
    {
        ("dr", "foster"),
        ("dr", "doctor"),
        ("dr", "martens"),
        ("dr", "oetker"),
        ("dr", "pepper"),
        ("dr", "who"),
        ("mr", "kipling"),
        ("mr", "muscle"),
        ("mr", "men"),
    }
)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words after a title that end a sentence or name a product, not a person.
_NOT_NAMES = _word_set(
    """
    a an and as at but by for from he her his however i if in it its my no nor not of on
    or our she so that the their them then there these they this those to we what when
    where which while who why with you your also after before during since although
    please staff patients patient teams team word excel office forms outlook access
    powerpoint sharepoint onedrive project windows edge mr mrs ms miss mx dr prof
    professor is was are were be been has had have will would should could may might
    must can did does do all any some each every one two three said says told asked
    """
)
# A name followed by one of these names a place after a person ("Dr Gray's Hospital",
# "Mary Seacole Ward", "Harry Blackman ward").
_PLACE_WORDS = _word_set(
    """
    ward wards unit units centre center hospital hospitals hospice building buildings house
    suite wing clinic surgery practice institute lodge court home homes theatre library
    road street lane avenue drive way close memorial trust foundation fund award lecture
    report review inquiry site campus school college university infirmary health medical
    care group partnership services service nhs ft limited ltd plc room rooms bay block
    centre park garden gardens place square view grove crescent terrace hall mews estate
    station
    """
)
_DETERMINERS = _word_set(
    "a an the another our their your his her my this that each every any no one"
)
_PREV_WORD_RE = re.compile(rf"({LETTER}+){HS}+\Z")


def _case(word: str) -> str:
    if word.isupper() and len(word) > 1:
        return "upper"
    if word[0].isupper() and any(c.islower() for c in word[1:]):
        return "proper"
    if word.islower():
        return "lower"
    return "other"


def _parts(word: str) -> list[str]:
    """The pieces of a name to look up: "o'rourke's" -> ["rourke"], "haworth-bell" ->
    ["haworth", "bell"]."""
    word = re.sub(r"['\u2019]s\Z", "", word)
    pieces = re.split(r"['\u2019\-]", word)
    return [p for p in pieces if len(p) > 1] or [word]


def known_name(word: str) -> bool:
    given, family = _lexicon.given_names(), _lexicon.surnames()
    return any(p.capitalize() in given or p.capitalize() in family for p in _parts(word))


def name_like(word: str, *, rarity: float) -> bool:
    """A word that could be a name although its case does not say so."""
    if word.lower() in _NOT_NAMES or word.lower() in _PLACE_WORDS or len(word) < 2:
        return False
    if known_name(word):
        return True
    return all(_lexicon.zipf(p) < rarity for p in _parts(word))


def titled_name_candidates(text: str) -> Iterable[Candidate]:
    for m in _TITLE_RE.finditer(text):
        title = m.group("title")
        role_title = title.lower() in _ROLE_TITLES
        if role_title and _case(title) == "lower":
            continue  # "her sister", "the nurse"
        weak_title = _case(title) != "proper" or role_title
        rarity = 4.0 if title.lower() in _PLAIN_TITLES and _case(title) != "proper" else 2.5
        pos = m.end()
        initials = 0
        words: list[tuple[int, int]] = []
        need_gap = False
        place = False
        while len(words) < 4:
            word_start = pos
            if need_gap:
                gap = _NAME_GAP_RE.match(text, pos)
                assert gap is not None
                if gap.end() == pos and text[pos - 1 : pos] != ".":
                    break
                word_start = gap.end()
            wm = _NAME_WORD_RE.match(text, word_start)
            if wm is None:
                break
            word = wm.group()
            case = _case(word)
            if (
                not words
                and not weak_title
                and len(word) <= 3
                and word.isalpha()
                and word.isupper()
            ):
                initials += len(word)  # "J.", "J R", "JR" before the surname
                if initials > 3:
                    break
                pos = wm.end() + (1 if text.startswith(".", wm.end()) else 0)
                need_gap = True
                continue
            if case == "proper" and word.lower() in _PLACE_WORDS:
                place = True
                break
            if case == "proper" and not weak_title:
                if word.lower() in _NOT_NAMES:
                    break
            elif not name_like(word, rarity=rarity):
                break
            words.append((wm.start(), wm.end()))
            pos = wm.end()
            need_gap = True
        if not words or place:
            continue
        if (title.lower(), text[words[0][0] : words[0][1]].lower()) in ALLOWED_TITLED_NAMES:
            continue
        if m.group("dot") and not weak_title:
            prev = _PREV_WORD_RE.search(text, max(0, m.start() - 30), m.start())
            if prev and prev.group(1).lower() in _DETERMINERS:
                continue
        end = words[-1][1]
        if text[end - 2 : end] in ("'s", "\u2019s") and end - 2 > words[-1][0] + 1:
            end -= 2
        excerpt = text[m.start() : m.end()] + mask_name(text[m.end() : end])
        yield "personal_name", m.start(), end, excerpt


def mask_name(s: str) -> str:
    out = []
    prev_letter = False
    for ch in s:
        is_letter = ch.isalpha()
        out.append("*" if is_letter and prev_letter else ch)
        prev_letter = is_letter or (prev_letter and ch in "'\u2019")
    return "".join(out)


# ---------------------------------------------------------------------------
# Names without a title, given away by what is next to them
# ---------------------------------------------------------------------------

_CAP = r"(?:Mc|Mac|O['\u2019]|D['\u2019])?[A-Z][a-z]+(?:['\u2019\-][A-Z]?[a-z]+)*"
_CAP_START_RE = re.compile(r"(?<![\w'\u2019-])[A-Z][a-z]")
_FULL_NAME_2_RE = re.compile(rf"(?P<given>[A-Z][a-z]+){HS}(?P<family>{_CAP})(?![\w\-])")
_FULL_NAME_3_RE = re.compile(
    rf"(?P<given>[A-Z][a-z]+){HS}(?:[A-Z]\.?|[A-Z][a-z]+){HS}(?P<family>{_CAP})(?![\w\-])"
)
# "Smith, John": a list or a form, surname first.
_SURNAME_FIRST_RE = re.compile(rf"(?P<family>{_CAP}),{HS}(?P<given>[A-Z][a-z]+)(?![\w\-])")
_NEXT_WORD_RE = re.compile(rf"{HS}+({LETTER}+)")
_AGE = r"(?:1[01]\d|\d{1,2})"
_YEARS_OLD = rf"(?:{HS}?-?{HS}?(?:years?|yrs?)(?:{HS}?-?{HS}?old)?|{HS}?y\.?o\b\.?)"
_AGE_AFTER_RE = re.compile(
    rf"{HS}*(?:,{HS}*|\({HS}*|{HS}+)"
    rf"(?:(?:aged?|age:){HS}*{_AGE}\b|{_AGE}{_YEARS_OLD}|{_AGE}{HS}*[,);.]|{_AGE}\Z"
    rf"|who{HS}+is{HS}+{_AGE}\b|an?{HS}+{_AGE}{_YEARS_OLD})",
    re.IGNORECASE,
)
_STREET = (
    r"(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Way|Crescent|Gardens|Gdns|"
    r"Terrace|Place|Grove|Court|Square|Hill|Rise|Row|Walk|Mews|Park|View|Green|Parade|"
    r"Fold|Croft|Meadows?|Vale|Gate|Wynd|Brow|Bank|End|Yard)"
)
_ADDRESS_AFTER_RE = re.compile(
    rf"{HS}*(?:,|{HS}of\b|{HS}from\b|{HS}at\b|{HS}(?:who{HS}+)?lives{HS}+at\b|{HS}living{HS}+at\b)?"
    rf"{HS}*(?:flat{HS}+\d+[a-z]?,?{HS}*)?\d{{1,4}}[a-z]?,?{HS}+(?:[A-Z][a-z']+{HS}+){{1,3}}{_STREET}\b"
)
# What comes just before a name and says it is a person's: who they are ("resident",
# "her son", "the patient,") or their age ("an 84-year-old,", "a 69-year-old man,").
_CUE_BEFORE_RE = re.compile(
    r"\b(?:(?:patient|resident|service\s+user|client|son|daughter|husband|wife|partner|"
    r"mother|father|mum|dad|brother|sister|grandson|granddaughter|relative|carer|"
    r"next\s+of\s+kin|widow|widower|baby|child|niece|nephew|aunt|uncle|neighbour|"
    r"complainant|whistleblower|man|woman|lady|gentleman|gent|person|boy|girl)"
    rf"(?:{HS}+of)?"
    rf"|{_AGE}{_YEARS_OLD}(?:{HS}+(?:man|woman|lady|gentleman|resident|patient|boy|girl|"
    r"person|widow|widower))?)"
    rf"{HS}*[,:]?{HS}*(?:(?:named|called|is){HS}+)?(?=[A-Z])",
    re.IGNORECASE,
)


def _surname_like(word: str) -> bool:
    first = re.split(r"['\u2019\-]", word)[-1] if word[:2] in ("O'", "D'") else word
    low = first.lower()
    if low in _NOT_NAMES or low in _PLACE_WORDS:
        return False
    return known_name(word) or _lexicon.zipf(low) < _lexicon.COMMON


def _full_name_ok(text: str, m: re.Match[str]) -> bool:
    given, family = m.group("given"), m.group("family")
    if given.lower() in _NOT_NAMES or given.lower() in _PLACE_WORDS:
        return False
    nxt = _NEXT_WORD_RE.match(text, m.end())
    if nxt and nxt.group(1).lower() in _PLACE_WORDS:
        return False  # "Mary Seacole Ward", "Harry Blackman ward"
    if given in _lexicon.given_names():
        return family.lower() not in _NOT_NAMES and family.lower() not in _PLACE_WORDS
    if m.re is _SURNAME_FIRST_RE:
        return False
    return _lexicon.zipf(given) < 3.0 and _surname_like(family)


def untitled_name_candidates(text: str) -> Iterable[Candidate]:
    cue_ends = {m.end() for m in _CUE_BEFORE_RE.finditer(text)}
    for cap in _CAP_START_RE.finditer(text):
        pos = cap.start()
        for pattern in (_FULL_NAME_3_RE, _FULL_NAME_2_RE, _SURNAME_FIRST_RE):
            m = pattern.match(text, pos)
            if m is None:
                continue
            if not (
                pos in cue_ends
                or _AGE_AFTER_RE.match(text, m.end())
                or _ADDRESS_AFTER_RE.match(text, m.end())
            ):
                continue
            if _full_name_ok(text, m):
                yield "personal_name", m.start(), m.end(), mask_name(m.group())
                break
