"""The end of the data: a KPI asked for a day after the ledger's last dated event says so.

:func:`warn_after_data` is called where as-of days and periods enter the
parts (:func:`~creditkpi.core.parts.snapshot.snapshot_parts`,
:func:`~creditkpi.core.parts.periods.period_parts`), once per call.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from creditkpi.core.errors import DataEndsWarning
from creditkpi.core.ledger import NO_END, Ledger
from creditkpi.core.period import from_day

__all__ = ["checked", "warn_after_data"]

#: set while a part computes other parts: what it asked for was already checked
_CHECKED: ContextVar[bool] = ContextVar("creditkpi_data_end_checked", default=False)


def warn_after_data(ledger: Ledger, last_asked: int) -> None:
    """:class:`~creditkpi.DataEndsWarning` when a KPI asks for a day after the data ends.

    Once per call, naming the ledger's last dated event (invoice, settlement,
    dispute, status, doubtful classification); the KPI still answers.
    """
    c = ledger._cols
    if c.last_day is None or last_asked <= c.last_day or _CHECKED.get():
        return
    dated = [c.dispute_opened, c.dispute_resolved, c.status_date, c.doubtful_date]
    end = max([c.last_day, *(int(d[d < NO_END].max()) for d in dated if (d < NO_END).any())])
    if last_asked <= end:
        return
    warnings.warn(
        f"the data ends on {from_day(end)} (the ledger's last dated event): a KPI "
        "asked for a later date or period counts nothing after it",
        DataEndsWarning,
        stacklevel=_caller_level(),
    )


@contextmanager
def checked() -> Iterator[None]:
    """Parts computed by a part whose dates were checked: no second warning."""
    token = _CHECKED.set(True)
    try:
        yield
    finally:
        _CHECKED.reset(token)


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside creditkpi (the user's call)."""
    level, frame = 2, sys._getframe(2)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("creditkpi."):
        frame, level = frame.f_back, level + 1
    return level
