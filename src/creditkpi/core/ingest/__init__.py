"""Reading inputs into a :class:`~creditkpi.Ledger`: files, columns, ids, dates, amounts.

The ``Ledger.from_*`` classmethods delegate here; the container itself is
:mod:`creditkpi.core.ledger`.

* :mod:`.files` -- :func:`read_table` (CSV, Excel, Parquet; ids stay text);
* :mod:`.source` -- input tables as pandas Series or Arrow arrays;
* :mod:`.columns` -- canonical columns and the ``columns=`` mapping;
* :mod:`.ids` -- id normalisation, matching and customer codes;
* :mod:`.dates` and :mod:`.amounts` -- exact day numbers and minor units;
* :mod:`.text` -- text cells as character matrices;
* :mod:`.build` -- the builders;
* :mod:`.sql` and :mod:`.parquet` -- databases and Parquet datasets, read into
  Arrow and handed to the builder of ``from_frames``.
"""

from creditkpi.core.ingest.columns import CANONICAL, ColumnMap

__all__ = ["CANONICAL", "ColumnMap"]
