"""Benchmark data written straight into the store's tables, in bulk."""

from __future__ import annotations

import json

from sqlalchemy import Connection, insert


def insert_rows(connection: Connection, table, rows: list[dict], chunk: int = 5000) -> None:
    """COPY on PostgreSQL (row INSERTs took ten minutes for a dashboard's rows there), chunked
    INSERTs elsewhere; JSON columns go to COPY as their text."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        for offset in range(0, len(rows), chunk):
            connection.execute(insert(table), rows[offset : offset + chunk])
        return
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(value) if isinstance(value, (dict, list)) else value
                    for value in (row[name] for name in columns)
                ]
            )
