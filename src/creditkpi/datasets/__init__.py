"""Synthetic and sample receivables ledgers.

* :func:`generate` -- a seeded synthetic ledger as canonical tables
  (:class:`LedgerFrames`): customers with payer profiles, payment terms and
  national payment cultures (DE/NL prompt, FR medium, ES/IT slow),
  seasonality, partial payments, credit notes, disputes, dunning statuses,
  doubtful classifications with provisions and write-offs, unapplied cash.
  Vectorised: a million invoices in a few seconds.
* :func:`synthetic_ledger` -- the same, built into a :class:`~creditkpi.Ledger`.
* :func:`sample` / :func:`sample_frames` -- a small bundled sample (150
  customers, 2023-01-01 to 2024-12-31, about 5 000 invoices) read from CSV
  files shipped in the package; :func:`write_sample` (or ``python -m
  creditkpi.datasets``) regenerates them from :data:`SAMPLE_PARAMS`.

Examples
--------
>>> import creditkpi as ck
>>> from creditkpi import datasets
>>> ledger = datasets.synthetic_ledger(n_customers=50, months=12, seed=7)
>>> ck.receivables(ledger, "2023-12-31") > 0
True
"""

from creditkpi.datasets._frames import LedgerFrames
from creditkpi.datasets._sample import (
    SAMPLE_PARAMS,
    sample,
    sample_frames,
    write_sample,
)
from creditkpi.datasets._synthetic import (
    COUNTRIES,
    DISPUTE_REASONS,
    DUNNING_STATUSES,
    PROFILES,
    SEGMENTS,
    Culture,
    generate,
    synthetic_ledger,
)

__all__ = [
    "COUNTRIES",
    "DISPUTE_REASONS",
    "DUNNING_STATUSES",
    "PROFILES",
    "SAMPLE_PARAMS",
    "SEGMENTS",
    "Culture",
    "LedgerFrames",
    "generate",
    "sample",
    "sample_frames",
    "synthetic_ledger",
    "write_sample",
]
