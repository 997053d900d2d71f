"""A deployment's terms, read from one place.

The 2013 guidance and the 2022 National Quality Board guidance name the same things differently
(QSG / System Quality Group, regional QSG / Regional Quality Group, risk summit / rapid quality
review, ring-holder / lead organisation, Local Safeguarding Children Board / safeguarding
partnership). A deployment picks a profile with the `QSG_PROFILE` setting ("2013" by default, or
"2022"); administrators override any single term as data (`qsg.Term`, in the admin). Pages call
`term(key)` (a Jinja global); nothing else names these things.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.utils.functional import lazy

PROFILES: dict[str, dict[str, str]] = {
    "2013": {
        "service": "QSG workspace",
        "qsg": "QSG",
        "qsgs": "QSGs",
        "qsg_long": "Quality Surveillance Group",
        "local_qsg": "local QSG",
        "local_qsgs": "local QSGs",
        "regional_qsg": "regional QSG",
        "regional_qsgs": "regional QSGs",
        "national_qsg": "national group",
        "risk_summit": "risk summit",
        "risk_summits": "risk summits",
        "summit": "summit",
        "summits": "summits",
        "ring_holder": "ring-holder",
        "ring_holders": "ring-holders",
        "safeguarding_board": "Local Safeguarding Children Board",
    },
    "2022": {
        "service": "Quality group workspace",
        "qsg": "quality group",
        "qsgs": "quality groups",
        "qsg_long": "System Quality Group",
        "local_qsg": "System Quality Group",
        "local_qsgs": "System Quality Groups",
        "regional_qsg": "Regional Quality Group",
        "regional_qsgs": "Regional Quality Groups",
        "national_qsg": "national quality group",
        "risk_summit": "rapid quality review",
        "risk_summits": "rapid quality reviews",
        "summit": "review",
        "summits": "reviews",
        "ring_holder": "lead organisation",
        "ring_holders": "lead organisations",
        "safeguarding_board": "safeguarding partnership",
    },
}
KEYS = tuple(PROFILES["2013"])
# For rows that belong to one profile (conclusion categories, quality dimensions); "" is every one.
PROFILE_CHOICES = [("", "Every profile"), ("2013", "2013 guidance"), ("2022", "2022 guidance")]
TTL_SECONDS = 30.0
_cache: dict[str, tuple[float, dict[str, str]]] = {}
# Set while an error page is drawn: the database may be the thing that failed.
_offline: ContextVar[bool] = ContextVar("vocabulary_offline", default=False)


def profile() -> str:
    value = str(getattr(settings, "QSG_PROFILE", "2013"))
    return value if value in PROFILES else "2013"


def profiles_in_force() -> tuple[str, str]:
    """The `profile` values of the rows this deployment offers: its own and every profile's."""
    return ("", profile())


def terms() -> dict[str, str]:
    """The profile's terms with the administrators' overrides (cached for a few seconds)."""
    name = profile()
    hit = _cache.get(name)
    if hit is not None and time.monotonic() - hit[0] < TTL_SECONDS:
        return hit[1]
    if _offline.get():
        # Overrides last read, however old, else the profile's own words; never the database.
        return hit[1] if hit is not None else dict(PROFILES[name])
    from .models import Term

    out = dict(PROFILES[name])
    out.update(dict(Term.objects.filter(key__in=KEYS).values_list("key", "label")))
    _cache[name] = (time.monotonic(), out)
    return out


def term(key: str, *, capital: bool = False) -> str:
    text = terms().get(key, key)
    return text[:1].upper() + text[1:] if capital else text


# The 2013 phrases of the code's own sentences (labels, messages, seeded agenda items), most
# specific first: (phrase, key, capitalised). Bare "QSG" at the start of a sentence keeps a capital.
_PHRASES = [
    ("Local Safeguarding Children Boards", "safeguarding_board", True),
    ("Local Safeguarding Children Board", "safeguarding_board", True),
    ("Regional QSGs", "regional_qsgs", True),
    ("regional QSGs", "regional_qsgs", False),
    ("Regional QSG", "regional_qsg", True),
    ("regional QSG", "regional_qsg", False),
    ("Local QSGs", "local_qsgs", True),
    ("local QSGs", "local_qsgs", False),
    ("Local QSG", "local_qsg", True),
    ("local QSG", "local_qsg", False),
    ("QSG workspace", "service", False),
    ("QSGs", "qsgs", None),
    ("QSG", "qsg", None),
    ("Risk summits", "risk_summits", True),
    ("risk summits", "risk_summits", False),
    ("Risk summit", "risk_summit", True),
    ("risk summit", "risk_summit", False),
    # The short form, once the page has named it: "close the summit", "the summit's details".
    ("Summits", "summits", True),
    ("summits", "summits", False),
    ("Summit", "summit", True),
    ("summit", "summit", False),
    ("Ring-holders", "ring_holders", True),
    ("ring-holders", "ring_holders", False),
    ("Ring-holder", "ring_holder", True),
    ("ring-holder", "ring_holder", False),
]
# The 2013 guidance's verb for the ring-holder's part ("holds the ring"), said with the
# deployment's noun elsewhere: "is the lead organisation", "proposed to be the lead organisation",
# "lead organisation X" for "ring held by X".
_RING_PHRASES = {
    "The party holding the ring": "The {}",
    "the party holding the ring": "the {}",
    "Who holds the ring": "Who is the {}",
    "Holds the ring": "Is the {}",
    "holds the ring": "is the {}",
    "Hold the ring": "Be the {}",
    "hold the ring": "be the {}",
    "Holding the ring": "Being the {}",
    "holding the ring": "being the {}",
    "ring held by": "{}",
}
_PHRASE = re.compile(
    r"(?<!\w)("
    + "|".join(re.escape(p) for p in [*_RING_PHRASES, *(p for p, _, _ in _PHRASES)])
    + r")(?!\w)"
)
_BY_PHRASE = {p: (k, c) for p, k, c in _PHRASES}


def say(text: str) -> str:
    """A sentence of the code's, written in the 2013 words, in the deployment's words.

    Only for the code's own text (labels, messages, seeded titles): never for data, where a
    group named "Area A QSG" keeps its name."""
    words = terms()
    if all(words.get(k) == PROFILES["2013"][k] for _, k, _ in _PHRASES):
        return text

    def swap(m: re.Match) -> str:
        if m.group(1) in _RING_PHRASES:
            return _RING_PHRASES[m.group(1)].format(term("ring_holder"))
        key, capital = _BY_PHRASE[m.group(1)]
        if capital is None:
            before = text[: m.start()].rstrip()
            capital = not before or before[-1] in ".:!?("
        return term(key, capital=capital)

    return _PHRASE.sub(swap, str(text))


say_lazy = lazy(say, str)


def forget() -> None:
    """Drop the cache (after an administrator's change, and in tests)."""
    _cache.clear()


@contextmanager
def offline():
    """Terms without reading the database, for the error pages (a 503 is drawn when it is down)."""
    token = _offline.set(True)
    try:
        yield
    finally:
        _offline.reset(token)
