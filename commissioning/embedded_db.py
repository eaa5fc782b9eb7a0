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
