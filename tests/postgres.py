"""A throwaway PostgreSQL cluster on a Unix socket, for the database tests.

``start(directory)`` runs ``initdb`` in ``directory`` and starts the server
listening on a socket in that directory only (no TCP port), trusting local
connections, and returns its URI (``postgresql://creditkpi@/postgres?host=...``);
``stop(directory)`` stops it. PostgreSQL refuses to run as root: as root, the
cluster belongs to the ``postgres`` user (Debian's packages create it) or, failing
that, ``nobody``. ``.ci/run`` uses the same two functions from the command line::

    python tests/postgres.py start DIR   # prints the URI
    python tests/postgres.py stop DIR

The tests read the URI from ``CREDITKPI_POSTGRES_URI`` (set by ``.ci/run``) or
start their own cluster when the binaries are there (:func:`binaries`), and skip
otherwise.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

#: the environment variable holding the URI of a running server
URI_VARIABLE = "CREDITKPI_POSTGRES_URI"
#: the superuser of the throwaway cluster
USER = "creditkpi"


def binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (PATH first, then Debian's layout)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    return Path(versions[-1]).parent if versions else None


def _owner() -> str | None:
    """The user to run the server as (``None``: this one, when it is not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and there is no 'postgres' or 'nobody' user to run as")


def _run(owner: str | None, command: list[str], log: Path | None = None) -> None:
    program = Path(command[0]).name
    if owner is not None:
        command = ["runuser", "-u", owner, "--", *command]
    out = subprocess.run(command, capture_output=True, text=True, cwd="/", check=False)
    if out.returncode != 0:
        detail = out.stderr.strip() or out.stdout.strip()
        if log is not None and log.exists():
            detail += "\n" + log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{program} failed: {detail}")


def start(directory: str | Path) -> str:
    """Create and start a cluster in ``directory`` (made if absent); return its URI.

    As root, the server runs as another user, who must be able to reach
    ``directory``: make it with :func:`tempfile.mkdtemp` directly in the temporary
    folder and ``chmod 755`` it (a pytest ``tmp_path`` is private to root).
    """
    where = binaries()
    if where is None:
        raise RuntimeError("no PostgreSQL binaries (initdb, pg_ctl) found")
    folder = Path(directory).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    owner = _owner()
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    folder.chmod(0o755)  # the socket must be reachable by the tests' user
    data, log = folder / "data", folder / "server.log"
    _run(owner, [str(where / "initdb"), "-D", str(data), "-U", USER, "--auth=trust",
                 "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
    options = f"-k {folder} -c listen_addresses= -c fsync=off -c full_page_writes=off"
    _run(owner, [str(where / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log),
                 "-w", "-t", "60", "start"], log)  # fmt: skip
    return f"postgresql://{USER}@/postgres?host={folder}"


def stop(directory: str | Path) -> None:
    """Stop the cluster of ``directory`` (nothing when none runs there)."""
    where = binaries()
    data = Path(directory).resolve() / "data"
    if where is None or not (data / "postmaster.pid").exists():
        return
    _run(_owner(), [str(where / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: python tests/postgres.py start|stop DIRECTORY")
    try:
        if sys.argv[1] == "start":
            print(start(sys.argv[2]))
        else:
            stop(sys.argv[2])
    except RuntimeError as exc:
        sys.exit(f"postgres: {exc}")
