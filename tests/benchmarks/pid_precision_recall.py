"""Precision, recall and throughput of the PID screener (qsg.pid).

Run from the repository root:

    python tests/benchmarks/pid_precision_recall.py [--no-throughput]

Prints, for the fresh labelled corpus (tests/qsg/pid/corpus.py) split by split and as a
whole, precision and recall per kind and the snippets right per category; the same for the
first corpus (tests/qsg/pid/first_corpus.py); the known limitations; and throughput in
characters per second on 1 MB texts, realistic and adversarial. Both corpora were written
by the author of the rules: read the figures with docs/benchmarks-pid.md.
"""

from __future__ import annotations

import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from qsg.pid import screen  # noqa: E402
from tests.qsg.pid import first_corpus  # noqa: E402
from tests.qsg.pid.corpus import CORPUS  # noqa: E402
from tests.qsg.pid.scoring import by_category, evaluate, snippet_confusion, table  # noqa: E402

SIZE = 1_000_000
REPEATS = 3


def report(title: str, corpus: list) -> None:
    positives = sum(1 for s in corpus if s.kinds)
    print(
        f"### {title}: {len(corpus)} snippets ({positives} with PID, {len(corpus) - positives} without)"
    )
    print()
    print(table(evaluate(corpus, screen)))
    blocked = snippet_confusion(corpus, screen)
    print()
    print(
        f"Snippets blocked (any finding): precision {blocked.precision:.3f}, recall "
        f"{blocked.recall:.3f} (tp {blocked.tp}, fp {blocked.fp}, fn {blocked.fn})"
    )
    print()


def category_table(corpus: list) -> None:
    splits = ("dev", "held", "probe")
    cats = sorted({s.category for s in corpus}, key=lambda c: (c.startswith(("hard_", "clean")), c))
    print("| category | " + " | ".join(splits) + " | all |")
    print("| --- |" + " ---: |" * (len(splits) + 1))
    per_split = {sp: by_category([s for s in corpus if s.split == sp], screen) for sp in splits}
    overall = by_category(corpus, screen)
    for cat in cats:
        cells = []
        for sp in splits:
            right, total = per_split[sp].get(cat, (0, 0))
            cells.append(f"{right}/{total}" if total else "-")
        right, total = overall[cat]
        cells.append(f"{right}/{total}")
        print(f"| {cat} | " + " | ".join(cells) + " |")
    print()


def throughput_inputs() -> dict[str, str]:
    rng = random.Random(20240514)
    prose = "\n".join(s.text for s in CORPUS)
    clean = "\n".join(s.text for s in CORPUS if not s.kinds)
    return {
        "corpus snippets, all": (prose * (SIZE // len(prose) + 1))[:SIZE],
        "corpus snippets without PID": (clean * (SIZE // len(clean) + 1))[:SIZE],
        "adversarial: '12 ' repeated": "12 " * (SIZE // 3),
        "adversarial: 'Dr ' repeated": "Dr " * (SIZE // 3),
        "adversarial: 'DOB ' repeated": "DOB " * (SIZE // 4),
        "adversarial: '+(0)' repeated": "+(0)" * (SIZE // 4),
        "adversarial: 'a at b dot ' repeated": "a at b dot " * (SIZE // 11),
        "adversarial: 'Aa Bb, 84, ' repeated": "Aa Bb, 84, " * (SIZE // 11),
        "adversarial: 'mrs x ' repeated": "mrs x " * (SIZE // 6),
        "Cyrillic and zero-width characters": "\u041crs\u200b \u0421\u0430 " * (SIZE // 8),
        "random characters from the PID alphabet": "".join(
            rng.choice("0123456789 -.()+/@:DrMsOBNHSoOl\n\u00a0\u200b\uff20") for _ in range(SIZE)
        ),
    }


def main() -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.strip()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, commit {commit or '?'}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print()
    for split in ("dev", "held", "probe"):
        report(f"Fresh corpus, {split} split", [s for s in CORPUS if s.split == split])
    report("Fresh corpus, all splits", CORPUS)
    print("Snippets right per category (exact kinds; none for a snippet without PID):")
    print()
    category_table(CORPUS)
    report("First corpus", first_corpus.CORPUS)
    print("Known limitations:")
    for s in [*CORPUS, *first_corpus.CORPUS]:
        if s.limitation:
            print(f"- {s.text!r}: {s.limitation}")
    print()
    if "--no-throughput" in sys.argv:
        return
    screen("warm the word lists: mrs crabtree, Aa Bb, 84")
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
    "'Dr ' repeated": "Dr ",
    "'Aa Bb, 84, ' repeated": "Aa Bb, 84, ",
    "Cyrillic and zero-width": "\u041crs\u200b \u0421\u0430 ",
}


if __name__ == "__main__":
    main()
