"""The version of creditkpi (one place: the package, the reports and the command read it)."""

__all__ = ["DOCS_URL", "VERSION"]

#: the installed version (as in pyproject.toml)
VERSION = "0.1.0"

#: the documentation site the reports link to (a KPI's definition to its page)
DOCS_URL = "https://creditkpi.readthedocs.io/en/latest/"
