"""DuckDB over the output tables: one view per table of a run's Parquet files (tagging's, then profiles')."""

from pathlib import Path

import duckdb

TABLES = ("images", "dead_letters", "user_profiles", "image_engagement", "profile_dead_letters")


def connect(output: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per output table that has files."""
    connection = duckdb.connect()
    for table in TABLES:
        files = sorted(Path(output, table).glob("*.parquet"))
        if files:
            paths = ", ".join(f"'{path}'" for path in files)
            connection.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet([{paths}], union_by_name=true)")
    return connection


def fetch_dicts(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None) -> list[dict]:
    """The rows of a query as dicts keyed by column name."""
    cursor = connection.execute(sql, parameters or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def views(connection: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables that `connect` found files for."""
    return {row[0] for row in connection.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}


def summary(output: str) -> str:
    """Counts per style and the dead letters of a run, as printed after ``image-style run``."""
    connection = connect(output)
    tables = views(connection)
    lines = []
    if "images" in tables:
        rows = connection.execute("SELECT style, count(*) FROM images GROUP BY style ORDER BY 2 DESC, 1").fetchall()
        lines.append(f"tagged images: {sum(n for _, n in rows)}")
        lines += [f"  {style:<18} {n:>6}" for style, n in rows]
    else:
        lines.append("tagged images: 0")
    if "dead_letters" in tables:
        rows = connection.execute("SELECT uri, stage, error FROM dead_letters ORDER BY uri").fetchall()
        lines.append(f"dead letters: {len(rows)}")
        lines += [f"  {stage:<11} {uri}: {error}" for uri, stage, error in rows]
    else:
        lines.append("dead letters: 0")
    return "\n".join(lines)
