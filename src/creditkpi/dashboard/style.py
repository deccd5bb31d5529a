"""The stylesheets of the dashboard's HTML: the notebook fragment, the page, its print form.

Inline only: the page loads nothing (:data:`CSP` forbids it). The print
rules lay the credit pack out on A4: each main section starts a page, a
table or a chart is never cut (a long table breaks between rows, its
header repeated), colours are kept.
"""

from __future__ import annotations

__all__ = ["A4", "CSP", "FRAGMENT", "PAGE"]

#: nothing may be loaded: no script, no external style, font, image or frame
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'"
)

#: scoped stylesheet of the fragment (notebooks) and the page; readable on light
#: and dark notebook themes (translucent greys, inherited text colour)
FRAGMENT = """
.creditkpi-dashboard{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 line-height:1.35;max-width:60rem}
.creditkpi-dashboard .table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;
 margin:0.4em 0 1.2em}
.creditkpi-dashboard table{border-collapse:collapse;margin:0}
.creditkpi-dashboard th,.creditkpi-dashboard td{padding:3px 10px;text-align:left;
 border-bottom:1px solid rgba(127,127,127,0.3);vertical-align:top}
.creditkpi-dashboard th{font-weight:600;white-space:nowrap}
.creditkpi-dashboard td.num,.creditkpi-dashboard th.num{text-align:right;
 font-variant-numeric:tabular-nums;white-space:nowrap}
.creditkpi-dashboard tr.section td{font-weight:600;background:rgba(127,127,127,0.12)}
.creditkpi-dashboard tr.block td{font-style:italic;padding-left:1.2em}
.creditkpi-dashboard .better{color:#1a7f37}.creditkpi-dashboard .worse{color:#cf222e}
.creditkpi-dashboard .met{color:#1a7f37;font-weight:600}
.creditkpi-dashboard .missed{color:#cf222e;font-weight:600}
.creditkpi-dashboard .dim{opacity:0.75}
.creditkpi-dashboard .note{font-size:90%;opacity:0.85}
.creditkpi-dashboard .facts{margin:0.2em 0 0.8em;font-size:95%}
.creditkpi-dashboard ul.notes{margin:0.3em 0 1em;padding-left:1.3em}
"""

#: page-only rules: layout, the pack's parts, phone widths, print
PAGE = """
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;padding:1rem 1.25rem 2rem;color:#1f2328;background:#fff}
.creditkpi-dashboard{margin:0 auto}
.creditkpi-dashboard h1{font-size:1.5rem;margin:0.2em 0 0.3em}
.creditkpi-dashboard h2{font-size:1.15rem;margin:1.4em 0 0.3em;
 border-bottom:2px solid rgba(127,127,127,0.25);padding-bottom:0.15em}
.creditkpi-dashboard h3{font-size:1rem;margin:1.1em 0 0.2em}
.creditkpi-dashboard dl.facts{display:grid;grid-template-columns:max-content 1fr;
 gap:0.15em 1em;margin:0.4em 0 1em}
.creditkpi-dashboard dl.facts dt{font-weight:600}
.creditkpi-dashboard dl.facts dd{margin:0}
.creditkpi-dashboard ul.summary{margin:0.3em 0 1em;padding-left:1.3em}
.creditkpi-dashboard ul.summary li{margin:0.15em 0}
.creditkpi-dashboard td .definition{display:block;font-size:82%;opacity:0.75;
 white-space:normal;max-width:22rem}
.creditkpi-dashboard td a{color:inherit;text-decoration-color:rgba(127,127,127,0.5)}
.creditkpi-dashboard figure{margin:0.6em 0 1.2em}
.creditkpi-dashboard figure img{display:block;max-width:100%;height:auto;
 border:1px solid rgba(127,127,127,0.25)}
.creditkpi-dashboard footer{margin-top:2em;font-size:85%;opacity:0.8}
@media (max-width:600px){
 body{padding:0.5rem 0.4rem 1.5rem}
 .creditkpi-dashboard{font-size:15px}
 .creditkpi-dashboard table{font-size:13px}
 .creditkpi-dashboard table.kpis{font-size:12px}
 .creditkpi-dashboard th,.creditkpi-dashboard td{padding:3px 3px}
 .creditkpi-dashboard .unit,.creditkpi-dashboard .year{display:none}
 .creditkpi-dashboard td .definition{display:none}
 .creditkpi-dashboard dl.facts{grid-template-columns:1fr}
 .creditkpi-dashboard dl.facts dd{margin:0 0 0.4em}
}
@media print{
 @page{margin:12mm 11mm}
 body{padding:0;font-size:9.5pt}
 .creditkpi-dashboard{max-width:none}
 .creditkpi-dashboard .table-wrap{overflow:visible;margin:0.3em 0 0.8em}
 .creditkpi-dashboard table{font-size:8.5pt;width:100%}
 .creditkpi-dashboard th,.creditkpi-dashboard td{padding:2px 4px}
 .creditkpi-dashboard table.kpis{font-size:8pt}
 .creditkpi-dashboard table.kpis td:first-child{width:34%}
 .creditkpi-dashboard td .definition{max-width:none;font-size:7pt}
 .creditkpi-dashboard tr.section td{break-after:avoid}
 .creditkpi-dashboard thead{display:table-header-group}
 .creditkpi-dashboard tr,.creditkpi-dashboard figure,.creditkpi-dashboard .keep{
  break-inside:avoid}
 .creditkpi-dashboard section.page{break-before:page}
 .creditkpi-dashboard h2,.creditkpi-dashboard h3{break-after:avoid}
 .creditkpi-dashboard figure{margin:0.3em 0 0.6em}
 .creditkpi-dashboard figure img{max-width:100%;max-height:9.3cm;margin:0 auto;border:none}
 .creditkpi-dashboard td a{text-decoration:none}
 .creditkpi-dashboard .better,.creditkpi-dashboard .worse,.creditkpi-dashboard .met,
 .creditkpi-dashboard .missed,.creditkpi-dashboard tr.section td{
  -webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

#: the paper of ``--format pdf``
A4 = "@page{size:A4}"
