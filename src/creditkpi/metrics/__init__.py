"""One module per KPI family; each depends only on :mod:`creditkpi.core`."""
