"""Engine-only throughput and memory of the SPC engine on synthetic data.

    python tests/benchmarks/bench_spc_engine.py [--orgs 8000] [--indicators 22] [--months 60]

Default: 8,000 organisations x 22 indicators x 60 months = 10.56 million points (176,000
series), rates with noise, 0.2 % missing values, a few steps and trends, mixed improvement
directions and targets. Prints points per second for

* ``streamed``: :func:`iter_compute_sorted`, chunks of whole series whose per-point outputs are
  reused buffers (the engine's own cost; memory bounded whatever the input size);
* ``materialised``: :func:`compute_sorted`, keeping every per-point output (3 bytes a point,
  written to fresh memory, whose page faults cost extra on this machine);
* ``2 threads``: the same with ``workers=2`` (chunks side by side);

then, in a second pass under tracemalloc, the engine's peak allocation beyond its input, and the
process's peak RSS. No assertions: figures only (see docs/benchmarks-spc.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from dashboard.spc.engine import DEFAULT_CHUNK_POINTS, compute_sorted, iter_compute_sorted


def synthetic(orgs: int, indicators: int, months: int, seed: int = 20240401):
    """Rows sorted by (series, month): values, series offsets, directions, targets."""
    rng = np.random.default_rng(seed)
    n_series = orgs * indicators
    level = rng.uniform(0.02, 0.6, size=n_series)
    noise = rng.lognormal(0.0, 0.15, size=(n_series, months))
    y = level[:, None] * noise
    # a step in 10 % of the series, a trend in 5 %
    step = rng.random(n_series) < 0.10
    y[step, months // 2 :] *= 1.4
    trend = rng.random(n_series) < 0.05
    y[trend, months - 9 :] *= np.linspace(1.05, 1.6, 9)
    y = y.reshape(-1)
    y[rng.random(y.size) < 0.002] = np.nan
    offsets = np.arange(n_series + 1, dtype=np.int64) * months
    direction = rng.choice(np.array([1, -1, 0], dtype=np.int8), size=n_series, p=[0.45, 0.45, 0.1])
    targets = np.where(rng.random(n_series) < 0.5, level * rng.uniform(0.5, 1.5, n_series), np.nan)
    return y, offsets, direction, targets


def run_streamed(y, off, direction, targets, chunk):
    total = 0
    for part in iter_compute_sorted(
        y, off, improvement=direction, targets=targets, chunk_points=chunk
    ):
        total += int(part.variation.sum())
    return total


def run_materialised(y, off, direction, targets, chunk):
    return compute_sorted(y, off, improvement=direction, targets=targets, chunk_points=chunk)


def run_two_threads(y, off, direction, targets, chunk):
    return compute_sorted(
        y, off, improvement=direction, targets=targets, chunk_points=chunk, workers=2
    )


def timed(fn, repeat):
    best, times = None, []
    for _ in range(repeat):
        t0 = time.perf_counter()
        c0 = time.process_time()
        fn()
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0
        times.append((wall, cpu))
        best = wall if best is None else min(best, wall)
    return times


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orgs", type=int, default=8000)
    ap.add_argument("--indicators", type=int, default=22)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=DEFAULT_CHUNK_POINTS)
    args = ap.parse_args(argv)

    y, off, direction, targets = synthetic(args.orgs, args.indicators, args.months)
    n = y.size
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"points: {n:,} ({off.size - 1:,} series x {args.months} months), chunk {args.chunk:,}")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    runs = (
        ("streamed", run_streamed),
        ("materialised", run_materialised),
        ("2 threads", run_two_threads),
    )
    for name, fn in runs:
        fn(y[: 50 * args.months], off[:51], direction[:50], targets[:50], args.chunk)  # warm up
        times = timed(lambda fn=fn: fn(y, off, direction, targets, args.chunk), args.repeat)
        walls = [w for w, _ in times]
        cpus = [c for _, c in times]
        print(
            f"{name:>12}: best {n / min(walls) / 1e6:5.1f} M points/s wall ({min(walls):.3f} s), "
            f"median {n / sorted(walls)[len(walls) // 2] / 1e6:5.1f} M/s; "
            f"{n / min(cpus) / 1e6:5.1f} M points per CPU-second"
        )

    for name, fn in (("streamed", run_streamed), ("materialised", run_materialised)):
        tracemalloc.start()
        fn(y, off, direction, targets, args.chunk)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{name:>12}: peak allocation during the run {peak / 2**20:7.1f} MiB (input {y.nbytes / 2**20:.0f} MiB)"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process {rss:.0f} MiB (after building the input: {rss0:.0f} MiB)")


if __name__ == "__main__":
    main()
