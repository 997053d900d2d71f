"""Normalisation before matching, and the character classes the detectors share.

Text is screened as a reader sees it, not as it is encoded: compatibility forms are
folded (NFKC: full-width letters and digits, the full-width "@", ligatures, styled
mathematical letters), format characters are dropped (zero-width spaces and joiners,
word joiner, soft hyphen, byte order mark, bidi controls), letters from other scripts that
look like Latin ones are read as those (a Cyrillic or Greek capital M or O: Unicode's
confusables data, through confusable-homoglyphs), every decimal digit becomes an ASCII digit, and
inside a number the letters O, I and l are read as 0 and 1 ("O77OO 9OO123"). Findings
are reported at offsets of the text as typed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# Horizontal space after NFKC (no-break and narrow spaces are already plain spaces then).
HS = "[ \t]"
DASH = "[-\u2010\u2011\u2012\u2013\u2014\u2212]"
LETTER = r"[^\W\d_]"

# Variation selectors and the combining grapheme joiner render as nothing, like Cf.
_INVISIBLE_MARKS = frozenset(
    [chr(c) for c in range(0xFE00, 0xFE10)] + ["\u034f", "\u115f", "\u1160", "\u3164"]
)


@functools.cache
def _confusable_map() -> dict[str, str]:
    """Non-ASCII letters that look like one ASCII letter, mapped to it."""
    from confusable_homoglyphs.confusables import confusables_data

    table: dict[str, str] = {}
    for char, homoglyphs in confusables_data.items():
        if len(char) != 1 or char.isascii() or not char.isalpha():
            continue
        for glyph in homoglyphs:
            target = glyph["c"]
            if len(target) == 1 and target.isascii() and target.isalpha():
                # Unicode's prototype for I-like letters is "l"; capitals read as "I".
                if target == "l" and char.isupper():
                    target = "I"
                table[char] = target
                break
    return table


@dataclass(frozen=True, slots=True)
class Normalised:
    """Normalised text and, for each of its characters, the offset it came from."""

    text: str
    origin: list[int] | None  # None: same offsets as the original

    def span(self, start: int, end: int) -> tuple[int, int]:
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


# A token of digits with O/o/I/l among them is a number typed with look-alike letters.
_LOOKALIKE_NUMBER_RE = re.compile(
    r"(?<![^\W_])(?=[0-9OoIl]*[0-9])(?=[0-9]*[OoIl])[0-9OoIl]{2,}(?![^\W_])"
)
_TO_DIGITS = str.maketrans("OoIl", "0011")


def _fold_number_lookalikes(text: str) -> str:
    return _LOOKALIKE_NUMBER_RE.sub(lambda m: m.group().translate(_TO_DIGITS), text)


def normalise(text: str) -> Normalised:
    if text.isascii():
        return Normalised(_fold_number_lookalikes(text), None)
    confusables = _confusable_map()
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(ch)
            origin.append(i)
            continue
        if ch in _INVISIBLE_MARKS or unicodedata.category(ch) == "Cf":
            continue
        for c in unicodedata.normalize("NFKC", ch):
            if not c.isascii():
                c = str(unicodedata.decimal(c)) if c.isdecimal() else confusables.get(c, c)
            out.append(c)
            origin.append(i)
    # Reading look-alike letters as digits changes no length: the offsets still hold.
    return Normalised(_fold_number_lookalikes("".join(out)), origin)
