"""Check that the built documentation works offline: python .ci/check_docs_offline.py SITE_DIR.

1. No page loads anything from the network: every ``<script src>``,
   ``<link href>`` (stylesheets, fonts, preconnects), ``<img src>``,
   ``<iframe src>`` and CSS ``@import``/``url()`` is local.
2. Formulas were rendered when the site was built: pages hold MathML and no
   TeX left for a script to typeset (``\\(`` / ``\\[``, ``class="arithmatex"``).
3. Where Chromium exists (``tests/browser.py``), one page with formulas is
   served from this machine (a loopback HTTP server, as ``mkdocs serve`` or
   any static server would) and loaded headless: no console error, no
   request leaving the machine, and its formulas are laid out as MathML.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LOADS = re.compile(
    r"<(?:script|img|iframe|source|audio|video)\b[^>]*\ssrc=[\"']([^\"']+)"
    r"|<link\b[^>]*\shref=[\"']([^\"']+)"
    r"|@import\s+(?:url\()?[\"']?([^\"')\s;]+)"
    r"|url\([\"']?([^\"')]+)",
    re.I,
)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
#: a page with formulas
FORMULA_PAGE = "kpis/dso/index.html"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def external_loads(site: Path) -> list[str]:
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".css") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in LOADS.finditer(text):
            url = next(g for g in match.groups() if g)
            if EXTERNAL.match(url) and not url.startswith("data:"):
                found.append(f"{path.relative_to(site)}: {url}")
    return found


def unrendered_formulas(site: Path) -> list[str]:
    left = []
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if 'class="arithmatex"' in text:
            left.append(str(path.relative_to(site)))
    return left


def main(argv: list[str]) -> int:
    site = Path(argv[1])
    problems = [f"external load: {x}" for x in external_loads(site)]
    problems += [f"formula left for a script: {x}" for x in unrendered_formulas(site)]
    page = site / FORMULA_PAGE
    if not page.exists() or "<math" not in page.read_text(encoding="utf-8"):
        problems.append(f"{FORMULA_PAGE}: no MathML")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.browser import find_chromium, open_page

    chromium = find_chromium()
    if chromium is None:
        print("check_docs_offline: no Chromium here, the browser check is skipped")
    else:
        server = ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        local = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            with open_page(page, chromium=chromium, url=local + FORMULA_PAGE) as loaded:
                formulas = loaded.evaluate(
                    "[...document.querySelectorAll('math')]"
                    ".filter(m => m.getBoundingClientRect().width > 0).length"
                )
                if not formulas:
                    problems.append(f"{FORMULA_PAGE}: no formula laid out in Chromium")
                problems += [f"{FORMULA_PAGE}: {e}" for e in loaded.errors]
                problems += [
                    f"{FORMULA_PAGE}: request {u}"
                    for u in loaded.requests
                    if not u.startswith((local, "data:", "blob:"))
                ]
                problems += [f"{FORMULA_PAGE}: failed {f}" for f in loaded.failed]
        finally:
            server.shutdown()
            server.server_close()
        print(f"check_docs_offline: {FORMULA_PAGE} shows {formulas} formulas in Chromium")
    for problem in problems:
        print(f"check_docs_offline: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
