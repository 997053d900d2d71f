"""Precision, recall and throughput of the PID screener.

Run from the repository root:

    python tests/benchmarks/pid_precision_recall.py

Prints per-kind and overall precision/recall on the labelled corpus
(tests/surveillance/pid_corpus.py), the known limitations, and throughput in characters
per second on 1 MB texts (realistic prose, and adversarial inputs aimed at regex
backtracking). The corpus was written by the author of the rules: the figures measure the
rules against the author's own expectations, not performance on real submissions.
"""

from __future__ import annotations

import platform
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from surveillance.intelligence.pid import screen  # noqa: E402
from tests.surveillance.pid_corpus import CORPUS  # noqa: E402
from tests.surveillance.pid_scoring import evaluate, snippet_confusion, table  # noqa: E402

SIZE = 1_000_000
REPEATS = 5


def throughput_inputs() -> dict[str, str]:
    rng = random.Random(20240514)
    prose = "\n".join(s.text for s in CORPUS)
    clean = "\n".join(s.text for s in CORPUS if not s.kinds)
    return {
        "corpus snippets, all (42% hold PID)": (prose * (SIZE // len(prose) + 1))[:SIZE],
        "corpus snippets labelled PID-free": (clean * (SIZE // len(clean) + 1))[:SIZE],
        "adversarial: '12 ' repeated": "12 " * (SIZE // 3),
        "adversarial: '1-' repeated": "1-" * (SIZE // 2),
        "adversarial: 'Dr ' repeated": "Dr " * (SIZE // 3),
        "adversarial: 'DOB ' repeated": "DOB " * (SIZE // 4),
        "adversarial: '+(0)' repeated": "+(0)" * (SIZE // 4),
        "adversarial: 'a@' repeated": "a@" * (SIZE // 2),
        "random characters from the PID alphabet": "".join(
            rng.choice("0123456789 -.()+/@:DrMsOBNHS\n\u00a0") for _ in range(SIZE)
        ),
    }


def main() -> None:
    categories = Counter(s.category for s in CORPUS)
    print(f"Python {platform.python_version()} on {platform.machine()}")
    print(
        f"Corpus: {len(CORPUS)} snippets ({categories['positive']} positive, "
        f"{categories['near_miss']} near-miss negative, {categories['negative']} plain "
        f"negative); {sum(len(s.kinds) for s in CORPUS)} expected findings"
    )
    print()
    print(table(evaluate(CORPUS, screen)))
    blocked = snippet_confusion(CORPUS, screen)
    print()
    print(
        f"Snippets blocked (any finding): precision {blocked.precision:.3f}, "
        f"recall {blocked.recall:.3f} (tp {blocked.tp}, fp {blocked.fp}, fn {blocked.fn})"
    )
    print()
    print("Known limitations in the corpus:")
    for s in CORPUS:
        if s.limitation:
            print(f"- {s.text!r}: {s.limitation}")
    print()
    print(f"Throughput (median of {REPEATS} runs, 1 MB each):")
    print()
    print("| input | seconds | characters per second | findings |")
    print("| --- | ---: | ---: | ---: |")
    for name, text in throughput_inputs().items():
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            findings = screen(text)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        print(f"| {name} | {median:.2f} | {len(text) / median:,.0f} | {len(findings):,} |")
    print()
    print("Scaling (best of 3; linear time means seconds grow in step with size):")
    print()
    print("| input | 250 kB | 1 MB | 4 MB | 4 MB / 1 MB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, unit in SCALING_UNITS.items():
        row = []
        for size in (250_000, 1_000_000, 4_000_000):
            text = (unit * (size // len(unit) + 1))[:size]
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                screen(text)
                best = min(best, time.perf_counter() - started)
            row.append(best)
        cells = " | ".join(f"{t:.2f} s" for t in row)
        print(f"| {name} | {cells} | {row[2] / row[1]:.1f} |")


SCALING_UNITS = {
    "corpus snippets": "\n".join(s.text for s in CORPUS),
    "'12 ' repeated": "12 ",
    "'+(0)' repeated": "+(0)",
    "'DOB ' repeated": "DOB ",
    "'Dr ' repeated": "Dr ",
}


if __name__ == "__main__":
    main()
