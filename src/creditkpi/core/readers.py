"""The constructors of :class:`~creditkpi.Ledger`: every way to read a ledger.

:class:`LedgerReaders` is the base class of ``Ledger`` that holds its
classmethods ``from_records``, ``from_frames``, ``from_invoice_table``,
``from_sql``, ``from_parquet``, ``from_gl_lines`` and ``from_fec``. Each
delegates the reading and the validation to :mod:`creditkpi.core.ingest`,
which returns the validated columns, and wraps them: the builders never
construct a ledger (nothing in the ingest package imports this module or
:mod:`creditkpi.core.ledger`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    from creditkpi.core.columns import Columns
    from creditkpi.core.ingest.columns import ColumnMap
    from creditkpi.core.ingest.gl import Read
    from creditkpi.core.ledger import Ledger
    from creditkpi.core.records import (
        Cover,
        CreditLimit,
        Dispute,
        Doubtful,
        Invoice,
        Payment,
        StatusEvent,
    )
    from creditkpi.core.validation import ValidationReport

__all__ = ["LedgerReaders"]


class LedgerReaders:
    """The classmethods that read a :class:`~creditkpi.Ledger` (its base class)."""

    __slots__ = ()

    if TYPE_CHECKING:  # pragma: no cover - Ledger defines it

        @classmethod
        def _wrap(cls, cols: Columns, report: ValidationReport) -> Ledger: ...

    @classmethod
    def _from_lines(cls, read: Read) -> Ledger:
        """The ledger of accounting lines read and settled (:meth:`from_gl_lines`, :meth:`from_fec`).

        Built from the reader's tables by :meth:`from_frames`; what the reader
        could not use joins the ledger's report, each with a warning pointing
        at the user's call (the caller of the classmethod that calls this).
        """
        ledger = cls.from_frames(read.invoices, read.payments, doubtful=read.doubtful)
        read.tell(ledger.report, stacklevel=4)  # tell, this, the classmethod, the user's call
        return ledger

    @classmethod
    def from_records(
        cls,
        invoices: Iterable[Invoice],
        payments: Iterable[Payment] = (),
        disputes: Iterable[Dispute] = (),
        statuses: Iterable[StatusEvent] = (),
        doubtful: Iterable[Doubtful] = (),
        *,
        unknown_invoices: Literal["error", "unapplied"] = "error",
        limits: Iterable[CreditLimit] = (),
        cover: Iterable[Cover] = (),
    ) -> Ledger:
        """Build a ledger from typed records.

        Parameters
        ----------
        invoices : iterable of Invoice
        payments : iterable of Payment, optional
            Payments, credit notes and write-offs (``Payment.kind``).
        disputes : iterable of Dispute, optional
        statuses : iterable of StatusEvent, optional
            Dunning status events.
        doubtful : iterable of Doubtful, optional
            Doubtful classifications (créances douteuses).
        unknown_invoices : {"error", "unapplied"}, default "error"
            What a payment for an unknown invoice is: an error, or unapplied
            cash of its ``customer``.
        limits : iterable of CreditLimit, optional
            Credit limits per customer, dated (a limit history).
        cover : iterable of Cover, optional
            Credit-insurance covers per customer (see the *Limits and
            cover* page).

        Returns
        -------
        Ledger

        Raises
        ------
        CreditKPIError
            On any bad-input rule (see :mod:`creditkpi.core.errors`).

        Notes
        -----
        Records read their own fields when they are made (text amounts with
        ``.`` as the decimal mark, text dates in ISO or a layout the value
        itself settles), so this builder takes no ``decimal=`` or
        ``date_format=``: for text in other layouts, build a table and use
        :meth:`from_frames`.

        Examples
        --------
        >>> import creditkpi as ck
        >>> ck.Ledger.from_records(
        ...     [ck.Invoice("F1", "C1", "2024-01-05", "2024-02-04", "99.90")]
        ... ).n_invoices
        1
        """
        from creditkpi.core.ingest import build

        return cls._wrap(
            *build.from_records(
                invoices,
                payments,
                disputes,
                statuses,
                doubtful,
                unknown_invoices=unknown_invoices,
                limits=limits,
                cover=cover,
            )
        )

    @classmethod
    def from_frames(
        cls,
        invoices: Any,
        payments: Any = None,
        disputes: Any = None,
        statuses: Any = None,
        doubtful: Any = None,
        *,
        columns: ColumnMap | None = None,
        date_format: str | None = None,
        decimal: Literal[".", ","] | None = None,
        unknown_invoices: Literal["error", "unapplied"] = "error",
        limits: Any = None,
        cover: Any = None,
    ) -> Ledger:
        """Build a ledger from dataframes (pandas, polars or pyarrow).

        Canonical columns (map yours with ``columns``):

        - invoices: ``invoice_id, customer_id, issue_date, due_date, amount``
          [``currency``]; any other column becomes a grouping attribute;
        - payments: ``invoice_id, date, amount`` [``kind``, ``customer_id``,
          ``currency``, ``applied``]; an empty ``invoice_id`` with a
          ``customer_id`` is unapplied cash; ``kind`` defaults to
          ``"payment"``; ``applied`` is the day a settlement posted on
          ``date`` settles its invoice (empty: ``date``; meanwhile it is the
          customer's unapplied credit, its cash counted on ``date``);
        - disputes: ``invoice_id, opened`` [``resolved``, ``reason``];
        - statuses: ``invoice_id, date, status``;
        - doubtful: ``invoice_id, date`` [``provision``];
        - limits: ``customer_id, date, amount`` (each limit applies from its
          date on);
        - cover: ``customer_id, start, amount`` [``end``, ``share`` (default
          0.9), ``declare_within`` (days after the due date), ``insurer``].

        Parameters
        ----------
        invoices, payments, disputes, statuses, doubtful : dataframe
            pandas, polars or pyarrow tables (anything narwhals reads).
            Invoices alone beside a column that looks like a settlement date
            (a one-row-per-invoice export read the wrong way) raise
            ``no-settlements-read``: read them with :meth:`from_invoice_table`,
            or pass ``payments=[]`` when there really are none.
        columns : mapping, optional
            ``{"canonical": "theirs"}`` for every table, or
            ``{"payments": {"date": "paid_on"}, ...}`` per table. A key that is
            not a canonical name, or a mapped column that is not there, is an
            error.
        date_format : str, optional
            ``strptime`` format of text dates (e.g. ``"%d/%m/%Y"``; ISO dates
            are read too), ``"%Y%m%d"`` to read YYYYMMDD numbers, or
            ``"excel"`` for Excel serial days. Without it, text dates are read
            in ISO and in the common layouts, day-first or month-first as a
            value proves (see the *Concepts* page of the documentation).
        decimal : {".", ","}, optional
            Decimal mark of text amounts. Default: ``.``, with plain,
            non-breaking or narrow non-breaking spaces grouping thousands;
            ``","`` reads ``1 234,56`` and ``1.234,56``; ``"."`` also lets
            commas group thousands (``1,234.56``).
        unknown_invoices : {"error", "unapplied"}, default "error"
            A payment for an unknown invoice: an error, or unapplied cash.
        limits, cover : dataframe, optional
            Credit limits and credit-insurance covers per customer (or
            :class:`~creditkpi.CreditLimit` / :class:`~creditkpi.Cover`
            records); see the *Limits and cover* page.

        Returns
        -------
        Ledger

        Raises
        ------
        CreditKPIError
            On any bad-input rule; the message names the rule, the column, the
            first ids and values, and the option that fixes it.

        Examples
        --------
        >>> import pandas as pd, creditkpi as ck
        >>> inv = pd.DataFrame({"number": ["F1", "F2"], "customer_id": ["A", "B"],
        ...     "issue_date": ["2024-04-01", "2024-04-03"],
        ...     "due_date": ["2024-05-01", "2024-05-03"], "amount": [120.0, 80.5]})
        >>> pay = pd.DataFrame({"number": ["F1"], "date": ["2024-04-20"], "amount": [20.0]})
        >>> ledger = ck.Ledger.from_frames(inv, pay, columns={"invoice_id": "number"})
        >>> ck.receivables(ledger, "2024-04-30")
        180.5
        """
        from creditkpi.core.ingest import build

        return cls._wrap(
            *build.from_frames(
                invoices,
                payments,
                disputes,
                statuses,
                doubtful,
                columns=columns,
                date_format=date_format,
                decimal=decimal,
                unknown_invoices=unknown_invoices,
                limits=limits,
                cover=cover,
            )
        )

    @classmethod
    def from_invoice_table(
        cls,
        frame: Any,
        *,
        settled_date: str = "settled_date",
        disputed: str | None = None,
        columns: ColumnMap | None = None,
        date_format: str | None = None,
        decimal: Literal[".", ","] | None = None,
        currency: str | None = None,
        limits: Any = None,
        cover: Any = None,
    ) -> Ledger:
        """Build a ledger from one row per invoice with the date it was settled.

        The shape of many ERP exports: each invoice is paid in full on
        ``settled_date`` (empty = still open). A truthy ``disputed`` column
        (yes/no, true/false, 1/0) means disputed from issue until settled.

        Parameters
        ----------
        frame : dataframe
            Invoice columns (see :meth:`from_frames`) plus the settled date.
        settled_date : str, default "settled_date"
            Column holding the settlement date.
        disputed : str, optional
            Column flagging disputed invoices.
        columns : mapping, optional
            ``{"canonical": "theirs"}`` for the invoice columns.
        date_format : str, optional
            Layout of text dates (see :meth:`from_frames`).
        decimal : {".", ","}, optional
            Decimal mark of text amounts (see :meth:`from_frames`).
        currency : str, optional
            The column holding each invoice's ISO 4217 currency (default: a
            ``currency`` column when there is one), or one code for every
            invoice (default EUR). See the *Several currencies* page.
        limits, cover : dataframe, optional
            Credit limits and credit-insurance covers (see :meth:`from_frames`).

        Returns
        -------
        Ledger

        Examples
        --------
        >>> import pandas as pd, creditkpi as ck
        >>> erp = pd.DataFrame({"invoice_id": ["F1", "F2"], "customer_id": ["A", "A"],
        ...     "issue_date": ["2024-01-02", "2024-01-20"], "due_date": ["2024-02-01", "2024-02-19"],
        ...     "amount": [100.0, 50.0], "settled_date": ["2024-02-10", None]})
        >>> ck.receivables(ck.Ledger.from_invoice_table(erp), "2024-02-28")
        50.0
        """
        from creditkpi.core.ingest import build

        return cls._wrap(
            *build.from_invoice_table(
                frame,
                settled_date=settled_date,
                disputed=disputed,
                columns=columns,
                date_format=date_format,
                decimal=decimal,
                currency=currency,
                limits=limits,
                cover=cover,
            )
        )

    @classmethod
    def from_sql(
        cls,
        connection: Any,
        *,
        invoices: str | Sequence[str],
        payments: str | Sequence[str] | None = None,
        disputes: str | Sequence[str] | None = None,
        statuses: str | Sequence[str] | None = None,
        doubtful: str | Sequence[str] | None = None,
        columns: ColumnMap | None = None,
        params: Mapping[str, Any] | None = None,
        date_format: str | None = None,
        decimal: Literal[".", ","] | None = None,
        unknown_invoices: Literal["error", "unapplied"] = "error",
    ) -> Ledger:
        """Build a ledger from tables or queries of a database, read straight into Arrow.

        The tables have the columns of :meth:`from_frames` (map yours with
        ``columns``, or rename them in a query); every check and error is
        the one :meth:`from_frames` gives the same rows. See the *Reading
        from a database* page of the documentation.

        Parameters
        ----------
        connection : connection or str
            An ADBC connection (``adbc_driver_postgresql``,
            ``adbc_driver_sqlite``, ... : Arrow end to end), a DuckDB
            connection, a SQLAlchemy ``Engine`` or ``Connection``, any DB-API
            connection (``sqlite3``, ``psycopg``, ...), or a
            ``postgresql://``, ``sqlite:///path`` or ``duckdb:///path`` URI
            (opened and closed here; the ``postgresql``, ``sqlite`` and
            ``duckdb`` extras install the drivers).
        invoices, payments, disputes, statuses, doubtful : str or tuple of str
            A table name (``"invoices"``, ``"erp.invoices"`` or
            ``("erp", "invoices")``; quoted as identifiers, never pasted into
            SQL as they are) or a query (text starting with ``SELECT``,
            ``WITH``, ``VALUES`` or ``(``).
        columns : mapping, optional
            ``{"canonical": "theirs"}``, as for :meth:`from_frames`.
        params : mapping, optional
            ``{"invoices": parameters, ...}``: the parameters of a table's
            query, bound by the driver in its own placeholder style (``$1``
            for ADBC PostgreSQL, ``?`` for SQLite and DuckDB, ``%s`` for
            psycopg, ``:name`` with a mapping through SQLAlchemy).
        date_format, decimal, unknown_invoices
            As for :meth:`from_frames` (text dates and amounts, payments of
            unknown invoices).

        Returns
        -------
        Ledger

        Raises
        ------
        CreditKPIError
            On any bad-input rule, as :meth:`from_frames`.
        TypeError
            If ``connection`` is none of the above.

        Examples
        --------
        >>> import sqlite3, creditkpi as ck
        >>> db = sqlite3.connect(":memory:")
        >>> _ = db.executescript('''
        ...     CREATE TABLE invoices (invoice_id TEXT, customer_id TEXT, issue_date DATE,
        ...                            due_date DATE, amount NUMERIC);
        ...     INSERT INTO invoices VALUES ('F1', 'A', '2024-04-01', '2024-05-01', 120.00),
        ...                                 ('F2', 'B', '2024-04-03', '2024-05-03', 80.50);
        ...     CREATE TABLE receipts (invoice TEXT, paid_on DATE, amount NUMERIC);
        ...     INSERT INTO receipts VALUES ('F1', '2024-04-20', 20.00);''')
        >>> ledger = ck.Ledger.from_sql(db, invoices="invoices",
        ...     payments="SELECT invoice AS invoice_id, paid_on AS date, amount FROM receipts")
        >>> ck.receivables(ledger, "2024-04-30")
        180.5
        """
        from creditkpi.core.ingest import sql

        return cls._wrap(*sql.from_sql(
            connection, invoices=invoices, payments=payments, disputes=disputes,
            statuses=statuses, doubtful=doubtful, columns=columns, params=params,
            date_format=date_format, decimal=decimal, unknown_invoices=unknown_invoices,
        ))  # fmt: skip

    @classmethod
    def from_parquet(
        cls,
        invoices: Any,
        payments: Any = None,
        disputes: Any = None,
        statuses: Any = None,
        doubtful: Any = None,
        *,
        columns: ColumnMap | None = None,
        attributes: Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
        partitioning: str | None = "hive",
        date_format: str | None = None,
        decimal: Literal[".", ","] | None = None,
        unknown_invoices: Literal["error", "unapplied"] = "error",
    ) -> Ledger:
        """Build a ledger from Parquet files or datasets, reading only what it needs.

        Parameters
        ----------
        invoices, payments, disputes, statuses, doubtful : path, list of paths or dataset
            A Parquet file, a directory of files (Hive-partitioned, e.g.
            ``part=3/``, or not), a list of files, or a
            :class:`pyarrow.dataset.Dataset`. A directory holding
            ``invoices`` and ``payments`` (files ``invoices.parquet`` or
            directories ``invoices/``), and optionally ``disputes``,
            ``statuses``, ``doubtful``, given alone as ``invoices``, is read
            as the whole book.
        columns : mapping, optional
            ``{"canonical": "theirs"}``, as for :meth:`from_frames`.
        attributes : list of str, optional
            The invoice columns to read besides the canonical ones (the
            grouping attributes). Default: every column of the invoices
            (partition columns included); the other tables are read for
            their canonical columns only.
        filters : mapping, optional
            ``{"invoices": filter, ...}``, each a :mod:`pyarrow.compute`
            expression (``pc.field("country") == "FR"``) or the
            ``[(column, op, value), ...]`` list of
            :func:`pyarrow.parquet.read_table`, pushed down into the scan.
            The payments of an invoice filtered out refer to an unknown
            invoice (an error): filter the tables alike, e.g. on a customer
            or partition column both carry.
        partitioning : {"hive", None}, default "hive"
            How directory names are read as columns (pyarrow's
            ``partitioning=``).
        date_format, decimal, unknown_invoices
            As for :meth:`from_frames`.

        Returns
        -------
        Ledger

        Raises
        ------
        UnreadableFileError
            A path that does not exist or is not Parquet.
        CreditKPIError
            On any bad-input rule, as :meth:`from_frames`.

        Examples
        --------
        >>> import tempfile, pathlib, pyarrow as pa, pyarrow.parquet as pq, creditkpi as ck
        >>> book = pathlib.Path(tempfile.mkdtemp())
        >>> pq.write_table(pa.table({"invoice_id": ["F1", "F2"], "customer_id": ["A", "B"],
        ...     "issue_date": ["2024-04-01", "2024-04-03"], "due_date": ["2024-05-01", "2024-05-03"],
        ...     "amount": [120.0, 80.5], "country": ["FR", "DE"]}), book / "invoices.parquet")
        >>> pq.write_table(pa.table({"invoice_id": ["F1"], "date": ["2024-04-20"],
        ...     "amount": [20.0]}), book / "payments.parquet")
        >>> ck.receivables(ck.Ledger.from_parquet(book), "2024-04-30")
        180.5
        >>> french = ck.Ledger.from_parquet(book, filters={"invoices": [("country", "=", "FR")]})
        >>> french.n_invoices, ck.receivables(french, "2024-04-30")
        (1, 100.0)
        """
        from creditkpi.core.ingest import parquet

        return cls._wrap(*parquet.from_parquet(
            invoices, payments, disputes, statuses, doubtful, columns=columns,
            attributes=attributes, filters=filters, partitioning=partitioning,
            date_format=date_format, decimal=decimal, unknown_invoices=unknown_invoices,
        ))  # fmt: skip

    @classmethod
    def from_gl_lines(
        cls,
        frame: Any,
        *,
        columns: Mapping[str, str] | None = None,
        match: str = "match",
        match_date: str | None = None,
        terms: int | Mapping[str, int] = 30,
        due_dates: Any = None,
        date_format: str | None = None,
        decimal: Literal[".", ","] | None = None,
        currency: str = "EUR",
    ) -> Ledger:
        """Build a ledger from customer line items with a matching or clearing reference.

        The general form of an accounting system's customer sub-ledger: one
        row per entry line on a customer account (a general-ledger or
        SAP-style line-item export, Odoo journal items), with the reference
        that ties payments to the invoices they settle (lettering, clearing
        document, matching number). :meth:`from_fec` is this with the French
        FEC's columns and rules. See the *From your accounting system* page
        of the documentation.

        Canonical columns (map yours with ``columns``): ``customer_id``,
        ``document_id`` (the invoice id of a debit line), ``date``, and either
        ``debit`` and ``credit`` or one signed ``amount`` (positive = debit);
        optional ``due_date``, ``kind`` (of credit lines: ``payment``,
        ``credit_note``, ``write_off``; default payment), ``currency`` is not
        read (pass ``currency=``). Any other column becomes an invoice
        attribute (``by=``).

        Parameters
        ----------
        frame : dataframe
            The customer lines (pandas, polars or pyarrow).
        columns : mapping, optional
            ``{"canonical": "theirs"}``, e.g. ``{"customer_id": "Customer",
            "document_id": "DocumentNo", "date": "PostingDate"}``.
        match : str, default "match"
            Column of the matching (clearing, lettering) reference; empty =
            not matched.
        match_date : str, optional
            Column of the date the match was made (SAP's clearing date): the
            application date. When given, a credit settles its invoices from
            it (never before its own ``date``) and is its customer's
            unapplied credit until then, its cash counted on its ``date``;
            otherwise it settles them on its ``date``.
        terms : int or mapping, default 30
            Days from issue to due date for lines without ``due_date`` (one
            number, or ``{customer: days}``).
        due_dates : mapping or Series, optional
            ``{invoice_id: date}``: due dates that override ``terms``.
        date_format : str, optional
            Layout of text dates (see :meth:`from_frames`).
        decimal : {".", ","}, optional
            Decimal mark of text amounts (see :meth:`from_frames`).
        currency : str, default "EUR"
            ISO 4217 code of the amounts.

        Returns
        -------
        Ledger
            One invoice per debit line; credits applied within each
            (customer, match) group in date order, oldest invoice first; what
            a credit has left, and every unmatched credit, is unapplied cash
            of its customer.

        Raises
        ------
        CreditKPIError
            ``missing-column`` (a required or mapped column is absent),
            ``debit-and-credit`` (a line with both), and every rule of
            :meth:`from_frames` (e.g. ``duplicate-invoice-id``).

        Examples
        --------
        >>> import pandas as pd, creditkpi as ck
        >>> lines = pd.DataFrame({
        ...     "customer_id": ["C1", "C1", "C1", "C1"],
        ...     "document_id": ["F1", "F2", "PAY1", "PAY2"],
        ...     "date": ["2024-01-10", "2024-01-20", "2024-02-15", "2024-02-20"],
        ...     "debit": ["100.00", "50.00", "", ""],
        ...     "credit": ["", "", "120.00", "10.00"],
        ...     "match": ["A", "A", "A", None]})
        >>> ledger = ck.Ledger.from_gl_lines(lines, terms=30)
        >>> ledger.settlements[["invoice_id", "customer_id", "amount"]]
          invoice_id customer_id amount
        0         F1          C1 100.00
        1         F2          C1  20.00
        2       None          C1  10.00
        >>> ck.receivables(ledger, "2024-02-29")
        30.0
        """
        from creditkpi.core.ingest import gl

        read = gl.from_gl_lines(
            frame,
            columns=columns,
            match=match,
            match_date=match_date,
            terms=terms,
            due_dates=due_dates,
            date_format=date_format,
            decimal=decimal,
            currency=currency,
        )
        return cls._from_lines(read)

    @classmethod
    def from_fec(
        cls,
        source: Any,
        *,
        accounts: Sequence[str] = ("411", "416"),
        terms: int | Mapping[str, int] = 30,
        due_dates: Any = None,
        journals: Mapping[str, str] | None = None,
        sep: str | None = None,
        encoding: str | None = None,
        decimal: Literal[".", ","] | None = None,
        date_format: str | None = "%Y%m%d",
        currency: str = "EUR",
        applied: Literal["posting", "lettering"] = "posting",
        amounts: Literal["booked", "transaction"] = "booked",
    ) -> Ledger:
        """Build a ledger from a French FEC (*Fichier des Écritures Comptables*).

        Reads the customer sub-ledger of one FEC, of several (consecutive
        fiscal years, in any order), or of a frame already read: the lines
        on ``accounts`` (customer ``CompAuxNum``, or the account number where
        it is empty). A debit is an invoice (id ``PieceRef``, or
        ``EcritureNum`` where ``PieceRef`` is empty or ``-``; issued at
        ``PieceDate``, else ``EcritureDate``); a credit is a settlement dated
        at ``EcritureDate``, applied through the lettering (``EcritureLet``)
        as :meth:`from_gl_lines` applies a matching reference: oldest invoice
        first, leftovers and unlettered credits are unapplied cash. See the
        *From your accounting system* page of the documentation for every
        rule.

        Parameters
        ----------
        source : str, Path, dataframe or list of them
            FEC file(s) (tab or ``|`` separated, UTF-8 with or without byte
            order mark or ISO 8859-15, decimal comma, ``AAAAMMJJ`` dates), or
            frames with the 18 columns.
        accounts : sequence of str, default ("411", "416")
            Prefixes of the customer accounts. ``416…`` holds doubtful
            customers (*clients douteux ou litigieux*).
        terms : int or mapping, default 30
            Days from issue to due date (an FEC has no due date): one number,
            or ``{customer: days}``. 30 days is the French legal default
            when no term is agreed (article L441-10 of the Code de commerce).
        due_dates : mapping or Series, optional
            ``{invoice_id: date}``, overriding ``terms``.
        journals : mapping, optional
            ``{journal code: kind}`` with kinds ``"sales"``, ``"bank"``,
            ``"cash"``, ``"write_off"``, ``"opening"``, ``"misc"``; codes not
            given are read from their start (``VT``/``VE``/``VEN`` sales,
            ``BQ``/``BAN``/``BNK`` bank, ``CA``/``CAI`` cash,
            ``AN``/``RAN``/``ANO``/``OUV`` opening entries, ``OD`` misc).
        sep : str, optional
            Separator (guessed among tab and ``|``).
        encoding : str, optional
            Text encoding (default: UTF-8, else ISO 8859-15).
        decimal : {".", ","}, optional
            Decimal mark of ``Debit``/``Credit`` (default: ``,`` when an
            amount holds a comma).
        date_format : str, default "%Y%m%d"
            Layout of the dates (``AAAAMMJJ`` in the format).
        currency : str, default "EUR"
            The accounting currency of ``Debit``/``Credit``.
        applied : {"posting", "lettering"}, default "posting"
            When a credit settles its invoices: the day it was posted
            (``EcritureDate``), or the day it was lettered (``DateLet``),
            being the customer's unapplied credit meanwhile.
        amounts : {"booked", "transaction"}, default "booked"
            ``"booked"``: every line at its ``Debit``/``Credit`` (one currency,
            ``currency``); ``"transaction"``: a line whose ``Idevise`` names
            another currency at its ``Montantdevise`` in that currency (a
            ledger of several currencies, to :meth:`translate`).

        Returns
        -------
        Ledger
            A customer credit is a write-off when its entry has a line on
            ``654…``, a payment when on ``51…``/``53…`` (bank, cash), a credit
            note when on ``70…``/``4457…`` (sales, VAT); otherwise its journal
            decides (sales: credit note; write_off: write-off; else payment).
            A transfer from ``411…`` to ``416…`` settles nothing: the invoices
            its credit letters get a doubtful classification dated at the
            entry, with the ``491…`` provision whose ``PieceRef`` is the
            invoice (or whose ``CompAuxNum`` is a customer with one doubtful
            invoice). Each file is a fiscal year and a lettering code ties
            lines within one year; the opening entries of a year whose
            earlier year is read carry its open items (one line per item, or
            one per customer: the customer's items, oldest due first) and are
            not counted again.

        Raises
        ------
        CreditKPIError
            ``missing-fec-column`` (one of the 18 columns is missing),
            ``unbalanced-entry`` (an entry's debits differ from its credits),
            ``debit-and-credit`` (a line with both), ``unreadable-file``, and
            every rule of :meth:`from_frames`.

        Examples
        --------
        >>> import pandas as pd, creditkpi as ck
        >>> from creditkpi.core.ingest.fec import FEC_COLUMNS
        >>> rows = [  # an invoice, then a payment lettered A with it
        ...     ["VT", "Ventes", "1", "20240105", "411000", "Clients", "C1", "Client 1",
        ...      "F1", "20240105", "Facture F1", "120,00", "0,00", "A", "20240210",
        ...      "20240105", "", ""],
        ...     ["VT", "Ventes", "1", "20240105", "706000", "Services", "", "",
        ...      "F1", "20240105", "Facture F1", "0,00", "120,00", "", "", "20240105", "", ""],
        ...     ["BQ", "Banque", "2", "20240210", "512000", "Banque", "", "",
        ...      "V1", "20240210", "Virement", "100,00", "0,00", "", "", "20240210", "", ""],
        ...     ["BQ", "Banque", "2", "20240210", "411000", "Clients", "C1", "Client 1",
        ...      "V1", "20240210", "Virement", "0,00", "100,00", "A", "20240210",
        ...      "20240210", "", ""]]
        >>> ledger = ck.Ledger.from_fec(pd.DataFrame(rows, columns=FEC_COLUMNS))
        >>> ledger
        Ledger(1 invoice, 1 settlement, 1 customer, EUR, 2024-01-05..2024-02-10)
        >>> ck.receivables(ledger, "2024-02-29")
        20.0
        """
        from creditkpi.core.ingest import fec

        read = fec.from_fec(
            source,
            accounts=accounts,
            terms=terms,
            due_dates=due_dates,
            journals=journals,
            sep=sep,
            encoding=encoding,
            decimal=decimal,
            date_format=date_format,
            currency=currency,
            applied=applied,
            amounts=amounts,
        )
        return cls._from_lines(read)
