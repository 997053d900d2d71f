"""Free text as it leaves the workspace (pages, PDFs, exports).

Explicit bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) are escaped like
any other character, but they still reorder what the reader sees around them, so a provider's
name or an intelligence summary could be made to read as something else ("Trojan Source").
They are removed on the way out. Left-to-right and right-to-left marks (U+200E, U+200F), which
do not open a run, are kept.
"""

from __future__ import annotations

BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def without_bidi_controls(text: str) -> str:
    return text.translate(BIDI_CONTROLS)
