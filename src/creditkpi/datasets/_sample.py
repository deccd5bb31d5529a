"""The bundled sample ledger: CSV files shipped in ``creditkpi/datasets/data/``.

The files are produced by :func:`creditkpi.datasets.generate` with
:data:`SAMPLE_PARAMS` and written by :func:`write_sample` (``python -m
creditkpi.datasets``). They are read with :mod:`importlib.resources`, so the
sample works from an installed wheel or a zip.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.ledger import Ledger
from creditkpi.core.money import minor_unit
from creditkpi.datasets._frames import LedgerFrames, build_frame
from creditkpi.datasets._synthetic import generate

__all__ = ["SAMPLE_PARAMS", "SAMPLE_PREFIX", "sample", "sample_frames", "write_sample"]

#: the arguments of :func:`~creditkpi.datasets.generate` that make the sample:
#: 150 customers, 24 months from 2023-01-01 to 2024-12-31
SAMPLE_PARAMS: Mapping[str, Any] = {
    "n_customers": 150,
    "months": 24,
    "start": "2023-01-01",
    "seed": 2024,
    "currency": "EUR",
}

#: file names are ``sample_<table>.csv``
SAMPLE_PREFIX = "sample_"

#: column kinds of every table (how CSV text is parsed back)
SCHEMA: dict[str, dict[str, str]] = {
    "invoices": {
        "invoice_id": "text",
        "customer_id": "text",
        "issue_date": "date",
        "due_date": "date",
        "amount": "money",
        "currency": "text",
        "country": "text",
        "segment": "text",
        "collector": "text",
    },
    "payments": {
        "invoice_id": "text",
        "customer_id": "text",
        "date": "date",
        "amount": "money",
        "kind": "text",
    },
    "disputes": {"invoice_id": "text", "opened": "date", "resolved": "date", "reason": "text"},
    "statuses": {"invoice_id": "text", "date": "date", "status": "text"},
    "doubtful": {"invoice_id": "text", "date": "date", "provision": "money"},
    "customers": {
        "customer_id": "text",
        "country": "text",
        "segment": "text",
        "collector": "text",
        "profile": "text",
        "terms_days": "int",
        "end_of_month": "bool",
        "onboarded": "date",
        "default_date": "date",
    },
}

_EPOCH = np.datetime64("1970-01-01", "D")


def _digits(frames: LedgerFrames) -> int:
    cur = frames.invoices["currency"]
    return minor_unit(str(cur.iloc[0])) if len(cur) else 2


def write_frames(frames: LedgerFrames, directory: Path | str, *, prefix: str = "") -> list[Path]:
    """Write every table of ``frames`` as ``<directory>/<prefix><table>.csv``.

    The text is deterministic: ISO dates, amounts with exactly the currency's
    number of decimals, empty cells for missing values, ``\\n`` line ends.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    digits = _digits(frames)
    paths = []
    for name, frame in frames.tables().items():
        path = out / f"{prefix}{name}.csv"
        text = frame.to_csv(
            index=False,
            date_format="%Y-%m-%d",
            float_format=f"%.{digits}f",
            lineterminator="\n",
            na_rep="",
        )
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def _parse(text: pd.Series, kind: str, scale: int) -> Any:
    values = text.to_numpy(dtype=object)
    empty = values == ""
    if kind == "text":
        present: npt.NDArray[np.object_] = values.copy()
        present[empty] = None
        codes, uniques = pd.factorize(present)
        return (pd.Index(list(uniques)), codes.astype(np.int64))
    if kind == "date":
        days = (np.asarray(np.where(empty, "NaT", values), dtype="datetime64[D]") - _EPOCH).astype(
            np.int64
        )
        return np.where(empty, -1, days)
    if kind == "money":
        clean = np.where(empty, "-1", values).astype(str)
        cents = np.char.replace(clean, ".", "").astype(np.int64)
        return np.where(empty, -1, cents)
    if kind == "int":
        return values.astype(np.int64)
    if kind == "bool":
        return values == "True"
    raise ValueError(kind)  # pragma: no cover - internal


def read_frames(open_table: Any, *, prefix: str = "") -> LedgerFrames:
    """Read tables written by :func:`write_frames`.

    ``open_table(filename)`` returns an open text file (a directory's
    ``Path.open`` or an :mod:`importlib.resources` traversable).
    """
    texts: dict[str, pd.DataFrame] = {}
    for name in LedgerFrames.NAMES:
        handle: IO[str] = open_table(f"{prefix}{name}.csv")
        with handle:
            texts[name] = pd.read_csv(handle, dtype=str, keep_default_na=False, na_filter=False)
    currency = texts["invoices"]["currency"]
    scale = 10 ** minor_unit(str(currency.iloc[0]) if len(currency) else "EUR")
    tables = {}
    for name, schema in SCHEMA.items():
        frame = texts[name]
        columns = {col: (kind, _parse(frame[col], kind, scale)) for col, kind in schema.items()}
        tables[name] = build_frame(columns, scale)
    return LedgerFrames(**tables)


def _package_data() -> Any:
    return resources.files("creditkpi.datasets").joinpath("data")


def sample_frames() -> LedgerFrames:
    """The bundled sample as canonical tables (same dtypes as :func:`generate`).

    Returns
    -------
    LedgerFrames
        About 5 000 invoices of 150 customers issued from 2023-01-01 to
        2024-12-31, with their payments, credit notes, write-offs, unapplied
        cash, disputes, dunning statuses and doubtful classifications, as
        extracted on 2024-12-31. Identical to
        ``generate(**SAMPLE_PARAMS)``.

    Examples
    --------
    >>> from creditkpi import datasets
    >>> frames = datasets.sample_frames()
    >>> frames.invoices["issue_date"].min().date(), frames.invoices["issue_date"].max().date()
    (datetime.date(2023, 1, 2), datetime.date(2024, 12, 31))
    """
    data = _package_data()

    def open_table(filename: str) -> IO[str]:
        handle: IO[str] = data.joinpath(filename).open("r", encoding="utf-8", newline="")
        return handle

    return read_frames(open_table, prefix=SAMPLE_PREFIX)


def sample() -> Ledger:
    """The bundled sample ledger (150 customers, 2023-01-01 to 2024-12-31).

    Returns
    -------
    Ledger
        Invoice attributes ``country`` (DE, NL, BE, FR, ES, IT), ``segment``
        and ``collector``; settlements of every kind; disputes, dunning
        statuses and doubtful classifications. Nothing is dated after
        2024-12-31, the natural as-of date.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi import datasets
    >>> ledger = datasets.sample()
    >>> ledger.currency, ledger.attributes
    ('EUR', ['customer_id', 'country', 'segment', 'collector'])
    >>> ck.receivables(ledger, "2024-12-31") > 0
    True
    """
    return sample_frames().ledger()


def write_sample(directory: Path | str | None = None) -> list[Path]:
    """Regenerate the sample CSV files from :data:`SAMPLE_PARAMS`.

    Parameters
    ----------
    directory : path, optional
        Where to write ``sample_<table>.csv``; default: the package's own
        ``data`` folder (for maintainers: run ``python -m creditkpi.datasets``).

    Returns
    -------
    list of Path
        The files written.
    """
    target = Path(str(_package_data())) if directory is None else Path(directory)
    return write_frames(generate(**SAMPLE_PARAMS), target, prefix=SAMPLE_PREFIX)
