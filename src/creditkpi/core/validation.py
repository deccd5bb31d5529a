"""The validation report: every warning raised while building a ledger, with its rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from creditkpi.core.errors import first_ids

__all__ = ["ValidationIssue", "ValidationReport"]


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One warning rule and every row that triggers it.

    Attributes
    ----------
    rule : str
        ``"overpaid-invoice"`` or ``"settlement-before-issue"``.
    table : str
        Input table (``"invoices"``, ``"payments"``).
    column : str
        Column the rule is about.
    message : str
        What is wrong, in one sentence.
    ids : tuple
        Every offending invoice id.
    rows : tuple of int
        Every offending row number (0-based, in the input table's order).
    """

    rule: str
    table: str
    column: str
    message: str
    ids: tuple[object, ...]
    rows: tuple[int, ...]

    def __str__(self) -> str:
        shown = ", ".join(repr(i) for i in first_ids(self.ids))
        return f"{self.rule}: {self.message} in column '{self.column}' (first: {shown})"


@dataclass(slots=True)
class ValidationReport:
    """Warnings found while building a :class:`~creditkpi.Ledger` (empty when clean).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "100")],
    ...     [ck.Payment("F1", "2024-01-10", "120")],
    ... )  # doctest: +SKIP
    >>> ledger.report.rules()  # doctest: +SKIP
    ['overpaid-invoice']
    """

    issues: list[ValidationIssue] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.issues)

    def __bool__(self) -> bool:
        return bool(self.issues)

    def rules(self) -> list[str]:
        """The rules that fired, in order."""
        return [issue.rule for issue in self.issues]

    def to_frame(self) -> pd.DataFrame:
        """One row per offending input row: rule, table, column, id, row, message."""
        records = [
            {
                "rule": issue.rule,
                "table": issue.table,
                "column": issue.column,
                "id": i,
                "row": r,
                "message": issue.message,
            }
            for issue in self.issues
            for i, r in zip(issue.ids, issue.rows, strict=True)
        ]
        return pd.DataFrame.from_records(
            records, columns=["rule", "table", "column", "id", "row", "message"]
        )

    def __str__(self) -> str:
        if not self.issues:
            return "validation report: no warnings"
        return "validation report:\n" + "\n".join(f"- {issue}" for issue in self.issues)
