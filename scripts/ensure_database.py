"""Create the PostgreSQL database named by DATABASE_URL if it does not exist yet (SQLite: nothing)."""

import os
import sys

import environ


def admin_connection(url: str):
    """An autocommit connection to the server's `postgres` database, with the credentials of
    `url`, and the database name `url` names."""
    import psycopg
    import psycopg.conninfo

    config = environ.Env.db_url_config(url)
    conninfo = psycopg.conninfo.make_conninfo(
        dbname="postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
    )
    return psycopg.connect(conninfo, autocommit=True), config["NAME"]


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return 0
    from psycopg import sql

    conn, name = admin_connection(url)
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print("created database %s" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
