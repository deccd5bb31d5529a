"""Data shown as text, never as commands: terminals, HTML, JSON and spreadsheets.

Customer ids, dispute reasons, status labels and column names come from the
user's files, and a file can hold anything. Before such text reaches an
output it goes through one of these functions:

* :func:`printable` -- for terminals, plain-text and HTML output: control
  characters (C0 and C1, ``DEL``, the escape character that starts terminal
  sequences) and the invisible characters that reorder text (bidirectional
  overrides and isolates, line and paragraph separators) are replaced by a
  visible escape such as ``\\x1b`` or ``\\u202e``, so a label can neither
  drive the terminal nor disguise itself. (Rich markup such as ``[bold]`` is
  a separate matter: renderers pass labels as ``rich.text.Text`` objects,
  which are never parsed as markup.)
* :func:`json_text` -- JSON that stays exact (every string round-trips) but
  writes the same invisible characters as ``\\uXXXX`` escapes instead of raw.
* :func:`csv_cell` and :func:`csv_text` -- CSV for spreadsheets: a text cell
  that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  prefixed with a single quote, as the OWASP *CSV Injection* guidance
  recommends, so a spreadsheet shows it instead of evaluating it as a
  formula; numbers (negative ones included) stay numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["FORMULA_PREFIXES", "csv_cell", "csv_text", "json_text", "printable"]

#: characters that make a spreadsheet read a cell as a formula (OWASP)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# C0 controls, DEL, C1 controls, Arabic letter mark, LRM/RLM, line and
# paragraph separators, bidi embeddings/overrides (U+202A-E) and isolates
# (U+2066-9)
_NOT_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_INVISIBLE_RE = re.compile(f"[\x00-\x1f{_NOT_C0}]")
# JSON already escapes the C0 range
_JSON_RAW_RE = re.compile(f"[{_NOT_C0}]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# a CSV field with one of these is quoted (";" too: some spreadsheets split on it)
_QUOTE_IF = re.compile('[,;"\r\n\t]')


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: object) -> str:
    r"""``text`` with control and text-reordering characters made visible.

    Parameters
    ----------
    text : object
        Any value; it is converted with ``str`` first.

    Returns
    -------
    str
        The text, each control character replaced by its escape (``\t``,
        ``\n``, ``\r``, ``\xNN``, ``\uNNNN``); other characters unchanged.

    Examples
    --------
    >>> print(printable("\x1b[31mred\x1b[0m"))
    \x1b[31mred\x1b[0m
    >>> print(printable("invoice\u202egpj.exe"))
    invoice\u202egpj.exe
    >>> printable("Société Générale [SA]")
    'Société Générale [SA]'
    """
    return _INVISIBLE_RE.sub(_escape, str(text))


def json_text(text: str) -> str:
    r"""JSON text with C1 controls and text-reordering characters as ``\uXXXX`` escapes.

    ``json.dumps(..., ensure_ascii=False)`` escapes the C0 controls but
    writes the others raw; this escapes them too. The JSON means exactly
    the same (every string decodes to the same value), and printing it on
    a terminal sends no control sequence.

    Examples
    --------
    >>> import json
    >>> text = json_text(json.dumps({"customer": "a\u202eb\x9b"}, ensure_ascii=False))
    >>> text
    '{"customer": "a\\u202eb\\u009b"}'
    >>> json.loads(text) == {"customer": "a\u202eb\x9b"}
    True
    """
    return _JSON_RAW_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def csv_cell(value: object, *, escape_formulas: bool = True) -> str:
    r"""One CSV cell as text: text cells neutralised, numbers as they are.

    Parameters
    ----------
    value : object
        A cell. ``str`` values are text cells; anything else (numbers,
        ``Decimal``) is converted with ``str`` and never changed.
    escape_formulas : bool, default True
        Prefix a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab
        or a carriage return with a single quote, and make its control
        characters visible (:func:`printable`). ``False`` writes text
        verbatim, for programs that read the CSV.

    Returns
    -------
    str

    Examples
    --------
    >>> csv_cell('=HYPERLINK("http://example.com")')
    '\'=HYPERLINK("http://example.com")'
    >>> csv_cell("-1+2"), csv_cell(-12.5), csv_cell("ACME")
    ("'-1+2", '-12.5', 'ACME')
    >>> csv_cell("@SUM(A1)", escape_formulas=False)
    '@SUM(A1)'
    """
    if not isinstance(value, str):
        return str(value)
    if not escape_formulas:
        return value
    text = value
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return printable(text)


def _field(text: str) -> str:
    if _QUOTE_IF.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(
    header: Sequence[object], rows: Iterable[Sequence[object]], *, escape_formulas: bool = True
) -> str:
    r"""A CSV document (``\n`` line ends) from a header and rows of cells.

    Cells go through :func:`csv_cell`; a field holding a comma, a
    semicolon, a quote, a tab or a line break is quoted (so a carriage
    return inside a cell never breaks its row), quotes doubled.

    Examples
    --------
    >>> print(csv_text(["customer_id", "balance"], [["=1+1", 10.5], ["a,b", -3]]), end="")
    customer_id,balance
    '=1+1,10.5
    "a,b",-3
    >>> csv_text(["id"], [["\rCR"]], escape_formulas=False)
    'id\n"\rCR"\n'
    """
    lines = [",".join(_field(csv_cell(c, escape_formulas=escape_formulas)) for c in header)]
    for row in rows:
        lines.append(",".join(_field(csv_cell(c, escape_formulas=escape_formulas)) for c in row))
    return "\n".join(lines) + "\n"
