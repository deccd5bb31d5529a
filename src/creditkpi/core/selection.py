"""A ledger narrowed to a segment: kept invoices, their settlements and events, kept customers.

:func:`selected_columns` is what :meth:`creditkpi.Ledger.select` wraps: new
validated columns built from the kept rows of the ledger's own (no input is
read again), so every KPI runs on the selection as on any ledger.

What is kept:

* the invoices that pass every condition given -- their customer is one of
  ``customers``, their attributes match ``where``, ``invoices`` holds for
  them;
* every settlement of a kept invoice (payments, credit notes, write-offs),
  its disputes, dunning status events and doubtful classifications;
* the unapplied cash of the **kept customers**: those named in
  ``customers`` whose invoices all pass the other conditions (with ``where``
  or ``invoices`` given, a customer must have an invoice, and all of them
  kept). That is the rule by which unapplied cash takes a group with
  ``by=`` (:func:`creditkpi.core.groups.group_codes`: its customer's group
  when the customer's invoices all belong to one), so the KPIs of
  ``ledger.select(where={"country": "FR"})`` are the ``"FR"`` row of the
  same KPIs ``by="country"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.validation import ValidationIssue, ValidationReport

if TYPE_CHECKING:  # pragma: no cover - the Ledger calls this module, not the reverse
    from creditkpi.core.ledger import Columns, Ledger

__all__ = ["currency_codes", "selected_columns", "selected_rows"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _customer_mask(ledger: Ledger, customers: Any) -> BoolArray:
    """Per customer code: named in ``customers`` (ids compared as text, as the ledger holds them)."""
    labels = ledger._cols.customer_labels
    if isinstance(customers, (str, bytes)) or not hasattr(customers, "__iter__"):
        customers = [customers]
    wanted = {str(c) for c in customers}
    known = {str(v) for v in labels}
    unknown = sorted(wanted - known)
    if unknown:
        raise InvalidOptionError(
            f"customers names {len(unknown)} customer(s) not in the ledger",
            column="customers",
            ids=unknown,
        )
    return np.fromiter((str(v) in wanted for v in labels), dtype=bool, count=len(labels))


def _where_mask(ledger: Ledger, where: Mapping[str, Any]) -> BoolArray:
    """Per invoice: every ``{column: value or list of values}`` of ``where`` holds."""
    if not isinstance(where, Mapping):
        raise InvalidOptionError(
            f"where must be a mapping {{column: value or list of values}}, got {where!r}",
            column="where",
        )
    c = ledger._cols
    keep = np.ones(c.n_invoices, dtype=bool)
    for column, wanted in where.items():
        if column in ("customer_id", "customer"):
            values = pd.Series(c.customer_labels[c.customer], dtype=object)
        elif column in c.attrs.columns:
            values = c.attrs[column].reset_index(drop=True)
        else:
            raise InvalidOptionError(
                f"where names {column!r}, which is not a column of the invoices "
                f"(one of {', '.join(ledger.attributes)})",
                column="where",
            )
        allowed = (
            list(wanted)
            if isinstance(wanted, (list, tuple, set, frozenset, np.ndarray, pd.Index, pd.Series))
            else [wanted]
        )
        keep &= values.isin(allowed).to_numpy(dtype=bool)
    return keep


def _invoice_mask(ledger: Ledger, invoices: Any) -> BoolArray:
    """Per invoice: a boolean mask aligned with ``ledger.invoices``, or membership in a list of ids."""
    n = ledger.n_invoices
    array = np.asarray(invoices.to_numpy() if isinstance(invoices, pd.Series) else invoices)
    if array.dtype == bool:
        if array.shape != (n,):
            raise InvalidOptionError(
                f"invoices is a mask of {array.size} values for {n} invoices: give one per "
                "row of ledger.invoices (or a list of invoice ids)",
                column="invoices",
            )
        return np.asarray(array, dtype=bool)
    ids = pd.Index(ledger._cols.invoice_ids, dtype=object)
    wanted = pd.Index([str(v) for v in np.ravel(array).tolist()], dtype=object)
    unknown = wanted[~wanted.isin(ids)]
    if len(unknown):
        raise InvalidOptionError(
            f"invoices names {len(unknown)} invoice id(s) not in the ledger",
            column="invoices",
            ids=list(unknown),
        )
    return np.asarray(ids.isin(wanted), dtype=bool)


def currency_codes(ledger: Ledger, currency: Any) -> BoolArray:
    """Per transaction currency of the ledger (its code order): named in ``currency``.

    ``currency`` is one ISO 4217 code or a list of them (upper or lower
    case); a code that is not ISO 4217, or that no item of the ledger is in,
    is an error naming it and the ledger's currencies.
    """
    from creditkpi.core.money import currency_code

    held = ledger._cols.currencies
    given = (
        [currency]
        if isinstance(currency, str) or not hasattr(currency, "__iter__")
        else list(currency)
    )
    codes = [currency_code(v) if isinstance(v, str) else None for v in given]
    bad = [str(v) for v, code in zip(given, codes, strict=True) if code is None or code not in held]
    if bad or not given:
        raise InvalidOptionError(
            f"currency names {len(bad)} code(s) not among the ledger's currencies "
            f"({', '.join(held)}): give ISO 4217 codes of its items"
            if bad
            else "currency is an empty list: give one code or a list of codes",
            column="currency",
            ids=bad,
        )
    wanted = {str(code) for code in codes}
    return np.asarray([code in wanted for code in held], dtype=bool)


def selected_rows(
    ledger: Ledger,
    *,
    customers: Any = None,
    where: Any = None,
    invoices: Any = None,
    currency: Any = None,
) -> tuple[BoolArray, BoolArray]:
    """The kept invoices (one flag per invoice) and kept customers (one flag per customer code).

    See the module's rule: an invoice is kept when it passes every
    condition; a customer (and its unapplied cash) when it is named in
    ``customers`` (if given) and all its invoices pass ``where`` and
    ``invoices`` (if either is given, it must have one). ``currency`` keeps
    the invoices in those transaction currencies; it does not decide which
    customers are kept (a customer's unapplied cash in one of them goes with
    it: :func:`selected_columns`).
    """
    c = ledger._cols
    n_customers = len(c.customer_labels)
    customer_ok = (
        np.ones(n_customers, dtype=bool) if customers is None else _customer_mask(ledger, customers)
    )
    rows_ok = np.ones(c.n_invoices, dtype=bool)
    if where is not None:
        rows_ok &= _where_mask(ledger, where)
    if invoices is not None:
        rows_ok &= _invoice_mask(ledger, invoices)
    keep = rows_ok & customer_ok[c.customer]
    if currency is not None:
        keep &= currency_codes(ledger, currency)[c.invoice_currency]
    kept_customers = customer_ok.copy()
    if where is not None or invoices is not None:
        has = np.bincount(c.customer, minlength=n_customers) > 0
        dropped = np.bincount(c.customer[~rows_ok], minlength=n_customers) > 0
        kept_customers &= has & ~dropped
    return keep, kept_customers


def _remap(keep: BoolArray) -> IntArray:
    """Old position -> new position of the kept rows (-1 for dropped ones, and a spare -1 slot)."""
    new = np.full(keep.size + 1, -1, dtype=np.int64)
    new[np.flatnonzero(keep)] = np.arange(int(keep.sum()), dtype=np.int64)
    return new


def _columns(
    c: Columns, keep: BoolArray, kept_customers: BoolArray, currencies: BoolArray | None = None
) -> Columns:
    """New columns holding the kept invoices, their rows, and the kept customers' unapplied cash.

    ``currencies`` (per transaction currency): only the unapplied cash in those.
    """
    out = type(c)()
    inv = np.flatnonzero(keep)
    inv_new = _remap(keep)
    applied = c.settlement_invoice >= 0
    s_keep = np.where(applied, keep[np.maximum(c.settlement_invoice, 0)], False)
    unapplied_ok = kept_customers[c.settlement_customer]
    if currencies is not None:
        unapplied_ok &= currencies[c.settlement_currency]
    s_keep |= ~applied & unapplied_ok
    customers_used = np.zeros(len(c.customer_labels), dtype=bool)
    customers_used[c.customer[inv]] = True
    customers_used[c.settlement_customer[s_keep]] = True
    cust_new = _remap(customers_used)
    out.id_source = None
    out.ids = np.asarray(c.invoice_ids[inv], dtype=object)
    out.customer_labels = c.customer_labels[customers_used]
    out.customer = cust_new[c.customer[inv]]
    for name in ("issue", "due", "amount", "settled"):
        setattr(out, name, getattr(c, name)[inv])
    out.attrs = c.attrs.iloc[inv].reset_index(drop=True)
    s = np.flatnonzero(s_keep)
    out.settlement_invoice = inv_new[c.settlement_invoice[s]]
    out.settlement_customer = cust_new[c.settlement_customer[s]]
    for name in (
        "settlement_date",
        "settlement_amount",
        "settlement_kind",
        "settlement_row",
        "settlement_days_past_due",
        "settlement_age_days",
    ):
        setattr(out, name, getattr(c, name)[s])
    if c.settlement_posted is not None:  # application dates: the posting days go along
        out.settlement_posted = c.settlement_posted[s]
    s_new = _remap(s_keep)
    early = s_new[c.settled_before_issue]
    out.settled_before_issue = early[early >= 0]
    for prefix, fields in (
        ("dispute", ("opened", "resolved", "reason")),
        ("status", ("date", "label")),
        ("doubtful", ("date", "provision")),
    ):
        rows = getattr(c, f"{prefix}_invoice")
        kept = np.flatnonzero(keep[rows]) if rows.size else np.zeros(0, dtype=np.int64)
        setattr(out, f"{prefix}_invoice", inv_new[rows[kept]])
        for field in fields:
            setattr(out, f"{prefix}_{field}", getattr(c, f"{prefix}_{field}")[kept])
    credit: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("limit", ("date", "amount")),
        ("cover", ("start", "end", "amount", "share", "declare", "insurer")),
    )
    for prefix, names in credit:  # the credit limits and cover of the customers kept
        owner = getattr(c, f"{prefix}_customer")
        if not owner.size:
            continue
        kept = np.flatnonzero(customers_used[owner])
        setattr(out, f"{prefix}_customer", cust_new[owner[kept]])
        for field in names:
            setattr(out, f"{prefix}_{field}", getattr(c, f"{prefix}_{field}")[kept])
    # the items' own currencies (a book of several, not translated): the codes of the kept
    # rows, among the currencies they still hold; amounts stay at the book's minor unit
    held = np.unique(
        np.concatenate([c.invoice_currency[inv], c.settlement_currency[s]]).astype(np.int64)
    )
    if not held.size:
        held = np.arange(len(c.currencies), dtype=np.int64)
    code = np.full(len(c.currencies), -1, dtype=np.int16)
    code[held] = np.arange(held.size, dtype=np.int16)
    out.currencies = tuple(c.currencies[int(k)] for k in held)
    out.invoice_currency = code[c.invoice_currency[inv]]
    out.settlement_currency = code[c.settlement_currency[s]]
    out.per_item_currency = c.per_item_currency
    out.currency = "+".join(out.currencies) if c.per_item_currency else c.currency
    out.digits = c.digits
    out.exact_float = c.exact_float  # a subset's totals are smaller: still exact
    return out


def _report(report: ValidationReport, kept_ids: set[object]) -> ValidationReport:
    """The warnings about the kept invoices (each issue cut to its kept ids and rows)."""
    issues = []
    for issue in report.issues:
        pairs = list(zip(issue.ids, issue.rows, strict=False))
        if len(pairs) == len(issue.ids) == len(issue.rows):
            mine = [(i, r) for i, r in pairs if i in kept_ids]
            if mine:
                ids, rows = zip(*mine, strict=True)
                issues.append(
                    ValidationIssue(issue.rule, issue.table, issue.column, issue.message, ids, rows)
                )
        elif any(i in kept_ids for i in issue.ids):
            issues.append(issue)
    return ValidationReport(issues)


def selected_columns(
    ledger: Ledger,
    *,
    customers: Any = None,
    where: Any = None,
    invoices: Any = None,
    currency: Any = None,
) -> tuple[Columns, ValidationReport]:
    """The columns and the validation report of the selection (what :meth:`Ledger.select` wraps).

    Parameters
    ----------
    ledger : Ledger
    customers : id or iterable of ids, optional
        Customer ids to keep (as text; an unknown id is an error).
    where : mapping, optional
        ``{column: value}`` or ``{column: [values]}`` on the invoice
        attributes or ``customer_id``; every condition must hold.
    invoices : array-like, optional
        A boolean mask with one value per row of ``ledger.invoices``, or a
        list of invoice ids.
    currency : str or list of str, optional
        Transaction currencies to keep (ISO 4217): their invoices, and the
        unapplied cash in them of the customers kept. The selection is the
        row of that currency of every KPI ``by="currency"``.

    Returns
    -------
    columns : Columns
        The kept invoices, their settlements, disputes, status events and
        doubtful classifications, and the kept customers' unapplied cash;
        same currency (each item's own in a book of several; a translated
        ledger gives its source's selection translated the same way, with
        the same rates).
    report : ValidationReport
        The warnings about what was kept.

    Raises
    ------
    InvalidOptionError
        An unknown customer, column or invoice id; a mask of the wrong length.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "A", "2024-01-01", "2024-01-31", "100", attrs={"country": "FR"}),
    ...      ck.Invoice("F2", "B", "2024-01-01", "2024-01-31", "50", attrs={"country": "DE"})],
    ...     [ck.Payment("F1", "2024-01-20", "30"), ck.Payment(None, "2024-01-25", "5", customer="A")])
    >>> columns, report = selected_columns(ledger, where={"country": "FR"})
    >>> columns.invoice_ids.tolist(), columns.n_settlements, len(report)
    (['F1'], 2, 0)
    """
    translation = ledger._cols.translation
    if translation is not None:  # a translated ledger: the selection of its source, translated
        from creditkpi.core.fx.translate import translate

        info = translation.info
        source = type(ledger)._wrap(translation.source, ledger.report)
        narrowed = type(ledger)._wrap(
            *selected_columns(
                source, customers=customers, where=where, invoices=invoices, currency=currency
            )
        )
        done = translate(narrowed, info.to, translation.rates, method=info.method, at=info.at)
        return done._cols, done.report
    keep, kept_customers = selected_rows(
        ledger, customers=customers, where=where, invoices=invoices, currency=currency
    )
    wanted = None if currency is None else currency_codes(ledger, currency)
    cols = _columns(ledger._cols, keep, kept_customers, wanted)
    return cols, _report(ledger.report, set(cols.invoice_ids.tolist()))
