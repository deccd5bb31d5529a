"""Regenerate the bundled sample CSV files: ``python -m creditkpi.datasets [--out DIR]``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from creditkpi.datasets._sample import SAMPLE_PARAMS, write_sample


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``sample_<table>.csv`` (default: into the package's data folder)."""
    parser = argparse.ArgumentParser(
        prog="python -m creditkpi.datasets",
        description=f"Regenerate the creditkpi sample CSV files from generate(**{dict(SAMPLE_PARAMS)}).",
    )
    parser.add_argument("--out", default=None, help="directory (default: the package data folder)")
    args = parser.parse_args(argv)
    for path in write_sample(args.out):
        print(f"{path}  {path.stat().st_size:>9,d} bytes")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
