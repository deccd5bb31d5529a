"""The command line does not trust its data: hostile labels in every format, and the -o rules."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditkpi.cli import main
from creditkpi.cli.common import show_progress

COMMAND = Path(sys.executable).parent / "creditkpi"

#: customer ids and dispute reasons a hostile (or careless) export may hold
HOSTILE = [
    "[/]",
    "[link=http://x]click[/link]",
    "[bold red]boom",
    "\x1b[31mred",
    "\x1b]8;;http://x\x1b\\osc-link\x1b]8;;\x1b\\",
    "bidi\u202eevil\u2066x",
    "c1\x9b31m",
    '=HYPERLINK("http://x")',
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\tTab",
    "\rCR",
]
#: raw characters that must never reach a terminal: ESC, C1 controls, bidi controls
RAW_CONTROL = re.compile("[\x1b\x80-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile(tmp_path: Path) -> list[Path]:
    inv, pay, disp = (tmp_path / n for n in ("invoices.csv", "payments.csv", "disputes.csv"))
    with inv.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["invoice_id", "customer_id", "issue_date", "due_date", "amount", "region"])
        for i, label in enumerate(HOSTILE):
            w.writerow([f"I{i}", label, "2024-03-01", "2024-03-31", f"{100 + i}.00", label])
    pay.write_text("invoice_id,date,amount\nI0,2024-04-10,50.00\n", encoding="utf-8")
    with disp.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["invoice_id", "opened", "reason"])
        for i, label in enumerate(HOSTILE):
            w.writerow([f"I{i}", "2024-03-15", f"r{label}"])  # reasons are stripped: keep a char
    return [inv, pay, disp]


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _report(files: list[Path], *more: str | Path) -> list[str | Path]:
    inv, pay, disp = files
    return ["report", inv, pay, "--disputes", disp, "--period", "2024-04", *more]


# ----------------------------------------------------------------------------------
# hostile labels, every output format
# ----------------------------------------------------------------------------------


def _visible(label: str) -> str:
    """How a label shows in terminal, text and HTML output: control characters escaped."""
    from creditkpi.core.safe_text import printable

    return printable(label)


@pytest.mark.parametrize("by", ["customer_id", "region"])
def test_terminal_table_shows_labels_as_text(
    hostile: list[Path], capsys: pytest.CaptureFixture[str], by: str
) -> None:
    status, out, err = _run(capsys, *_report(hostile, "--by", by, "--width", "250", "-q"))
    assert status == 0, err
    assert not RAW_CONTROL.search(out)
    for label in HOSTILE:
        assert _visible(label) in out  # markup shown literally, controls escaped


def test_colour_terminal_gets_only_its_own_styles(hostile: list[Path]) -> None:
    if not COMMAND.exists():
        pytest.skip(f"the creditkpi command is not installed next to {sys.executable}")
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "250"}
    env.pop("NO_COLOR", None)
    result = subprocess.run(
        [str(COMMAND), *map(str, _report(hostile, "--by", "customer_id", "-q"))],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "\x1b[" in result.stdout  # colours on: the styles of the table itself
    assert "\x1b]" not in result.stdout  # no hyperlink (OSC 8) from [link=...]
    without_styles = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert not RAW_CONTROL.search(without_styles)  # nothing else from the data
    assert "[link=http://x]click[/link]" in without_styles


def test_text_file_output(
    hostile: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.txt"
    status, out, err = _run(capsys, *_report(hostile, "--width", "250", "-o", target, "-q"))
    assert status == 0 and out == "", err
    text = target.read_text(encoding="utf-8")
    assert not RAW_CONTROL.search(text)
    for label in HOSTILE:
        assert _visible(label) in text


def test_json_is_faithful_and_terminal_safe(
    hostile: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(
        capsys, *_report(hostile, "-f", "json", "--by", "customer_id", "--top", "20", "-q")
    )
    assert status == 0, err
    assert not RAW_CONTROL.search(out)
    data = json.loads(out)
    assert {row["customer_id"] for row in data["top_customers"]} == set(HOSTILE)
    assert {row["group"] for row in data["groups"]["rows"]} == set(HOSTILE)
    assert {row["reason"] for row in data["dispute_reasons"]} == {
        f"r{label}".strip() for label in HOSTILE
    }


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_cells_neutralised(
    hostile: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "april.csv"
    status, _, err = _run(
        capsys, *_report(hostile, "-f", "csv", "--by", "customer_id", "-o", target)
    )
    assert status == 0, err
    groups = _csv_rows((tmp_path / "april_by_customer_id.csv").read_text(encoding="utf-8"))
    assert groups[0][:3] == ["customer_id", "receivables", "overdue"]
    assert len(groups) == len(HOSTILE) + 1  # a carriage return does not break a row
    labels = [row[0] for row in groups[1:]]
    for label in HOSTILE:
        shown = _visible(label)
        expected = "'" + shown if label.startswith(("=", "+", "-", "@", "\t", "\r")) else shown
        assert expected in labels, (label, labels)
    for cell in labels:  # nothing a spreadsheet would evaluate
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        assert not RAW_CONTROL.search(cell)
    # numbers stay numbers, negative ones included
    kpis = {row[0]: row for row in _csv_rows(target.read_text(encoding="utf-8"))}
    total = sum(100 + i for i in range(len(HOSTILE))) - 50
    assert kpis["receivables"][2] == f"{total}.00" and kpis["receivables"][4] == "-50.00"


def test_raw_csv_is_verbatim(hostile: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(
        capsys, *_report(hostile, "-f", "csv", "--by", "customer_id", "--raw-csv", "-q")
    )
    assert status == 0, err
    _kpi_part, _, group_part = out.partition("\n\n")
    groups = _csv_rows(group_part)
    assert sorted(row[0] for row in groups[1:]) == sorted(HOSTILE)  # exact, row intact


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_everything(hostile: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    status, out, err = _run(capsys, *_report(hostile, "-f", "html", "--by", "region", "-q"))
    assert status == 0, err
    assert not RAW_CONTROL.search(out)
    parser = _Tags()
    parser.feed(out)
    assert "script" not in parser.tags and "link" not in parser.tags
    # the only links are the KPI definitions' (to the documentation), none from the data
    from creditkpi.registry import KPIS
    from creditkpi.version import DOCS_URL

    pages = {DOCS_URL + k.page.removesuffix(".md") + "/" for k in KPIS.values()}
    assert parser.links and set(parser.links) <= pages
    text = "".join(parser.text)
    for label in HOSTILE:
        assert _visible(label) in text


# ----------------------------------------------------------------------------------
# -o: never an input, never through a link, --force for existing files, atomic
# ----------------------------------------------------------------------------------


def _error(capsys: pytest.CaptureFixture[str], *args: str | Path) -> str:
    status, out, err = _run(capsys, *args)
    assert status == 2 and out == "", err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("creditkpi: error: "), err
    return lines[0]


def test_output_never_overwrites_an_input(
    hostile: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv = hostile[0]
    before = inv.read_bytes()
    for target in (inv, tmp_path / "sub" / ".." / inv.name):
        (tmp_path / "sub").mkdir(exist_ok=True)
        line = _error(capsys, *_report(hostile, "-o", target, "--force"))
        assert "is an input file" in line
    other = tmp_path / "alias.csv"
    os.link(inv, other)  # the same file under another name
    line = _error(capsys, *_report(hostile, "-o", other, "--force"))
    assert "is an input file" in line
    assert inv.read_bytes() == before


def test_existing_file_needs_force(
    hostile: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.json"
    target.write_text("keep me", encoding="utf-8")
    line = _error(capsys, *_report(hostile, "-f", "json", "-o", target))
    assert "already exists: add --force" in line
    assert target.read_text(encoding="utf-8") == "keep me"
    status, _, err = _run(capsys, *_report(hostile, "-f", "json", "-o", target, "--force", "-q"))
    assert status == 0, err
    assert json.loads(target.read_text(encoding="utf-8"))["period"]["label"] == "2024-04"
    # written atomically: nothing but the inputs and the report in the folder
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*(p.name for p in hostile), "report.json"]
    )


def test_symbolic_links_are_refused(
    hostile: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    link = tmp_path / "report.txt"
    link.symlink_to(victim)
    line = _error(capsys, *_report(hostile, "-o", link, "--force"))
    assert "symbolic link" in line
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    assert "symbolic link" in _error(capsys, *_report(hostile, "-o", dangling))
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not (tmp_path / "nowhere.txt").exists()


def test_companion_files_follow_the_same_rules(
    hostile: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "april.csv"
    companion = tmp_path / "april_by_customer_id.csv"
    companion.write_text("old", encoding="utf-8")
    line = _error(capsys, *_report(hostile, "-f", "csv", "--by", "customer_id", "-o", target))
    assert "april_by_customer_id.csv already exists" in line
    assert not target.exists()  # checked before anything is written
    assert companion.read_text(encoding="utf-8") == "old"


def test_chart_files_follow_the_same_rules(
    hostile: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / "aging.png").symlink_to(tmp_path / "elsewhere.png")
    line = _error(capsys, *_report(hostile, "--charts", charts, "-q"))
    assert "symbolic link" in line and not (tmp_path / "elsewhere.png").exists()
    (charts / "aging.png").unlink()
    (charts / "aging.png").write_bytes(b"old")
    assert "already exists" in _error(capsys, *_report(hostile, "--charts", charts, "-q"))
    page = tmp_path / "report.html"
    status, out, err = _run(
        capsys, *_report(hostile, "--charts", charts, "-f", "html", "-o", page, "--force")
    )
    assert status == 0 and out == "", err
    png = (charts / "aging.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    # the aged balance, the two trends and the cohorts (this book expects no cash: no forecast)
    assert page.read_text(encoding="utf-8").count('src="data:image/png;base64,') == 4
    assert f"creditkpi: wrote {charts / 'aging.png'}" in err
    assert sorted(p.name for p in charts.iterdir()) == [
        "aging.png", "cohorts.png", "dso_cei_trend.png", "receivables_trend.png"
    ]  # fmt: skip


def test_output_folder_is_refused(
    hostile: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "is a folder" in _error(capsys, *_report(hostile, "-o", tmp_path, "--force"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_output_is_only_ever_a_regular_file(
    hostile: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # --force replaced a FIFO (or, as root, a device node) with a regular file
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    line = _error(capsys, *_report(hostile, "-o", fifo, "--force"))
    assert line == (
        f"creditkpi: error: {fifo} is not a regular file (a pipe, a device or a socket): the "
        "report is written only to regular files"
    )
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still the FIFO
    if Path("/dev/null").exists():
        device = _error(capsys, *_report(hostile, "-o", "/dev/null", "--force"))
        assert "/dev/null is not a regular file" in device
        assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


# ----------------------------------------------------------------------------------
# progress: on a terminal only
# ----------------------------------------------------------------------------------


def test_progress_only_on_a_terminal(
    hostile: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from rich.console import Console

    shown = io.StringIO()
    with show_progress("reading invoices.csv (120 MB)", show=True, console=Console(
        file=shown, force_terminal=True, width=80
    )):  # fmt: skip
        pass
    assert "reading invoices.csv (120 MB)" in shown.getvalue()
    hidden = io.StringIO()
    with show_progress("reading", show=True, console=Console(file=hidden, force_terminal=False)):
        pass
    assert hidden.getvalue() == ""
    status, _, err = _run(capsys, *_report(hostile, "-f", "json"))  # stderr captured: no bar
    assert status == 0
    assert "computing the dashboard" not in err and "\x1b" not in err


def test_errors_print_data_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inv = tmp_path / "invoices.csv"
    inv.write_text(
        'invoice_id,customer_id,issue_date,due_date,amount,"\x1b[2J\x1b]8;;http://x\x1b\\"\n'
        "F1,C1,2024-04-01,2024-05-01,10.00,x\n",
        encoding="utf-8",
    )
    # the error lists the file's columns: one of them is an escape sequence
    line = _error(capsys, "report", inv, "--period", "2024-04", "--map", "amount=Total")
    assert "missing-column" in line and "\\x1b[2J" in line and "\x1b" not in line


#: what an output path may already be
TARGETS = ("missing", "file", "folder", "link-to-file", "dangling-link", "fifo", "input", "nested")


def _make(kind: str, folder: Path, source: Path) -> Path:
    target = folder / "out.txt"
    if kind == "file":
        target.write_bytes(b"old")
    elif kind == "folder":
        target.mkdir()
    elif kind == "link-to-file":
        (folder / "elsewhere.txt").write_bytes(b"old")
        target.symlink_to(folder / "elsewhere.txt")
    elif kind == "dangling-link":
        target.symlink_to(folder / "nowhere.txt")
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "input":
        return source
    elif kind == "nested":
        return folder / "new" / "deeper" / "out.txt"
    return target


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(TARGETS), force=st.booleans())
def test_an_output_path_is_written_as_a_regular_file_or_refused(
    tmp_path_factory: pytest.TempPathFactory, kind: str, force: bool
) -> None:
    """Whatever already sits at the output path: a regular file with the report, or refused
    in one line, and anything that is not a regular file (nor the input) left as it was."""
    import argparse

    from creditkpi.cli.common import CLIError, write_file

    folder = tmp_path_factory.mktemp("out")
    source = folder / "invoices.csv"
    source.write_bytes(b"input")
    target = _make(kind, folder, source)
    before = os.lstat(target) if os.path.lexists(target) else None
    args = argparse.Namespace(invoices=str(source), payments=None, force=force)
    try:
        write_file(target, b"report", args)
    except CLIError as exc:
        assert "\n" not in str(exc)
        assert kind != "missing" and kind != "nested" and not (kind == "file" and force)
        if before is not None:  # untouched
            after = os.lstat(target)
            assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
        assert source.read_bytes() == b"input"
        return
    assert kind in ("missing", "nested") or (kind == "file" and force)
    assert stat.S_ISREG(os.lstat(target).st_mode) and target.read_bytes() == b"report"
