"""Word lists the name rules lean on, loaded once, when first needed.

* Given names and surnames: the person-name lists of Faker's locales for the countries
  most of the UK's population and NHS workforce come from. A name that is also an
  everyday English word ("Hope", "Will", "Grant", "Long") is dropped from the lists of
  other locales, and kept from the British, Irish and American lists only while it is not
  very common.
* How common a word is in English: the word frequencies that pyspellchecker ships
  (subtitles and Wiktionary), on a log scale of occurrences per billion words.
"""

from __future__ import annotations

import functools
import importlib
import math

# Locales whose name lists are read: English-speaking, and the countries of birth most
# common among UK residents and NHS staff.
_HOME_LOCALES = ("en_GB", "en_IE", "en_US")
_OTHER_LOCALES = (
    "en_IN", "en_PK", "en_NG", "en_KE", "en_NZ", "yo_NG", "ig_NG", "ha_NG", "tw_GH",
    "zu_ZA", "pl_PL", "ro_RO", "pt_PT", "pt_BR", "it_IT", "es_ES", "fr_FR", "de_DE",
    "lt_LT", "lv_LV", "sk_SK", "cs_CZ", "hu_HU", "bg_BG", "tr_TR", "ga_IE", "el_GR",
    "vi_VN", "fil_PH", "tl_PH", "bn_BD", "hi_IN", "ar_AA", "fa_IR", "ne_NP", "si_LK",
)  # fmt: skip

# Log10 of occurrences per billion words: 5 is "word", 4 "nurse", 3 "tablets", 2 "Hollis".
COMMON = 3.5
VERY_COMMON = 4.5


@functools.cache
def _frequencies() -> tuple[dict[str, int], int]:
    from spellchecker import SpellChecker

    words = SpellChecker(language="en", distance=1).word_frequency
    return words.dictionary, max(words.total_words, 1)


def zipf(word: str) -> float:
    """How common ``word`` is in English (0 for a word never seen)."""
    counts, total = _frequencies()
    n = counts.get(word.lower(), 0)
    return math.log10(n / total * 1e9) if n else 0.0


def _read(locale: str) -> tuple[set[str], set[str]]:
    try:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    except ImportError:
        return set(), set()
    given: set[str] = set()
    for attr in ("first_names", "first_names_male", "first_names_female"):
        given.update(getattr(provider, attr, ()))
    surnames = set(getattr(provider, "last_names", ()))

    def usable(name: str) -> bool:
        return name.isalpha() and name[0].isupper() and name[1:].islower() and len(name) > 1

    return {n for n in given if usable(n)}, {n for n in surnames if usable(n)}


@functools.cache
def given_names() -> frozenset[str]:
    return _names(0)


@functools.cache
def surnames() -> frozenset[str]:
    return _names(1)


def _names(index: int) -> frozenset[str]:
    names: set[str] = set()
    for locale in _HOME_LOCALES:
        names.update(n for n in _read(locale)[index] if zipf(n) < VERY_COMMON)
    for locale in _OTHER_LOCALES:
        names.update(n for n in _read(locale)[index] if zipf(n) < COMMON)
    return frozenset(names)
