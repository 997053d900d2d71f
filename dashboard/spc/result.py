"""The engine's result: per-point codes, per-group statistics, per-series summary."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .codes import (
    ASSURANCES,
    FLAG_CLOSE,
    FLAG_OUTSIDE,
    POINT_TYPES,
    SHORT_GROUP_THRESHOLD,
    VARIATIONS,
    special_cause_labels,
)

__all__ = ["SpcResult"]


@dataclasses.dataclass
class SpcResult:
    """Result of :func:`compute`, :func:`compute_sorted` (or one chunk of
    :func:`iter_compute_sorted`).

    Stored per point (aligned with the input rows): ``values``, ``special_cause_type`` and
    ``point_type`` (uint8 codes) and ``flags`` (uint8: bits 0-1 relative_to_mean + 1, bit 2
    outside_limits, bit 3 close_to_limits). Derived per point on access (each property builds a
    new array): ``relative_to_mean`` (int8 -1/0/1), ``outside_limits``, ``close_to_limits``,
    ``series``, ``group``, ``rebase_group``, ``mean``, ``lpl``, ``upl``, ``nlpl``, ``nupl``,
    ``short_group_warning``, and the masks ``value_missing``, ``relative_missing``,
    ``limits_missing`` (where the reference has NA; the booleans are False there).

    Per group (series x rebase group, in (series, date) order): ``group_offsets`` (rows in sorted
    order; group j is sorted rows ``group_offsets[j]:group_offsets[j + 1]``), ``group_series``,
    ``group_rebase``, ``group_n``, ``group_mean``, ``group_amr`` (after screening),
    ``group_lpl``, ``group_upl``, ``group_nlpl``, ``group_nupl``.

    Per series: ``series_ids``, ``series_offsets`` (sorted rows), ``series_n`` (rows),
    ``improvement`` (+1/-1/0), ``target`` (NaN = none), ``variation`` and ``assurance`` (codes),
    ``last_point`` (row of the latest date, -1 for an empty series).

    ``options`` names every option used; ``options["non_default"]`` lists those that leave the
    reference. ``order`` (None when the input was already sorted) gives, for each sorted row, its
    input row. ``row_start`` / ``series_start`` locate a chunk of :func:`iter_compute_sorted`.
    """

    values: np.ndarray
    special_cause_type: np.ndarray
    point_type: np.ndarray
    flags: np.ndarray
    series_offsets: np.ndarray
    group_offsets: np.ndarray
    group_series: np.ndarray
    group_rebase: np.ndarray
    group_mean: np.ndarray
    group_amr: np.ndarray
    group_lpl: np.ndarray
    group_upl: np.ndarray
    group_nlpl: np.ndarray
    group_nupl: np.ndarray
    series_ids: np.ndarray
    improvement: np.ndarray
    target: np.ndarray
    variation: np.ndarray
    assurance: np.ndarray
    options: dict[str, Any]
    order: np.ndarray | None = None
    row_start: int = 0
    series_start: int = 0

    # -- sizes ----------------------------------------------------------------------------------
    @property
    def group_n(self) -> np.ndarray:
        return np.diff(self.group_offsets)

    @property
    def series_n(self) -> np.ndarray:
        return np.diff(self.series_offsets)

    def _to_input(self, sorted_values: np.ndarray) -> np.ndarray:
        if self.order is None:
            return sorted_values
        out = np.empty_like(sorted_values)
        out[self.order] = sorted_values
        return out

    @property
    def last_point(self) -> np.ndarray:
        n = self.series_n
        last = np.where(n > 0, self.series_offsets[1:] - 1, -1)
        if self.order is not None:
            last = np.where(last >= 0, self.order[np.maximum(last, 0)], -1)
        return last

    # -- per point, derived ---------------------------------------------------------------------
    @property
    def relative_to_mean(self) -> np.ndarray:
        return (self.flags & 3).view(np.int8) - 1

    @property
    def outside_limits(self) -> np.ndarray:
        return (self.flags & FLAG_OUTSIDE) != 0

    @property
    def close_to_limits(self) -> np.ndarray:
        return (self.flags & FLAG_CLOSE) != 0

    @property
    def group(self) -> np.ndarray:
        ng = self.group_offsets.size - 1
        return self._to_input(np.repeat(np.arange(ng, dtype=np.int32), self.group_n))

    @property
    def series(self) -> np.ndarray:
        ns = self.series_offsets.size - 1
        return self._to_input(np.repeat(np.arange(ns, dtype=np.int32), self.series_n))

    def _per_point(self, per_group: np.ndarray) -> np.ndarray:
        return self._to_input(np.repeat(per_group, self.group_n))

    @property
    def rebase_group(self) -> np.ndarray:
        return self._per_point(self.group_rebase)

    @property
    def mean(self) -> np.ndarray:
        return self._per_point(self.group_mean)

    @property
    def lpl(self) -> np.ndarray:
        return self._per_point(self.group_lpl)

    @property
    def upl(self) -> np.ndarray:
        return self._per_point(self.group_upl)

    @property
    def nlpl(self) -> np.ndarray:
        return self._per_point(self.group_nlpl)

    @property
    def nupl(self) -> np.ndarray:
        return self._per_point(self.group_nupl)

    @property
    def short_group_warning(self) -> np.ndarray:
        """True where the point's group has fewer than 13 rows (trial limits)."""
        return self._per_point(self.group_n < SHORT_GROUP_THRESHOLD)

    @property
    def value_missing(self) -> np.ndarray:
        return np.isnan(self.values)

    @property
    def relative_missing(self) -> np.ndarray:
        """Where ``relative_to_mean`` is missing (NA in the reference)."""
        return np.isnan(self.values) | np.isnan(self.mean)

    @property
    def limits_missing(self) -> np.ndarray:
        """Where ``outside_limits`` and ``close_to_limits`` are missing (NA in the reference)."""
        return np.isnan(self.values) | np.isnan(self.lpl)

    # -- labels ---------------------------------------------------------------------------------
    @property
    def special_cause_labels(self) -> tuple[str, ...]:
        return special_cause_labels(self.options["rule_length"])

    def labels(self, name: str) -> list[str]:
        """Per-point labels of ``special_cause_type`` or ``point_type``."""
        table = self.special_cause_labels if name == "special_cause_type" else POINT_TYPES
        if name not in ("special_cause_type", "point_type"):
            raise ValueError(f"no per-point labels for {name!r}")
        return np.asarray(table, dtype=object)[getattr(self, name)].tolist()

    def series_labels(self, name: str) -> list[str]:
        """Per-series labels of ``variation`` or ``assurance`` (``""`` = no assurance)."""
        table = {"variation": VARIATIONS, "assurance": ASSURANCES}[name]
        return np.asarray(table, dtype=object)[getattr(self, name)].tolist()
