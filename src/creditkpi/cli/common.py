"""What every ``creditkpi`` command shares: exit codes, errors, messages on stderr, writing files."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from creditkpi.core.safe_text import printable

EXIT_OK = 0


EXIT_BAD_INPUT = 2


FORMATS = ("table", "json", "csv", "html", "pdf")


#: the tables ``--map-file`` may hold
INPUT_TABLES = ("invoices", "payments", "disputes", "statuses", "doubtful", "limits", "cover")


#: input files above this size (about a million rows) show progress on a terminal
LARGE_FILE = 40_000_000


#: building a ledger from more rows than this shows progress on a terminal
LARGE_ROWS = 1_000_000


class CLIError(Exception):
    """Bad input at the command line: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line like every other error of the command."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            EXIT_BAD_INPUT,
            f"creditkpi: error: {message} (see '{self.prog} --help')\n",
        )


def terminal_options(group: Any) -> None:
    """The options every command has in its output group: ``--width``, ``--quiet``, ``--debug``."""
    group.add_argument("--width", type=positive_int, metavar="COLS",
                       help="width of the terminal table")  # fmt: skip
    group.add_argument("--quiet", "-q", action="store_true",
                       help="no warnings, notes or progress on stderr")  # fmt: skip
    group.add_argument("--debug", action="store_true",
                       help="show the Python traceback of an error")  # fmt: skip


def file_output_options(command: Any, formats: tuple[str, ...], help_text: str) -> None:
    """The output group of a one-table command: ``--format`` (first: the default), ``-o``, ``--force``, ``--raw-csv``."""
    out = command.add_argument_group("output")
    out.add_argument("--format", "-f", choices=formats, default=formats[0], help=help_text)
    out.add_argument("--output", "-o", metavar="FILE",
                     help="write to FILE instead of stdout (never an input file; an existing "
                     "file needs --force)")  # fmt: skip
    out.add_argument("--force", action="store_true", help="overwrite an existing output file")
    out.add_argument("--raw-csv", action="store_true",
                     help="CSV for programs: text cells verbatim (by default a cell a "
                     "spreadsheet would run as a formula gets a leading ')")  # fmt: skip
    terminal_options(out)


def number_cell(value: Any, digits: int = 1, percent: bool = False) -> str:
    """A number of a table cell as text (profiles, forecast); ``-`` for a missing value."""
    from creditkpi.core.formatting import MISSING, Formatter

    fmt = Formatter()
    text = fmt.percent(value, decimals=0) if percent else fmt.number(value, digits)
    return "-" if text == MISSING else text


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


@contextlib.contextmanager
def show_progress(message: str, *, show: bool, console: Any = None) -> Iterator[None]:
    """Progress on stderr while something long runs: a moving bar and the time elapsed.

    Only on a terminal (nothing when stderr is a file, a pipe or captured by
    tests) and only when ``show``; it disappears when the step is done.
    """
    console = console or _stderr_console()
    if not show or not console.is_terminal:
        yield
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        progress.add_task(printable(message), total=None)
        yield


def say(kind: str, text: object) -> None:
    """One ``creditkpi: <kind>: <text>`` line on stderr, control characters made visible."""
    print(f"creditkpi: {kind}: {printable(' '.join(str(text).split()))}", file=sys.stderr)


def print_warnings(caught: Sequence[warnings.WarningMessage], quiet: bool) -> None:
    if quiet:
        return
    seen: set[str] = set()
    for w in caught:
        text = " ".join(str(w.message).split())
        if text in seen:
            continue
        seen.add(text)
        from creditkpi.core.errors import UndefinedMetricWarning

        kind = "note" if issubclass(w.category, UndefinedMetricWarning) else "warning"
        say(kind, text)


def _input_files(args: argparse.Namespace) -> list[Path]:
    """Every file the command reads (the report must never overwrite one of them)."""
    names = [
        getattr(args, a, None)
        for a in ("invoices", "payments", *INPUT_TABLES[2:], "map_file", "targets")
    ]
    costs = getattr(args, "costs", None)
    if costs is not None and Path(costs).is_file():
        names.append(costs)
    return [Path(n) for n in names if n]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_target(target: Path, args: argparse.Namespace) -> None:
    """The rules of every file the command writes (``--output`` and its companions).

    Never an input file (same file, whatever the path), never through a
    symbolic link, never a folder or anything else that is not a regular file
    (a FIFO, a device, a socket: ``--force`` would replace it), and an
    existing file only with ``--force``.
    """
    if target.is_symlink():
        raise CLIError(f"{target} is a symbolic link: the report is not written through links")
    if not target.exists():
        return
    if target.is_dir():
        raise CLIError(f"{target} is a folder: give a file name")
    if not target.is_file():
        raise CLIError(
            f"{target} is not a regular file (a pipe, a device or a socket): the report is "
            "written only to regular files"
        )
    for source in _input_files(args):
        if _same_file(target, source):
            raise CLIError(f"{target} is an input file ({source}): refusing to overwrite it")
    if not args.force:
        raise CLIError(f"{target} already exists: add --force to overwrite it")


_UMASK: int | None = None


def _file_mode() -> int:
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0o022)
        os.umask(_UMASK)
    return 0o666 & ~_UMASK


def write_file(target: Path, data: bytes, args: argparse.Namespace) -> None:
    """Write ``data`` to ``target`` atomically, by the rules of :func:`check_target`.

    A temporary file in the same folder is written, flushed and renamed
    over the target, so a reader never sees half a report and a failure
    leaves the old file intact. Without ``--force`` the rename is a hard
    link, which fails if the file appeared meanwhile.
    """
    check_target(target, args)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise CLIError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _file_mode())
        if args.force:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)
            except FileExistsError:
                raise CLIError(f"{target} already exists: add --force to overwrite it") from None
            except OSError:  # a file system without hard links
                if target.exists() or target.is_symlink():
                    raise CLIError(
                        f"{target} already exists: add --force to overwrite it"
                    ) from None
                os.replace(temporary, target)
    except OSError as exc:
        raise CLIError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def write_output(text: str, output: str | None, args: argparse.Namespace) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_file(Path(output), text.encode("utf-8"), args)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {text!r}")
    return value
