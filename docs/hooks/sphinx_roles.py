"""MkDocs hook: render Sphinx cross-reference roles left in numpydoc docstrings.

Docstrings use roles such as ``:class:`~creditkpi.Ledger``` (read by Sphinx
and IDEs). mkdocstrings renders them literally as ``:class:<code>~creditkpi.Ledger</code>``;
this hook turns them into plain inline code, keeping only the last component
when the target starts with ``~`` (the Sphinx convention).
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(
    r":(?:py:)?(?:class|meth|func|mod|attr|data|exc|obj|const|term|ref):"
    r"<code>(~?)([^<]*)</code>"
)


def _replace(match: re.Match[str]) -> str:
    tilde, target = match.group(1), match.group(2)
    if tilde:
        target = target.rsplit(".", 1)[-1]
    return f"<code>{target}</code>"


def on_page_content(html: str, **kwargs: Any) -> str:
    """Replace ``:role:<code>target</code>`` by ``<code>target</code>``."""
    return _ROLE.sub(_replace, html)
