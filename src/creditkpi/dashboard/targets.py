"""Targets of KPIs: read, checked against the registry, met or missed by each KPI's direction.

A target is a value of a KPI of :data:`creditkpi.registry.KPIS` in the KPI's
own unit: a fraction for a ratio (``overdue_rate = 0.15`` for 15 %), days
for days (``dso = 45``), an amount in the ledger's currency for money. It is
**met** when the KPI is at least as good as the target by its direction
(``better="lower"``: value ≤ target; ``"higher"``: value ≥ target),
**missed** otherwise, and has **no value** when the KPI is undefined or not
in the dashboard (its inputs are missing).

In a file (``creditkpi report --targets FILE``), targets are a TOML
``[targets]`` table::

    # targets.toml
    [targets]
    dso = 45
    overdue_rate = 0.15
    cei = 0.80

Every name must be a KPI of the registry with a direction, and every value
a number in the KPI's range; anything else is an
:class:`~creditkpi.core.errors.InvalidTargetError` naming the rule, the
name and the value.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.core.errors import InvalidTargetError
from creditkpi.registry import KPIS, TABLES

__all__ = ["STATUSES", "InvalidTargetError", "read_targets", "target_status"]

#: the status of a target
STATUSES = ("met", "missed", "no value")


def read_targets(targets: Mapping[str, Any] | str | Path | None) -> dict[str, float]:
    """Targets checked against the registry: ``{name: value}`` (a mapping, or a TOML file).

    Parameters
    ----------
    targets : mapping, path or None
        ``{"dso": 45, "overdue_rate": 0.15}``, or the path of a TOML file
        with a ``[targets]`` table of the same; ``None``: no targets.

    Returns
    -------
    dict of str to float
        In the registry's order.

    Raises
    ------
    InvalidTargetError
        Rules ``unknown-target`` (not a KPI of the registry: a close name is
        suggested), ``target-without-direction`` (a KPI neither higher nor
        lower is better for, such as sales), ``invalid-target`` (not a
        number, not finite, a ratio outside 0 to 1, a negative amount),
        ``unreadable-targets`` (no such file, not TOML, no ``[targets]``
        table, other tables).

    Examples
    --------
    >>> read_targets({"overdue_rate": 0.15, "dso": 45})
    {'overdue_rate': 0.15, 'dso': 45.0}
    >>> read_targets({"dsoo": 45})
    Traceback (most recent call last):
    ...
    creditkpi.core.errors.InvalidTargetError: unknown-target: 'dsoo' is not a KPI of the registry; did you mean 'dso'? ...
    """
    if targets is None:
        return {}
    if isinstance(targets, (str, Path)):
        return _check(_load(Path(targets)), where=f"[targets] of {targets}")
    if not isinstance(targets, Mapping):
        raise InvalidTargetError(
            f"targets must be a mapping of KPI names to values or a TOML file; got "
            f"{type(targets).__name__}",
            argument="targets",
        )
    return _check(targets, where="targets")


def _load(path: Path) -> Mapping[str, Any]:
    """The ``[targets]`` table of a TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _unreadable(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _unreadable(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise _unreadable(f"{path} is not TOML ({exc})") from None
    table = data.get("targets")
    others = [k for k in data if k != "targets"]
    if not isinstance(table, Mapping):
        raise _unreadable(
            f"{path} has no [targets] table; write one: [targets] then lines such as dso = 45"
        )
    if others:
        raise _unreadable(
            f"{path} holds more than a [targets] table ({', '.join(map(repr, others))}): "
            "nothing else is read from it; remove it or put it under [targets]"
        )
    return table


def _unreadable(message: str) -> InvalidTargetError:
    return InvalidTargetError(message, argument="targets", rule="unreadable-targets")


def _check(targets: Mapping[Any, Any], *, where: str) -> dict[str, float]:
    names = [str(k) for k in targets]
    unknown = [n for n in names if n not in KPIS]
    if unknown:
        first = unknown[0]
        close = difflib.get_close_matches(first, list(KPIS), n=1)
        table = first in TABLES
        raise InvalidTargetError(
            f"{first!r} is not a KPI of the registry"
            + ("; it is a table, and targets are for KPIs with one value" if table else "")
            + (f"; did you mean {close[0]!r}?" if close and not table else "")
            + (
                f" ({len(unknown)} unknown: {', '.join(map(repr, unknown))})"
                if len(unknown) > 1
                else ""
            )
            + f" in {where}",
            argument="targets",
            rule="unknown-target",
            hint="the names are those of creditkpi.registry.KPIS (the KPI index of the "
            "documentation): " + ", ".join(k for k, v in KPIS.items() if v.better),
        )
    undirected = [n for n in names if KPIS[n].better is None]
    if undirected:
        raise InvalidTargetError(
            f"{undirected[0]!r} has no better direction (neither a higher nor a lower value is "
            f"an improvement), so a target of it can be neither met nor missed, in {where}",
            argument="targets",
            rule="target-without-direction",
            hint="give targets of KPIs with a direction: "
            + ", ".join(k for k, v in KPIS.items() if v.better),
        )
    checked = {
        name: _value(name, targets[key], where) for name, key in zip(names, targets, strict=True)
    }
    return {name: checked[name] for name in KPIS if name in checked}


def _value(name: str, value: Any, where: str) -> float:
    unit = KPIS[name].unit
    number: float | None = None
    if isinstance(value, (int, float, Decimal, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    ):
        number = float(value)
    problem = None
    if number is None:
        quoted = isinstance(value, str)
        problem = "is not a number" + (" (write it without quotes: dso = 45)" if quoted else "")
    elif not math.isfinite(number):
        problem = "is not a finite number"
    elif unit == "ratio" and not 0 <= number <= 1:
        problem = "is a ratio: give a fraction between 0 and 1 (0.15 for 15 %)"
    elif unit in ("money", "money_per_money", "count") and number < 0:
        problem = "must be >= 0"
    if problem is not None:
        raise InvalidTargetError(
            f"the target of {name!r} {problem} in {where}",
            argument="targets",
            values=[value],
        )
    assert number is not None
    return number


def target_status(kpis: pd.DataFrame, targets: Mapping[str, float]) -> pd.DataFrame:
    """Each target beside the KPI's value: met, missed or no value (see the module).

    Parameters
    ----------
    kpis : DataFrame
        A dashboard's KPI table (:attr:`creditkpi.Dashboard.kpis`).
    targets : mapping
        As :func:`read_targets` returns them.

    Returns
    -------
    DataFrame
        Index ``kpi`` (the targets, in the registry's order); columns
        ``label``, ``target``, ``current`` (float), ``status`` (one of
        :data:`STATUSES`) and ``gap`` (current - target in the KPI's unit;
        ``nan`` without a value).

    Examples
    --------
    >>> import pandas as pd
    >>> kpis = pd.DataFrame({"label": ["DSO (standard)", "CEI"], "current": [52.0, 0.9]},
    ...                     index=pd.Index(["dso", "cei"], name="kpi"))
    >>> target_status(kpis, {"dso": 45.0, "cei": 0.8})[["target", "current", "status"]]
         target  current  status
    kpi
    dso    45.0     52.0  missed
    cei     0.8      0.9     met
    """
    rows = []
    for name, target in targets.items():
        info = KPIS[name]
        value: Any = kpis.at[name, "current"] if name in kpis.index else math.nan
        current = float(value)
        if math.isnan(current):
            status = "no value"
        elif info.better == "lower":
            status = "met" if current <= target else "missed"
        else:
            status = "met" if current >= target else "missed"
        rows.append(
            {
                "kpi": name,
                # the dashboard's label: it names the book's currency
                "label": kpis.at[name, "label"]
                if "label" in kpis.columns and name in kpis.index
                else info.label,
                "target": float(target),
                "current": current,
                "status": status,
                "gap": current - float(target),
            }
        )
    frame = pd.DataFrame(rows, columns=["kpi", "label", "target", "current", "status", "gap"])
    return frame.set_index("kpi")
