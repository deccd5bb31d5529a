"""Where a computation reads its parts: computed on demand, each once, per key and group.

A :class:`PartSource` holds the parts of one computation: ``n`` keys (as-of
dates, periods, or a period with its snapshot date each) and the groups of
one grouping. :class:`LedgerParts` computes them from a ledger;
:class:`creditkpi.distributed.SummaryParts` reads them from a combined
summary. Either way a KPI's spec asks for its parts by name, and the same
finisher turns them into the same result.

* an array part (:data:`~creditkpi.core.parts.names.PARTS`, the edges
  ``_start`` / ``_end``, the buckets, the costs) is a ``(keys, groups)``
  array;
* a per-key part (the countback months, a table part of
  :mod:`~creditkpi.core.parts.tables`) is a list with one item per key;
* a :class:`Derived` part is a family's intermediate (one survival estimate,
  one provision matrix, one forecast) computed from other parts once per key
  and read by each of the family's KPIs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias

import numpy.typing as npt
import pandas as pd

from creditkpi.core.engine.position import bucket_labels
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import Groups
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts.countback import countback_months
from creditkpi.core.parts.names import (
    BUCKET_INVOICES,
    BUCKETS,
    COSTS,
    COUNTBACK_MONTHS,
    DEFAULT_BUCKETS,
    PARTS,
)
from creditkpi.core.parts.periods import period_parts
from creditkpi.core.parts.settings import Settings
from creditkpi.core.parts.snapshot import snapshot_parts
from creditkpi.core.parts.tables import TABLE_PARTS, Memo
from creditkpi.core.period import Period, to_day

__all__ = ["Derived", "LedgerParts", "Part", "PartSource", "base_parts", "part_name"]


@dataclass(frozen=True, kw_only=True)
class Derived:
    """A family's intermediate: computed from parts once per key, read by several KPIs.

    Fit once, read many: the time-to-pay KPIs read one survival estimate,
    the expected credit loss and its coverage one provision matrix, the
    forecast KPIs one forecast.

    Attributes
    ----------
    name : str
        Its name in a source's cache: two derived parts with the same name
        are the same computation (a variant with other options needs
        another name).
    parts : tuple
        The parts it is computed from (names or other derived parts).
    compute : callable
        ``compute(*values, groups=labels)`` -> its value at one key, from
        the values of :attr:`parts` at that key (an array part gives its
        row, a per-key part its item) and the group labels.
    description : str
    """

    name: str
    parts: tuple[Part, ...]
    compute: Callable[..., Any]
    description: str = ""


#: a part a spec may ask for: a name, or a derived part
Part: TypeAlias = "str | Derived"


def part_name(part: Part) -> str:
    """The name of a part (its cache key)."""
    return part if isinstance(part, str) else part.name


def base_parts(parts: Iterable[Part]) -> list[str]:
    """The named parts behind ``parts``, derived parts expanded (in order, once each)."""
    out: dict[str, None] = {}
    for part in parts:
        if isinstance(part, Derived):
            out.update(dict.fromkeys(base_parts(part.parts)))
        else:
            out[part] = None
    return list(out)


class PartSource:
    """The parts of one computation: ``n_keys`` keys, the groups of one grouping.

    Subclasses compute named parts (:meth:`compute`); this class keeps each
    once and computes the derived parts from them.
    """

    def __init__(self, *, n_keys: int, labels: pd.Index, digits: int, settings: Settings):
        self.n_keys = n_keys
        self.labels = labels
        self.digits = digits
        self.settings = settings
        self._cache: dict[str, Any] = {}

    def compute(self, names: list[str]) -> dict[str, Any]:  # pragma: no cover - abstract
        """The named parts ``names`` (none of them cached yet)."""
        raise NotImplementedError

    def fetch(self, parts: Iterable[Part]) -> None:
        """Compute the named parts behind ``parts`` not yet computed, in one batch."""
        missing = [n for n in base_parts(parts) if n not in self._cache]
        if missing:
            self._cache.update(self.compute(missing))

    def value(self, part: Part) -> Any:
        """A part's value: a ``(keys, groups)`` array or a list with one item per key."""
        name = part_name(part)
        if name not in self._cache:
            if isinstance(part, Derived):
                self.fetch(part.parts)
                groups = list(self.labels)
                self._cache[name] = [
                    part.compute(*(self.at(p, j) for p in part.parts), groups=groups)
                    for j in range(self.n_keys)
                ]
            else:
                self.fetch([part])
        return self._cache[name]

    def at(self, part: Part, j: int) -> Any:
        """A part's value at key ``j``: its row of an array part, its item of a per-key part."""
        value = self.value(part)
        return value[j]


