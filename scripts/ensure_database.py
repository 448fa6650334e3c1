"""Create the PostgreSQL database named by DATABASE_URL if it does not exist yet (SQLite: nothing)."""

import os
import sys

import dj_database_url


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return 0
    import psycopg
    import psycopg.conninfo
    from psycopg import sql

    config = dj_database_url.parse(url)
    conninfo = psycopg.conninfo.make_conninfo(
        dbname="postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print("created database %s" % config["NAME"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
