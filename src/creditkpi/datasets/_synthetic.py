"""The seeded synthetic ledger generator (see :func:`generate`).

Everything is drawn with one :class:`numpy.random.Generator` in a fixed order,
so a seed gives the same tables on every run. The bulk is vectorised: one
numpy pass per table, no Python loop per invoice or per customer.

Model (all knobs are documented on :func:`generate`):

* **Customers** get a country (payment culture), a segment (size and
  frequency of invoices), a collector, payment terms (30/45/60 days, some
  "end of month"), an onboarding month and a payer profile: ``prompt``,
  ``late``, ``very_late``, ``partial`` (pays in instalments, sometimes short)
  or ``defaulter`` (stops paying at a default date, its open invoices are
  classified doubtful with a 100 % provision, then written off).
* **Invoices**: Poisson counts per customer and month with seasonality
  (quiet August, busy autumn) and a yearly growth; issued on business days.
* **Settlements**: payments after the due date plus a delay drawn from the
  profile and shifted by the country's culture (DE/NL prompt, FR medium,
  ES/IT slow); August and Christmas slow-downs; partial payments; credit
  notes (commercial or after a dispute); write-offs.
* **Disputes** delay payment until they are resolved; some end in a credit
  note (a duplicate invoice is cancelled in full).
* **Dunning statuses** follow days past due (reminder 1 at +7, reminder 2 at
  +21, formal notice at +45, collection agency at +90) while the invoice is
  open and not under dispute.
* **Doubtful**: an invoice still open 120 days past due is classified
  doubtful with a 50 % provision; a defaulter's invoices are classified
  shortly after its default with a 100 % provision, and written off later.

The tables are an extract at the last day of the window: nothing is dated
after it (later payments have not happened yet, later resolutions leave the
dispute open). No invoice is ever overpaid and nothing is settled before its
invoice is issued, so :meth:`~creditkpi.Ledger.from_frames` raises no
:class:`~creditkpi.DataQualityWarning`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import check_whole
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.ledger import Ledger
from creditkpi.core.money import minor_unit
from creditkpi.core.period import as_date, from_day, month_end_days
from creditkpi.datasets._frames import LedgerFrames, build_frame

__all__ = [
    "COUNTRIES",
    "DISPUTE_REASONS",
    "DUNNING_STATUSES",
    "PROFILES",
    "SEGMENTS",
    "LedgerFrames",
    "generate",
    "synthetic_ledger",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]

#: payer profiles, in the order of the country profile mixes below
PROFILES: tuple[str, ...] = ("prompt", "late", "very_late", "partial", "defaulter")
PROMPT, LATE, VERY_LATE, PARTIAL, DEFAULTER = range(5)

#: customer segments: (name, share of customers, invoices per month relative to
#: the average, median invoice amount in major currency units)
SEGMENTS: tuple[tuple[str, float, float, float], ...] = (
    ("SME", 0.60, 0.55, 600.0),
    ("Mid-market", 0.30, 1.40, 2500.0),
    ("Key account", 0.10, 3.00, 9000.0),
)


@dataclass(frozen=True, slots=True)
class Culture:
    """A country's payment culture.

    Attributes
    ----------
    weight : float
        Default share of customers.
    shift : float
        Days added to every payment delay (prompt payers get 30 % of it).
    profiles : tuple of float
        Default payer-profile mix, in :data:`PROFILES` order.
    terms : tuple of float
        Probabilities of 30, 45 and 60 days terms.
    end_of_month : float
        Probability that the terms are "end of month" (due date moved to the
        last day of its month, as in "45 jours fin de mois").
    collectors : tuple of str
        The collectors who handle the country.
    """

    weight: float
    shift: float
    profiles: tuple[float, float, float, float, float]
    terms: tuple[float, float, float]
    end_of_month: float
    collectors: tuple[str, str]


#: payment cultures: "l'Europe du Sud vs l'Allemagne"
COUNTRIES: dict[str, Culture] = {
    "DE": Culture(0.22, -1.0, (0.62, 0.28, 0.05, 0.03, 0.02), (0.70, 0.15, 0.15), 0.10,
                  ("Anna", "Lukas")),
    "NL": Culture(0.10, 0.0, (0.58, 0.30, 0.06, 0.04, 0.02), (0.70, 0.15, 0.15), 0.10,
                  ("Anna", "Lukas")),
    "BE": Culture(0.08, 4.0, (0.45, 0.35, 0.10, 0.06, 0.04), (0.40, 0.30, 0.30), 0.30,
                  ("Anna", "Lukas")),
    "FR": Culture(0.28, 8.0, (0.35, 0.38, 0.14, 0.08, 0.05), (0.25, 0.35, 0.40), 0.50,
                  ("Camille", "Hugo")),
    "ES": Culture(0.16, 18.0, (0.22, 0.38, 0.22, 0.11, 0.07), (0.20, 0.20, 0.60), 0.20,
                  ("Giulia", "Mateo")),
    "IT": Culture(0.16, 22.0, (0.20, 0.38, 0.24, 0.11, 0.07), (0.20, 0.20, 0.60), 0.20,
                  ("Giulia", "Mateo")),
}  # fmt: skip

TERMS = np.array([30, 45, 60], dtype=np.int64)

#: dispute reasons: (name, probability, chance of a credit note, credit note
#: share of the amount low..high)
DISPUTE_REASONS: tuple[tuple[str, float, float, float, float], ...] = (
    ("price", 0.30, 0.70, 0.05, 0.25),
    ("quality", 0.25, 0.60, 0.10, 0.60),
    ("delivery", 0.20, 0.30, 0.05, 0.20),
    ("missing PO", 0.15, 0.00, 0.00, 0.00),
    ("duplicate invoice", 0.10, 1.00, 1.00, 1.00),
)
MISSING_PO, DUPLICATE = 3, 4

#: chance that an invoice is disputed, per payer profile
DISPUTE_P = np.array([0.02, 0.05, 0.08, 0.10, 0.12])

#: dunning ladder: (status, days past due at which it is sent if still open)
DUNNING_STATUSES: tuple[tuple[str, int], ...] = (
    ("reminder 1", 7),
    ("reminder 2", 21),
    ("formal notice", 45),
    ("collection agency", 90),
)

#: invoicing seasonality by calendar month (January first)
SEASON = np.array([0.95, 0.95, 1.05, 1.0, 1.0, 1.05, 1.0, 0.70, 1.05, 1.10, 1.10, 1.05])

#: an invoice still open this many days past due is classified doubtful
DOUBTFUL_AFTER = 120
#: provision rate of that rule-based classification (defaulters: 100 %)
DOUBTFUL_PROVISION = 0.5

KINDS = np.array(["payment", "credit_note", "write_off"], dtype=object)
PAY, CN, WO = 0, 1, 2

_EPOCH = np.datetime64("1970-01-01", "D")


# ----------------------------------------------------------------------------------
# small vectorised helpers
# ----------------------------------------------------------------------------------


def _labels(prefix: str, count: int) -> pd.Index:
    """``prefix`` + zero-padded 1..count (``INV000001``), built without a Python loop."""
    width = max(6 if prefix == "INV" else 4, len(str(count)))
    numbers = np.arange(1, count + 1, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = (numbers[:, None] // powers[None, :]) % 10 + ord("0")
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    raw = np.empty((count, len(head) + width), dtype=np.uint8)
    raw[:, : len(head)] = head
    raw[:, len(head) :] = digits
    text = raw.view(f"S{len(head) + width}").ravel().astype(f"U{len(head) + width}")
    out: pd.Index = pd.Index(text.astype(object))
    return out


def _business_day(
    days: IntArray, roll: Literal["forward", "modifiedfollowing"] = "forward"
) -> IntArray:
    """Roll day numbers to a business day (Monday to Friday)."""
    stamps: npt.NDArray[np.datetime64] = (_EPOCH + days).astype("datetime64[D]")
    rolled = np.busday_offset(stamps, 0, roll=roll)
    return np.asarray((rolled - _EPOCH).astype(np.int64), dtype=np.int64)


def _month_of(days: IntArray) -> IntArray:
    """Calendar month (1-12) of day numbers."""
    months = (_EPOCH + days).astype("datetime64[M]").astype(np.int64)
    return np.asarray(months % 12 + 1, dtype=np.int64)


def _month_start(days: IntArray) -> IntArray:
    first = (_EPOCH + days).astype("datetime64[M]").astype("datetime64[D]")
    return np.asarray((first - _EPOCH).astype(np.int64), dtype=np.int64)


def _draw_category(rng: np.random.Generator, probs: FloatArray) -> IntArray:
    """One category per row of ``probs`` (rows sum to 1), by inverse CDF."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(size=int(probs.shape[0]))
    picked = np.minimum((u[:, None] >= cum).sum(axis=1), probs.shape[1] - 1)
    return np.asarray(picked, dtype=np.int64)


