"""Reading inputs into a :class:`~creditkpi.Ledger`: column mapping and parsing, id matching, builders.

The ``Ledger.from_*`` classmethods delegate here; the container itself is
:mod:`creditkpi.core.ledger`.
"""

from creditkpi.core.ingest.columns import CANONICAL, ColumnMap

__all__ = ["CANONICAL", "ColumnMap"]
