"""The embedded PostgreSQL used when ``DATABASE_URL`` is not set.

A fresh machine needs no database server to try the portal: the ``pgserver`` wheel
carries a real PostgreSQL, which we start on demand with its data under
``.pgdata/`` in the project (git-ignored). It listens on a Unix socket only.
The server stops when the last process that started it exits.
"""

from pathlib import Path

EMBEDDED_DB_NAME = "portal"


def embedded_database(data_dir: Path) -> dict:
    """Start (or reuse) the embedded server and return Django ``DATABASES['default']``."""
    import warnings

    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine.
        warnings.simplefilter("ignore")
        import pgserver

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(data_dir)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    exists = server.psql(
        f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DB_NAME}';"
    )
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DB_NAME};")
    info = server.get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": EMBEDDED_DB_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
    }


def _forget_dead_handles(data_dir: Path) -> None:
    """Drop processes that died without saying so (killed, timed out) from pgserver's list.

    pgserver stops the server when the last process on its list exits; a process killed
    by a signal never leaves the list, and the server would then never stop.
    """
    import json

    import psutil

    handles = data_dir / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))