def _mix(name: str, given: Mapping[str, float], allowed: tuple[str, ...]) -> FloatArray:
    unknown = [k for k in given if k not in allowed]
    if unknown:
        raise InvalidOptionError(
            f"{name} keys must be among {', '.join(allowed)}; got {', '.join(map(str, unknown))}",
            column=name,
        )
    weights = np.array([float(given.get(k, 0.0)) for k in allowed])
    if not np.all(np.isfinite(weights)) or (weights < 0).any() or weights.sum() <= 0:
        raise InvalidOptionError(
            f"{name} weights must be non-negative with a positive total, got {dict(given)!r}",
            column=name,
        )
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def _group_positions(counts: IntArray) -> tuple[IntArray, IntArray]:
    """For ``np.repeat(arange(n), counts)``: the owner of each row and its rank in its group."""
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(owner.size, dtype=np.int64) - starts[owner]
    return owner, rank


# ----------------------------------------------------------------------------------
# the generator
# ----------------------------------------------------------------------------------


def generate(
    *,
    n_customers: int = 200,
    months: int = 24,
    start: date | str = "2023-01-01",
    seed: int = 0,
    currency: str = "EUR",
    invoices_per_month: float = 1.4,
    growth: float = 0.05,
    country_mix: Mapping[str, float] | None = None,
    profile_mix: Mapping[str, float] | None = None,
) -> LedgerFrames:
    """A seeded synthetic receivables ledger: invoices, settlements, disputes, dunning, doubtful.

    Parameters
    ----------
    n_customers : int, default 200
        Number of customers.
    months : int, default 24
        Length of the window in calendar months.
    start : date or str, default "2023-01-01"
        Any day of the first month; the window runs from that month's first
        day to the last day of month ``start + months - 1``.
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`: the same seed gives the
        same tables (for a given numpy version).
    currency : str, default "EUR"
        ISO 4217 code; amounts are whole minor units of it.
    invoices_per_month : float, default 1.4
        Average number of invoices per active customer and month (before
        seasonality and growth). 20 000 customers over 36 months give about
        one million invoices.
    growth : float, default 0.05
        Yearly growth of the invoicing volume (0.05 = +5 % a year).
    country_mix : mapping, optional
        Share of customers per country among ``DE, NL, BE, FR, ES, IT``
        (default: the weights of :data:`COUNTRIES`). Each country keeps its
        payment culture.
    profile_mix : mapping, optional
        Share of payer profiles among :data:`PROFILES`, for every country
        (default: each country's own mix, see :data:`COUNTRIES`).

    Returns
    -------
    LedgerFrames
        ``invoices, payments, disputes, statuses, doubtful`` (canonical
        columns of :meth:`~creditkpi.Ledger.from_frames`) and ``customers``
        (each customer's country, segment, collector, profile, terms).

    Raises
    ------
    InvalidOptionError
        If an argument is out of range or a mix names an unknown key.

    Notes
    -----
    The tables are an extract taken at the end of the window: nothing is
    dated later. Invoices are never overpaid and never settled before issue,
    so building the ledger emits no :class:`~creditkpi.DataQualityWarning`.
    See the module docstring of ``creditkpi.datasets._synthetic`` for the
    behavioural model.

    Examples
    --------
    >>> from creditkpi import datasets
    >>> frames = datasets.generate(n_customers=20, months=6, seed=1)
    >>> list(frames.invoices.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['invoice_id', 'customer_id', 'issue_date', 'due_date', 'amount', 'currency',
     'country', 'segment', 'collector']
    >>> sorted(set(frames.payments["kind"]))
    ['credit_note', 'payment']
    >>> ledger = frames.ledger()  # no DataQualityWarning
    >>> ledger.n_invoices == len(frames.invoices), ledger.report.issues
    (True, [])
    """
    n = int(check_whole("n_customers", n_customers, minimum=1) or 0)
    n_months = int(check_whole("months", months, minimum=1) or 0)
    check_whole("seed", seed, minimum=-(2**63))
    if not isinstance(currency, str) or not currency.strip():
        raise InvalidOptionError(f"currency must be an ISO code, got {currency!r}")
    currency = currency.strip().upper()
    rate = float(invoices_per_month)
    if not np.isfinite(rate) or rate <= 0:
        raise InvalidOptionError(
            f"invoices_per_month must be positive, got {invoices_per_month!r}",
            column="invoices_per_month",
        )
    growth_rate = float(growth)
    if not np.isfinite(growth_rate) or growth_rate <= -1:
        raise InvalidOptionError(f"growth must be > -1, got {growth!r}", column="growth")
    names = tuple(COUNTRIES)
    cultures = [COUNTRIES[c] for c in names]
    c_weights = (
        _mix("country_mix", country_mix, names)
        if country_mix is not None
        else np.array([c.weight for c in cultures]) / sum(c.weight for c in cultures)
    )
    p_mix = None if profile_mix is None else _mix("profile_mix", profile_mix, PROFILES)

    rng = np.random.default_rng(int(seed))
    scale = 10 ** minor_unit(currency)
    first = as_date(start, name="start")
    m0 = np.datetime64(f"{first.year:04d}-{first.month:02d}", "M")
    month_starts = ((m0 + np.arange(n_months + 1)).astype("datetime64[D]") - _EPOCH).astype(
        np.int64
    )
    end_day = int(month_starts[-1] - 1)
    month_len = np.diff(month_starts)

    # ---------------------------------------------------------------- customers
    country = rng.choice(len(names), size=n, p=c_weights).astype(np.int64)
    seg_share = np.array([s[1] for s in SEGMENTS])
    segment = rng.choice(len(SEGMENTS), size=n, p=seg_share / seg_share.sum()).astype(np.int64)
    prof_table = np.array([c.profiles for c in cultures], dtype=np.float64)
    prof_table = prof_table / prof_table.sum(axis=1, keepdims=True)
    probs = np.broadcast_to(p_mix, (n, len(PROFILES))) if p_mix is not None else prof_table[country]
    profile = _draw_category(rng, np.asarray(probs, dtype=np.float64))
    term_table = np.array([c.terms for c in cultures], dtype=np.float64)
    term = TERMS[_draw_category(rng, term_table[country])]
    eom = rng.random(n) < np.array([c.end_of_month for c in cultures])[country]
    coll_names = sorted({name for c in cultures for name in c.collectors})
    coll_table = np.array([[coll_names.index(x) for x in c.collectors] for c in cultures])
    collector = coll_table[country, rng.integers(0, 2, size=n)]
    seg_freq = np.array([s[2] for s in SEGMENTS])
    seg_freq = seg_freq / float((seg_freq * seg_share).sum() / seg_share.sum())
    cust_rate = rate * seg_freq[segment] * rng.lognormal(-0.125, 0.5, size=n)
    cust_size = np.array([s[3] for s in SEGMENTS])[segment] * rng.lognormal(0.0, 0.5, size=n)
    onboard = np.where(rng.random(n) < 0.8, 0, rng.integers(0, max(n_months, 1), size=n)).astype(
        np.int64
    )
    cust_noise = np.clip(rng.normal(0.0, 3.0, size=n), -6.0, 6.0)
    default_day = rng.integers(month_starts[0] + 90, end_day + 91, size=n, dtype=np.int64)
    is_defaulter = profile == DEFAULTER
    shift = np.array([c.shift for c in cultures])[country] * np.where(profile == PROMPT, 0.3, 1.0)

    # ---------------------------------------------------------------- invoices
    mi = np.arange(n_months)
    season = SEASON[(int(m0.astype(np.int64)) + mi) % 12]
    trend = (1.0 + growth_rate) ** (mi / 12.0)
    lam = cust_rate[:, None] * (season * trend)[None, :]
    lam = lam * (mi[None, :] >= onboard[:, None])
    lam = lam * ~(is_defaulter[:, None] & (month_starts[None, :-1] > default_day[:, None]))
    counts = rng.poisson(lam).astype(np.int64).ravel()
    cell, _ = _group_positions(counts)
    cust = cell // n_months
    mon = cell % n_months
    issue = month_starts[mon] + (rng.random(cust.size) * month_len[mon]).astype(np.int64)
    issue = _business_day(issue, "modifiedfollowing")
    keep = ~(is_defaulter[cust] & (issue > default_day[cust]))
    cust, issue = cust[keep], issue[keep]
    order = np.lexsort((cust, issue))
    cust, issue = cust[order], issue[order]
    n_inv = int(cust.size)

    due = issue + term[cust]
    due = np.where(eom[cust], month_end_days(due), due)
    amount = np.maximum(
        np.rint(cust_size[cust] * rng.lognormal(0.0, 0.8, size=n_inv) * scale), 20 * scale
    ).astype(np.int64)
    prof = profile[cust]

    # ---------------------------------------------------------------- disputes
    disputed = rng.random(n_inv) < DISPUTE_P[prof]
    reason_p = np.array([r[1] for r in DISPUTE_REASONS])
    reason = rng.choice(len(DISPUTE_REASONS), size=n_inv, p=reason_p / reason_p.sum())
    opened = issue + 3 + (rng.random(n_inv) * (term[cust] + 15)).astype(np.int64)
    duration = np.where(
        reason == MISSING_PO,
        3 + rng.gamma(2.0, 4.0, size=n_inv),
        np.where(reason == DUPLICATE, 2 + rng.gamma(2.0, 3.0, size=n_inv),
                 5 + rng.gamma(2.0, 12.0, size=n_inv)),
    )  # fmt: skip
    resolved = opened + np.rint(duration).astype(np.int64)

    # ---------------------------------------------------------------- credit notes
    cn_chance = np.array([r[2] for r in DISPUTE_REASONS])[reason]
    lo = np.array([r[3] for r in DISPUTE_REASONS])[reason]
    hi = np.array([r[4] for r in DISPUTE_REASONS])[reason]
    u_cn = rng.random(n_inv)
    frac_dispute = lo + (hi - lo) * rng.random(n_inv)
    commercial = ~disputed & (u_cn < 0.02)
    frac_commercial = rng.uniform(0.02, 0.15, size=n_inv)
    has_cn = (disputed & (u_cn < cn_chance)) | commercial
    frac = np.where(disputed, frac_dispute, frac_commercial)
    cn_amount = np.where(
        has_cn, np.clip(np.floor(amount * frac), 1, amount).astype(np.int64), 0
    ).astype(np.int64)
    cn_day = np.where(disputed, resolved, issue + 5 + rng.integers(0, 41, size=n_inv))
    rest = amount - cn_amount

    # ---------------------------------------------------------------- payment timing
    u_prompt = rng.random(n_inv)
    delays = np.stack(
        [
            np.where(u_prompt < 0.8, -rng.integers(0, 11, size=n_inv),
                     rng.gamma(1.5, 4.0, size=n_inv)),
            2 + rng.gamma(2.0, 6.0, size=n_inv),
            10 + rng.gamma(2.5, 16.0, size=n_inv),
            rng.gamma(2.0, 6.0, size=n_inv),
            5 + rng.gamma(2.0, 15.0, size=n_inv),
        ]
    )  # fmt: skip
    delay = delays[prof, np.arange(n_inv)] + shift[cust] + cust_noise[cust]
    delay = delay + rng.normal(0.0, 2.0, size=n_inv)
    pay0 = np.maximum(due + np.rint(delay).astype(np.int64), issue)
    after_dispute = resolved + 2 + rng.integers(0, 19, size=n_inv)
    pay0 = np.where(disputed, np.maximum(pay0, after_dispute), pay0)
    pay_month = _month_of(pay0)
    holiday = (pay_month == 8) | ((pay_month == 12) & (pay0 - _month_start(pay0) >= 19))
    pay0 = pay0 + np.where(holiday, rng.integers(0, 21, size=n_inv), 0)
    pay0 = _business_day(pay0)

    # ---------------------------------------------------------------- defaults
    dday = default_day[cust]
    defaulted = is_defaulter[cust] & (pay0 > dday) & (rest > 0)
    before_default = defaulted & (dday > issue) & (rng.random(n_inv) < 0.3)
    part_amount = np.clip(
        np.floor(rest * rng.uniform(0.1, 0.5, size=n_inv)), 1, np.maximum(rest - 1, 1)
    ).astype(np.int64)
    part_day = issue + (rng.random(n_inv) * np.maximum(dday - issue, 0)).astype(np.int64)
    doubtful_day = np.maximum(
        np.minimum(due + DOUBTFUL_AFTER, dday + 15 + rng.integers(0, 31, size=n_inv)), issue
    )
    wo_default_day = np.maximum(
        doubtful_day + 120 + rng.integers(0, 241, size=n_inv), np.where(has_cn, cn_day + 1, 0)
    )

    # ---------------------------------------------------------------- instalments
    n_parts = np.where(
        prof == PARTIAL,
        rng.choice(np.array([2, 3, 4]), size=n_inv, p=[0.5, 0.3, 0.2]),
        np.where(rng.random(n_inv) < 0.06, 2, 1),
    ).astype(np.int64)
    short = (prof == PARTIAL) & (rng.random(n_inv) < 0.15) & (rest > 1)
    short_amount = np.where(
        short, np.clip(np.floor(rest * rng.uniform(0.005, 0.03, size=n_inv)), 1, rest - 1), 0
    ).astype(np.int64)
    paid = np.where(defaulted, np.where(before_default, part_amount, 0), rest - short_amount)
    n_parts = np.where(defaulted, before_default.astype(np.int64), n_parts)
    n_parts = np.where(paid > 0, n_parts, 0).astype(np.int64)
    first_day = np.where(defaulted, part_day, pay0)

    owner, rank = _group_positions(n_parts)
    weight = rng.uniform(0.5, 1.5, size=owner.size)
    gap = np.where(rank > 0, rng.integers(14, 46, size=owner.size), 0).astype(np.int64)
    starts = np.cumsum(n_parts) - n_parts
    wsum = np.cumsum(weight)
    gsum = np.cumsum(gap)
    head_w = np.where(starts > 0, wsum[np.maximum(starts - 1, 0)], 0.0)
    head_g = np.where(starts > 0, gsum[np.maximum(starts - 1, 0)], 0)
    cum_w = wsum - head_w[owner]
    last = starts + n_parts - 1
    total_w = np.zeros(n_inv)
    has_parts = n_parts > 0
    total_w[has_parts] = cum_w[last[has_parts]]
    bound = np.floor(paid[owner] * (cum_w / total_w[owner])).astype(np.int64)
    bound = np.where(rank == n_parts[owner] - 1, paid[owner], np.minimum(bound, paid[owner]))
    prev = np.where(rank > 0, np.concatenate([[0], bound[:-1]]), 0)
    part_cents = bound - prev
    part_days = _business_day(first_day[owner] + gsum - head_g[owner])
    nonzero = part_cents > 0
    owner, part_cents, part_days = owner[nonzero], part_cents[nonzero], part_days[nonzero]

    last_pay = np.full(n_inv, -1, dtype=np.int64)
    np.maximum.at(last_pay, owner, part_days)
    wo_short_day = np.maximum(last_pay, issue) + 60 + rng.integers(0, 61, size=n_inv)
    wo_amount = np.where(defaulted, rest - paid, short_amount).astype(np.int64)
    wo_day = np.where(defaulted, wo_default_day, wo_short_day)

    # ---------------------------------------------------------------- all settlements
    cn_rows = np.flatnonzero(cn_amount > 0)
    wo_rows = np.flatnonzero(wo_amount > 0)
    s_inv = np.concatenate([cn_rows, owner, wo_rows])
    s_day = np.concatenate([cn_day[cn_rows], part_days, wo_day[wo_rows]])
    s_cents = np.concatenate([cn_amount[cn_rows], part_cents, wo_amount[wo_rows]])
    s_kind = np.concatenate(
        [np.full(cn_rows.size, CN), np.full(owner.size, PAY), np.full(wo_rows.size, WO)]
    ).astype(np.int64)
    s_day = np.maximum(s_day, issue[s_inv])  # never before issue
    settled = np.full(n_inv, -1, dtype=np.int64)
    np.maximum.at(settled, s_inv, s_day)  # every plan settles the invoice in full

    def balance_at(day: IntArray) -> IntArray:
        """Open balance of every invoice at the end of ``day`` (per invoice)."""
        mask = s_day <= day[s_inv]
        done = np.bincount(s_inv[mask], weights=s_cents[mask].astype(np.float64), minlength=n_inv)
        return np.asarray(amount - np.rint(done).astype(np.int64), dtype=np.int64)

    # ---------------------------------------------------------------- doubtful
    rule_day = due + DOUBTFUL_AFTER
    late_open = ~defaulted & (settled > rule_day)
    db_day = np.where(defaulted, doubtful_day, rule_day)
    db_bal = balance_at(db_day)
    db_prov = np.where(
        defaulted, db_bal, np.floor(db_bal * DOUBTFUL_PROVISION).astype(np.int64)
    ).astype(np.int64)
    # a short payer's small remainder waiting for its write-off is not doubtful
    db_rows = np.flatnonzero(
        (defaulted | (late_open & (db_bal > short_amount))) & (db_bal > 0) & (db_day <= end_day)
    )

    # ---------------------------------------------------------------- dunning
    st_inv_parts, st_day_parts, st_code_parts = [], [], []
    for code, (_, offset) in enumerate(DUNNING_STATUSES):
        ev = _business_day(due + offset)
        paused = disputed & (opened <= ev) & (ev < resolved)
        rows = np.flatnonzero((ev < settled) & (ev <= end_day) & ~paused)
        st_inv_parts.append(rows)
        st_day_parts.append(ev[rows])
        st_code_parts.append(np.full(rows.size, code, dtype=np.int64))
    st_inv = np.concatenate(st_inv_parts)
    st_day = np.concatenate(st_day_parts)
    st_code = np.concatenate(st_code_parts)

    # ---------------------------------------------------------------- unapplied cash
    n_un = max(3, n_inv // 400) if n_inv else 0
    pick = rng.integers(0, max(n_inv, 1), size=n_un)
    un_cust = cust[pick] if n_inv else np.zeros(0, np.int64)
    un_day = np.minimum(_business_day(issue[pick] + rng.integers(0, 61, size=n_un)), end_day)
    un_cents = np.maximum(np.floor(amount[pick] * rng.uniform(0.05, 1.0, size=n_un)), 1)

    # ---------------------------------------------------------------- extract at end_day
    keep_s = s_day <= end_day
    s_inv, s_day, s_cents, s_kind = s_inv[keep_s], s_day[keep_s], s_cents[keep_s], s_kind[keep_s]
    p_inv = np.concatenate([s_inv, np.full(n_un, -1, dtype=np.int64)])
    p_cust = np.concatenate([cust[s_inv], un_cust]).astype(np.int64)
    p_day = np.concatenate([s_day, un_day]).astype(np.int64)
    p_cents = np.concatenate([s_cents, un_cents.astype(np.int64)]).astype(np.int64)
    p_kind = np.concatenate([s_kind, np.full(n_un, PAY, dtype=np.int64)])
    order = _sort_keys(p_day, p_inv + 1, p_kind)
    p_inv, p_cust, p_day, p_cents, p_kind = (
        x[order] for x in (p_inv, p_cust, p_day, p_cents, p_kind)
    )
    d_rows = np.flatnonzero(disputed & (opened <= end_day))
    d_rows = d_rows[_sort_keys(opened[d_rows], d_rows)]
    order = _sort_keys(st_day, st_inv, st_code)
    st_inv, st_day, st_code = st_inv[order], st_day[order], st_code[order]
    db_rows = db_rows[_sort_keys(db_day[db_rows], db_rows)]

    # ---------------------------------------------------------------- frames
    inv_ids = _labels("INV", n_inv)
    cust_ids = _labels("C", n)
    country_names = pd.Index(list(names))
    seg_names = pd.Index([x[0] for x in SEGMENTS])
    coll_idx = pd.Index(coll_names)
    reason_names = pd.Index([x[0] for x in DISPUTE_REASONS])
    status_names = pd.Index([x[0] for x in DUNNING_STATUSES])
    res = resolved[d_rows]
    default_shown = np.where(is_defaulter & (default_day <= end_day), default_day, -1)

    raw: dict[str, dict[str, tuple[str, Any]]] = {
        "invoices": {
            "invoice_id": ("text", (inv_ids, np.arange(n_inv))),
            "customer_id": ("text", (cust_ids, cust)),
            "issue_date": ("date", issue),
            "due_date": ("date", due),
            "amount": ("money", amount),
            "currency": ("text", (pd.Index([currency]), np.zeros(n_inv, np.int64))),
            "country": ("text", (country_names, country[cust])),
            "segment": ("text", (seg_names, segment[cust])),
            "collector": ("text", (coll_idx, collector[cust])),
        },
        "payments": {
            "invoice_id": ("text", (inv_ids, p_inv)),
            "customer_id": ("text", (cust_ids, p_cust)),
            "date": ("date", p_day),
            "amount": ("money", p_cents),
            "kind": ("text", (pd.Index(list(KINDS)), p_kind)),
        },
        "disputes": {
            "invoice_id": ("text", (inv_ids, d_rows)),
            "opened": ("date", opened[d_rows]),
            "resolved": ("date", np.where(res <= end_day, res, -1)),
            "reason": ("text", (reason_names, reason[d_rows])),
        },
        "statuses": {
            "invoice_id": ("text", (inv_ids, st_inv)),
            "date": ("date", st_day),
            "status": ("text", (status_names, st_code)),
        },
        "doubtful": {
            "invoice_id": ("text", (inv_ids, db_rows)),
            "date": ("date", db_day[db_rows]),
            "provision": ("money", db_prov[db_rows]),
        },
        "customers": {
            "customer_id": ("text", (cust_ids, np.arange(n))),
            "country": ("text", (country_names, country)),
            "segment": ("text", (seg_names, segment)),
            "collector": ("text", (coll_idx, collector)),
            "profile": ("text", (pd.Index(list(PROFILES)), profile)),
            "terms_days": ("int", term),
            "end_of_month": ("bool", eom),
            "onboarded": ("date", month_starts[onboard]),
            "default_date": ("date", default_shown),
        },
    }
    return LedgerFrames(**{name: build_frame(cols, scale) for name, cols in raw.items()})


def _sort_keys(*keys: IntArray) -> IntArray:
    """Stable order by ``keys`` (first is the primary key) of non-negative int arrays."""
    if keys[0].size == 0:
        return np.zeros(0, dtype=np.int64)
    combined = np.zeros(keys[0].size, dtype=np.int64)
    for key in keys:
        k = np.asarray(key, dtype=np.int64)
        combined = combined * (int(k.max()) + 1) + k
    return np.asarray(np.argsort(combined, kind="stable"), dtype=np.int64)


def synthetic_ledger(
    *,
    n_customers: int = 200,
    months: int = 24,
    start: date | str = "2023-01-01",
    seed: int = 0,
    currency: str = "EUR",
    invoices_per_month: float = 1.4,
    growth: float = 0.05,
    country_mix: Mapping[str, float] | None = None,
    profile_mix: Mapping[str, float] | None = None,
) -> Ledger:
    """:func:`generate` then :meth:`~creditkpi.Ledger.from_frames`: a synthetic ledger.

    Takes the same arguments as :func:`generate`.

    Returns
    -------
    Ledger
        Invoices carry the attributes ``country``, ``segment`` and
        ``collector`` (usable as ``by=``).

    Examples
    --------
    >>> from creditkpi import datasets
    >>> ledger = datasets.synthetic_ledger(n_customers=30, months=12, seed=3)
    >>> ledger.attributes
    ['customer_id', 'country', 'segment', 'collector']
    """
    return generate(
        n_customers=n_customers,
        months=months,
        start=start,
        seed=seed,
        currency=currency,
        invoices_per_month=invoices_per_month,
        growth=growth,
        country_mix=country_mix,
        profile_mix=profile_mix,
    ).ledger()


def window(start: date | str, months: int) -> tuple[date, date]:
    """First and last day of the window of ``generate(start=start, months=months)``.

    Examples
    --------
    >>> window("2023-01-15", 24)
    (datetime.date(2023, 1, 1), datetime.date(2024, 12, 31))
    """
    first = as_date(start, name="start")
    m0 = np.datetime64(f"{first.year:04d}-{first.month:02d}", "M")
    last = int(((m0 + int(months)).astype("datetime64[D]") - _EPOCH).astype(np.int64)) - 1
    return date(first.year, first.month, 1), from_day(last)