#: kinds of named parts a ledger computes
_SNAPSHOT = {n for n, (kind, _, _) in PARTS.items() if kind == "snapshot"}


class LedgerParts(PartSource):
    """The parts of a ledger at ``n`` keys, per group of ``groups``.

    Parameters
    ----------
    ledger : Ledger
    groups : Groups
        :func:`~creditkpi.core.groups.group_codes` of the grouping.
    periods : list of Period, optional
        One per key: the periods of the period parts.
    dates : list of date, optional
        One per key: the as-of dates of the snapshot and table parts
        (default: the periods' ends).
    observed : list of int, optional
        One day number per period: the observation date of the recovery and
        activation parts (default: the periods' ends).
    costs : ndarray, optional
        The ``costs`` part, ``(keys, groups)`` (:func:`creditkpi.core.costs.cost_matrix`).
    settings : Settings, optional
    """

    def __init__(
        self,
        ledger: Ledger,
        groups: Groups,
        *,
        periods: Sequence[Period] | None = None,
        dates: Sequence[date] | None = None,
        observed: Sequence[int] | None = None,
        costs: npt.NDArray[Any] | None = None,
        settings: Settings | None = None,
    ):
        if dates is None:
            if periods is None:
                raise InvalidOptionError("give periods or dates", column="parts")
            dates = [p.end for p in periods]
        super().__init__(
            n_keys=len(dates),
            labels=groups.labels,
            digits=ledger.digits,
            settings=settings or Settings(),
        )
        self.ledger = ledger
        self.groups = groups
        self.periods = None if periods is None else list(periods)
        self.dates = list(dates)
        self.observed = None if observed is None else list(observed)
        self.costs = costs
        self.memo: Memo = {}

    def _is_snapshot(self, name: str) -> bool:
        s = self.settings
        return (
            name in _SNAPSHOT
            or name in (BUCKETS, BUCKET_INVOICES)
            or name in DEFAULT_BUCKETS
            or name in bucket_labels(s.edges, s.basis)
        )

    def compute(self, names: list[str]) -> dict[str, Any]:
        s = self.settings
        out: dict[str, Any] = {}
        snapshot = [n for n in names if self._is_snapshot(n)]
        tables = [n for n in names if n in TABLE_PARTS]
        special = {COUNTBACK_MONTHS, COSTS}
        period = [n for n in names if n not in snapshot and n not in tables and n not in special]
        # the default buckets' labels under other edges: a second pass with the default edges
        labels = bucket_labels(s.edges, s.basis)
        fixed = [n for n in snapshot if n in DEFAULT_BUCKETS and n not in labels]
        days = [to_day(d) for d in self.dates]
        for names_, edges, basis in ((snapshot, s.edges, s.basis), (fixed, (30, 60, 90), "due")):
            wanted = [n for n in names_ if names_ is fixed or n not in fixed]
            if wanted:
                out.update(
                    snapshot_parts(
                        self.ledger,
                        days,
                        self.groups,
                        wanted,
                        edges=edges,
                        basis=basis,
                        rule_days=s.rule_days,
                        settings=s,
                    )
                )
        if period:
            out.update(
                period_parts(
                    self.ledger,
                    self._periods(period),
                    self.groups,
                    period,
                    observed=self.observed,
                    edges=s.edges,
                    basis=s.basis,
                    rule_days=s.rule_days,
                    settings=s,
                )
            )
        for name in tables:
            part = TABLE_PARTS[name]
            out[name] = [
                part.compute(self.ledger, to_day(d), self.groups, s, self.memo) for d in self.dates
            ]
        if COUNTBACK_MONTHS in names:
            ends = [p.end for p in self._periods([COUNTBACK_MONTHS])]
            out[COUNTBACK_MONTHS] = countback_months(
                self.ledger, ends, self.groups, max_months=s.max_months
            )
        if COSTS in names:
            if self.costs is None:
                raise InvalidOptionError(
                    "costs is required: a number for the period or dated cost lines",
                    column="costs",
                )
            out[COSTS] = self.costs
        return out

    def _periods(self, names: list[str]) -> list[Period]:
        if self.periods is None:
            raise InvalidOptionError(
                f"the part(s) {', '.join(names)} are over periods: give periods", column="parts"
            )
        return self.periods
