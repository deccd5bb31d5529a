"""The version of creditkpi (one place: the package, the reports and the command read it)."""

__all__ = ["VERSION"]

#: the installed version (as in pyproject.toml)
VERSION = "0.1.0"
