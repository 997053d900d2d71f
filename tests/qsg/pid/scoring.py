"""Precision and recall of the PID screener on the labelled corpus.

Counting is per finding kind and per snippet, as multisets: if a snippet should hold two
phone numbers and the screener finds one, that is one true positive and one false
negative; a finding of a kind the snippet should not hold is a false positive.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from qsg.pid import KINDS, Finding
from tests.qsg.pid.corpus import Snippet


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        found = self.tp + self.fp
        return self.tp / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.tp + self.fn
        return self.tp / expected if expected else 1.0


def evaluate(corpus: Iterable[Snippet], screen: Callable[[str], list[Finding]]) -> dict[str, Tally]:
    """Tallies per kind, plus ``"overall"`` summed over kinds."""
    tallies = {kind: Tally() for kind in KINDS}
    for snippet in corpus:
        expected = Counter(snippet.kinds)
        found = Counter(f.kind for f in screen(snippet.text))
        for kind in KINDS:
            hit = min(expected[kind], found[kind])
            tallies[kind].tp += hit
            tallies[kind].fp += found[kind] - hit
            tallies[kind].fn += expected[kind] - hit
    overall = Tally()
    for t in tallies.values():
        overall.tp += t.tp
        overall.fp += t.fp
        overall.fn += t.fn
    tallies["overall"] = overall
    return tallies


def snippet_confusion(corpus: Iterable[Snippet], screen: Callable[[str], list[Finding]]) -> Tally:
    """Snippet-level tally: does the screener block exactly the snippets holding PID?"""
    t = Tally()
    for snippet in corpus:
        blocked = bool(screen(snippet.text))
        if blocked and snippet.kinds:
            t.tp += 1
        elif blocked:
            t.fp += 1
        elif snippet.kinds:
            t.fn += 1
    return t


def table(tallies: dict[str, Tally]) -> str:
    """A Markdown table of the tallies."""
    rows = [
        "| kind | true pos. | false pos. | false neg. | precision | recall |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, t in tallies.items():
        rows.append(f"| {kind} | {t.tp} | {t.fp} | {t.fn} | {t.precision:.3f} | {t.recall:.3f} |")
    return "\n".join(rows)


def by_category(
    corpus: Iterable[Snippet], screen: Callable[[str], list[Finding]]
) -> dict[str, tuple[int, int]]:
    """Per category: (snippets the screener gets right, snippets). Right means exactly the
    expected kinds for a snippet with PID, nothing at all for one without."""
    counts: dict[str, Counter] = {}
    for snippet in corpus:
        found = Counter(f.kind for f in screen(snippet.text))
        tally = counts.setdefault(snippet.category, Counter())
        tally["right"] += found == Counter(snippet.kinds)
        tally["total"] += 1
    return {category: (n["right"], n["total"]) for category, n in counts.items()}
