"""The credit pack's summary in words, written from the figures and the registry.

Nothing here is written for one KPI: a sentence is made from a KPI's label,
its unit (an amount changes by a percentage, a ratio by points, days by
days), its direction (``better``: the change reads *better* or *worse*) and
its values this period, the previous one and a year before. The KPIs
summed up are those the registry marks ``headline``; then the targets, and
why the expected credit loss is zero when it is.

Examples
--------
>>> import warnings, creditkpi as ck
>>> from creditkpi import datasets
>>> from creditkpi.core.formatting import Formatter
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     board = ck.dashboard(datasets.sample(), "2024-12")
>>> lines = summary_lines(board, Formatter(board.currency))
>>> print(lines[1])
Receivables outstanding rose 9.1% to €4,134,379.63; €3,555,490.96 a year before.
>>> print(lines[2])
Overdue rate rose 4.7 points to 39.9% (worse); 30.8% a year before.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from creditkpi.core.formatting import Formatter, as_decimal
from creditkpi.registry import KPI, KPIS

if TYPE_CHECKING:  # pragma: no cover
    from creditkpi.dashboard.model import Dashboard

__all__ = ["direction", "ecl_explanation", "is_unchanged", "sentence", "summary_lines"]


def direction(info: KPI | None, change: Any, fmt: Formatter) -> str:
    """``"better"``, ``"worse"`` or ``""`` (no direction, no change, or undefined)."""
    if info is None or info.better is None or is_unchanged(change, info.unit, fmt):
        return ""
    up = float(change) > 0
    return "better" if up == (info.better == "higher") else "worse"


def is_unchanged(change: Any, unit: str, fmt: Formatter) -> bool:
    """Whether a change is undefined or reads as zero where it is shown."""
    exact = as_decimal(change)
    if exact is None:
        return True
    places = {"money": fmt.digits, "money_per_money": 4, "ratio": 3, "days": 1}.get(unit, 0)
    return round(exact, places) == 0


def _value(value: Any, unit: str, fmt: Formatter) -> str:
    """A value in a sentence: ratios with one decimal (``16.3%``), days with the word."""
    if unit == "ratio":
        return fmt.percent(value, decimals=1)
    if unit == "days":
        return f"{fmt.days(value)} days"
    return fmt.value(value, unit)


def _by(change: Any, previous: Any, unit: str, fmt: Formatter) -> str:
    """How much it moved: a percentage of an amount, points of a ratio, days."""
    size = abs(float(change))
    if unit == "ratio":
        return f"{fmt.number(size * 100, 1)} points"
    if unit == "days":
        return f"{fmt.days(size)} days"
    base = float(previous)
    if unit == "money" and base > 0:
        return fmt.relative(size / base)
    return f"by {fmt.value(size, unit)}"


def sentence(info: KPI, row: Any, fmt: Formatter, *, year_ago: bool = True) -> str | None:
    """One KPI in words, from its row of :attr:`Dashboard.kpis` (``None``: undefined now).

    ``Overdue rate rose 4.5 points to 16.3% (worse); 11.0% a year before.``
    """
    current = row["current"]
    if as_decimal(current) is None:
        return None
    unit = info.unit
    label = info.label_in(fmt.currency)  # the book's currency: cost per US dollar collected
    now = _value(current, unit, fmt)
    change = row["change"]
    if as_decimal(change) is None:
        text = f"{label}: {now}"
    elif is_unchanged(change, unit, fmt):
        text = f"{label} unchanged at {now}"
    else:
        verb = "rose" if float(change) > 0 else "fell"
        text = f"{label} {verb} {_by(change, row['previous'], unit, fmt)} to {now}"
        judged = direction(info, change, fmt)
        if judged:
            text += f" ({judged})"
    year = row["year_ago"] if "year_ago" in row.index else None
    if year_ago and as_decimal(year) is not None:
        text += f"; {_value(year, unit, fmt)} a year before"
    return text + "."


def _overview(board: Dashboard, fmt: Formatter) -> str:
    counts = {"better": 0, "worse": 0}
    for name, row in board.kpis.iterrows():
        judged = direction(KPIS.get(str(name)), row["change"], fmt)
        if judged:
            counts[judged] += 1
    return (
        f"{board.period} against {board.previous_period}: {counts['better']} indicator"
        f"{'s' if counts['better'] != 1 else ''} better, {counts['worse']} worse."
    )


def _targets(board: Dashboard, fmt: Formatter) -> str | None:
    if not board.targets:
        return None
    status = board.target_status()
    met = int((status["status"] == "met").sum())
    text = f"Targets: {met} of {len(status)} met"
    for word in ("missed", "no value"):
        names = status.index[status["status"] == word]
        if len(names):
            labels = ", ".join(
                f"{status.at[n, 'label']!s} "
                f"{_value(status.at[n, 'current'], KPIS[n].unit, fmt)} "
                f"against {_value(status.at[n, 'target'], KPIS[n].unit, fmt)}"
                if word == "missed"
                else str(status.at[n, "label"])
                for n in names
            )
            text += f"; {word}: {labels}"
    return text + "."


def ecl_explanation(board: Dashboard, fmt: Formatter) -> str | None:
    """Why the expected credit loss is zero or undefined, from the provision matrix (else ``None``)."""
    if "expected_credit_loss" not in board.kpis.index:
        return None
    value = as_decimal(board.kpis.at["expected_credit_loss", "current"])
    if value is not None and value != 0:
        return None
    matrix = board.tables.get("provision_matrix")
    cut = board.as_of
    if matrix is None or not len(matrix) or as_decimal(matrix.loc["total", "gross"]) in (None, 0):
        return f"Expected credit loss: nothing is open at {cut}, so there is nothing to provide."
    buckets = matrix.drop(index=[i for i in ("doubtful", "total") if i in matrix.index])
    held = [
        as_decimal(r)
        for r, g in zip(buckets["rate"], buckets["gross"], strict=True)
        if as_decimal(g)
    ]
    old = f"invoices due a year or more before {cut}"
    if value is None or any(r is None for r in held):
        return (
            "Expected credit loss is undefined (n/a): the loss rates are learnt from the "
            f"{old}, and some aging buckets holding receivables have none, so the provision "
            "matrix has no rate to apply there. Give rates (creditkpi.provision_matrix(..., "
            "rates=...)) or wait for a longer history."
        )
    if all(r == 0 for r in held):
        return (
            f"Expected credit loss is {fmt.money(Decimal(0))} because the loss rates learnt "
            "from the history are 0 in every aging bucket holding receivables: of the "
            f"{old}, none was still unpaid a year after its due date (write-offs count as "
            "losses). A floor or a forward-looking adjustment (creditkpi.provision_matrix(..., "
            "rates=..., adjustment=...)) gives a non-zero provision."
        )
    return (
        f"Expected credit loss rounds to {fmt.money(Decimal(0))}: the loss rates from the "
        "history are too small for the gross amounts of their buckets."
    )


def summary_lines(board: Dashboard, fmt: Formatter) -> list[str]:
    """The summary in words: an overview, one sentence per headline KPI, the targets, the ECL."""
    lines = [_overview(board, fmt)]
    explanation = ecl_explanation(board, fmt)
    for name, row in board.kpis.iterrows():
        info = KPIS.get(str(name))
        if info is None or not info.headline:
            continue
        if name == "expected_credit_loss" and explanation is not None:
            continue  # said below, with why
        text = sentence(info, row, fmt, year_ago=board.has_year_ago)
        if text is not None:
            lines.append(text)
    goals = _targets(board, fmt)
    if goals is not None:
        lines.append(goals)
    if explanation is not None:
        lines.append(explanation)
    return lines
