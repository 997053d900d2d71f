"""Property tests: the vectorised multi-series engine equals a scalar implementation of SPC.md
applied to each series alone (random series with NaNs, ties, rebase points, options)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.spc.engine import compute, compute_sorted, iter_compute_sorted
from dashboard.spc.rmean import r_mean

from . import spc_reference_impl as ref
from .spc_support import same_float

# values: small integers (ties, points exactly on the mean), a coarse grid, anything finite
value = st.one_of(
    st.none(),
    st.integers(0, 6).map(float),
    st.integers(-40, 40).map(lambda k: k / 10),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.floats(0.01, 0.5),
)
noise = st.lists(value, min_size=1, max_size=45)


@st.composite
def walk(draw):
    """Runs up and down (trends, touching trend windows, shifts), ties and some gaps."""
    steps = draw(st.lists(st.sampled_from([-2, -1, -1, 0, 1, 1, 2]), min_size=1, max_size=45))
    start = draw(st.integers(-5, 5))
    ys, level = [], start
    for step in steps:
        level += step
        ys.append(None if draw(st.integers(0, 15)) == 0 else float(level))
    return ys


@st.composite
def mountain(draw):
    """Strictly rising then strictly falling runs (peaks read Decreasing), around noise."""
    up = draw(st.integers(1, 9))
    down = draw(st.integers(1, 9))
    top = draw(st.integers(5, 20))
    core = [float(top - up + k) for k in range(up)] + [float(top - k) for k in range(down + 1)]
    return draw(st.lists(value, max_size=6)) + core + draw(st.lists(value, max_size=6))


series_values = st.one_of(noise, walk(), mountain())


@st.composite
def runs(draw):
    n_series = draw(st.integers(1, 5))
    data = []
    for _ in range(n_series):
        ys = draw(series_values)
        flags = draw(st.lists(st.booleans(), min_size=len(ys), max_size=len(ys)))
        # rebase points are rare in practice
        flags = [f and draw(st.integers(0, 5)) == 0 for f in flags]
        direction = draw(st.sampled_from([1, -1, 0]))
        target = draw(st.one_of(st.none(), st.floats(-10, 10), st.integers(0, 6).map(float)))
        data.append((ys, flags, direction, target))
    opts = {
        "fix_after_n_points": draw(st.one_of(st.none(), st.integers(12, 30))),
        "screen_outliers": draw(st.booleans()),
        "rule_length": draw(st.sampled_from([7, 7, 6])),
        "two_in_three_beyond_limits": draw(st.booleans()),
    }
    chunk = draw(st.sampled_from([100_000, 1, 37, 100]))
    return data, opts, chunk


def expected(data, opts):
    any_target = any(t is not None for _, _, _, t in data)
    return [
        ref.series(
            [math.nan if y is None else y for y in ys],
            flags,
            direction=d,
            target=t,
            any_target=any_target,
            fix=opts["fix_after_n_points"],
            screen=opts["screen_outliers"],
            rule=opts["rule_length"],
            beyond=opts["two_in_three_beyond_limits"],
        )
        for ys, flags, d, t in data
    ]


def check(res, exp, offset=0):
    """Compare an SpcResult (rows in series order) with the expected series."""
    mean, lpl, upl = res.mean, res.lpl, res.upl
    rel, rel_na = res.relative_to_mean, res.relative_missing
    out, close, lim_na = res.outside_limits, res.close_to_limits, res.limits_missing
    sct, pt, rg = res.labels("special_cause_type"), res.labels("point_type"), res.rebase_group
    var, ass = res.series_labels("variation"), res.series_labels("assurance")
    i = offset
    for s, e in enumerate(exp):
        for k in range(len(e["mean"])):
            assert same_float(float(mean[i]), e["mean"][k]), (s, k, "mean")
            assert same_float(float(lpl[i]), e["lpl"][k]), (s, k, "lpl")
            assert same_float(float(upl[i]), e["upl"][k]), (s, k, "upl")
            assert (None if rel_na[i] else int(rel[i])) == e["rel"][k], (s, k, "rel")
            assert (None if lim_na[i] else bool(out[i])) == e["outside"][k], (s, k, "outside")
            assert (None if lim_na[i] else bool(close[i])) == e["close"][k], (s, k, "close")
            assert sct[i] == e["sct"][k], (s, k, sct[i], e["sct"][k])
            assert pt[i] == e["pt"][k], (s, k)
            assert int(rg[i]) == e["rebase_group"][k], (s, k)
            i += 1
        assert var[s] == e["variation"], s
        assert ass[s] == e["assurance"], s


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_vectorised_equals_scalar_reference(run):
    data, opts, chunk = run
    exp = expected(data, opts)
    ys = [math.nan if y is None else y for d in data for y in d[0]]
    off = np.cumsum([0] + [len(d[0]) for d in data])
    rebase = np.concatenate([np.cumsum(d[1], dtype=np.int64) for d in data])
    any_target = any(d[3] is not None for d in data)
    res = compute_sorted(
        ys,
        off,
        rebase_group=rebase,
        improvement=np.array([d[2] for d in data]),
        targets=np.array([math.nan if d[3] is None else d[3] for d in data])
        if any_target
        else None,
        chunk_points=chunk,
        **opts,
    )
    check(res, exp)

    # two threads: the same
    res_t = compute_sorted(
        ys,
        off,
        rebase_group=rebase,
        improvement=np.array([d[2] for d in data]),
        targets=res.target if any_target else None,
        chunk_points=chunk,
        workers=2,
        **opts,
    )
    for name in ("special_cause_type", "point_type", "flags", "variation", "assurance"):
        assert np.array_equal(getattr(res_t, name), getattr(res, name)), name
    assert np.array_equal(res_t.group_mean, res.group_mean, equal_nan=True)
    assert np.array_equal(res_t.group_upl, res.group_upl, equal_nan=True)

    # the same through compute(), rows shuffled, rebase dates per series
    rng = np.random.default_rng(len(ys))
    ids = np.repeat([f"s{i}" for i in range(len(data))], [len(d[0]) for d in data])
    days = np.concatenate([np.arange(len(d[0])) * 7 + 100 for d in data])
    perm = rng.permutation(len(ys))
    rebase_dates = {
        f"s{i}": [int(100 + 7 * k) for k, f in enumerate(d[1]) if f] for i, d in enumerate(data)
    }
    res2 = compute(
        ids[perm],
        days[perm],
        np.array(ys)[perm],
        rebase_dates=rebase_dates,
        improvement={f"s{i}": d[2] for i, d in enumerate(data)},
        targets={f"s{i}": d[3] for i, d in enumerate(data)} if any_target else None,
        chunk_points=chunk,
        **opts,
    )
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    for name in ("special_cause_type", "point_type", "flags"):
        assert np.array_equal(getattr(res2, name)[inv], getattr(res, name)), name
    assert np.array_equal(res2.mean[inv], res.mean, equal_nan=True)
    assert np.array_equal(res2.variation, res.variation)
    assert np.array_equal(res2.assurance, res.assurance)

    # streamed chunk by chunk: the same
    for part in iter_compute_sorted(
        ys,
        off,
        rebase_group=rebase,
        improvement=np.array([d[2] for d in data]),
        targets=np.array([math.nan if d[3] is None else d[3] for d in data])
        if any_target
        else None,
        chunk_points=chunk,
        **opts,
    ):
        s0 = part.series_start
        check(part, exp[s0 : s0 + part.series_ids.size])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=False, allow_infinity=False, width=64),
            st.floats(-1e-300, 1e-300),
            st.integers(-(2**60), 2**60).map(float),
            st.integers(1, 9).map(lambda k: k / 10),
            st.floats(0.5, 2.0),
        ),
        min_size=1,
        max_size=70,
    )
)
def test_r_mean_is_bit_exact(xs):
    # sums of huge values overflow long double only beyond 1e4932: never for doubles
    expected = ref.r_mean(xs)
    assert same_float(r_mean(xs), expected), (xs, r_mean(xs), expected)


def test_r_mean_hard_cases():
    cases = [
        [1.0, 1.0 + 2**-52],  # exact midpoint between two doubles
        [0.1] * 10,
        [1e16, 1.0, -1e16],
        [1e300, -1e300, 1e-300],
        [0.1, 0.2, 0.3],
        [5e-324, 5e-324, 1e-323],
        [-0.0, -0.0],
        [3.0, 3.0, 3.0 + 2**-51] * 7,
    ]
    for xs in cases:
        assert same_float(r_mean(xs), ref.r_mean(xs)), xs
    assert math.isnan(r_mean([]))
    assert math.isnan(r_mean([math.nan]))
    assert repr(r_mean([-0.0, -0.0])) == "0.0"


def test_many_mixed_series_against_the_reference():
    """Exact and inexact sums side by side (counts, rates, wide-range values that cancel): the
    engine sums column subsets, which must still be added in R's order."""
    rng = np.random.default_rng(20240501)
    series = []
    for k in range(1200):
        kind = k % 4
        if kind == 0:
            ys = rng.poisson(40, size=40).astype(float)
        elif kind == 1:
            ys = rng.uniform(0.02, 0.5) * rng.lognormal(0, 0.2, size=40)
        else:  # means close to 0: heavy cancellation, R's correction pass matters
            ys = rng.normal(size=40) * 10.0 ** rng.integers(-6, 6)
        series.append(ys.tolist())
    ys = [y for s in series for y in s]
    off = np.cumsum([0] + [len(s) for s in series])
    for screen in (True, False):
        res = compute_sorted(ys, off, screen_outliers=screen)
        exp = [ref.series(s, screen=screen) for s in series]
        check(res, exp)
