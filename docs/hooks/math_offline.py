"""MkDocs hook: formulas rendered to MathML when the site is built (no script, no network).

``pymdownx.arithmatex`` (generic mode) leaves ``\\(...\\)`` in
``<span class="arithmatex">`` and ``\\[...\\]`` in ``<div class="arithmatex">``.
This hook converts each to MathML with ``latex2mathml`` (pure Python, in the
``docs`` extra), which every current browser renders natively: the pages need
no MathJax or KaTeX script, no web font and no network, and read the same
offline. A formula that does not convert fails the build, naming the page.
"""

from __future__ import annotations

import html
import re
from typing import Any

from latex2mathml.converter import convert

_BLOCK = re.compile(r'<div class="arithmatex">\s*\\\[(.*?)\\\]\s*</div>', re.S)
_INLINE = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.S)


def to_mathml(tex: str, *, block: bool) -> str:
    r"""One formula (TeX, HTML-escaped as Markdown left it) as MathML.

    Examples
    --------
    >>> to_mathml(r"\frac{a}{b} \le 1", block=False)  # doctest: +ELLIPSIS
    '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><mfrac>...'
    """
    return str(convert(html.unescape(tex).strip(), display="block" if block else "inline"))


def render(page_html: str, where: str = "page") -> str:
    """Every arithmatex formula of ``page_html`` replaced by MathML."""

    def block(match: re.Match[str]) -> str:
        return f'<div class="math-display">{_convert(match.group(1), True, where)}</div>'

    def inline(match: re.Match[str]) -> str:
        return _convert(match.group(1), False, where)

    return _INLINE.sub(inline, _BLOCK.sub(block, page_html))


def _convert(tex: str, block: bool, where: str) -> str:
    try:
        return to_mathml(tex, block=block)
    except Exception as exc:  # latex2mathml raises several kinds
        raise ValueError(f"{where}: cannot render the formula {tex!r}: {exc}") from exc


def on_page_content(page_html: str, page: Any, **kwargs: Any) -> str:
    """MkDocs event: the page's HTML with its formulas as MathML."""
    return render(page_html, str(getattr(page.file, "src_uri", "page")))
