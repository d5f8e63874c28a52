"""Disk-backed scratch space for the streaming check and build.

Whatever grows with the number of records (the list of files to read in order, the identifiers already
seen, the references to de-duplicate and sort) lives in a private temporary SQLite database rather than in
Python objects, so peak memory stays flat from a hundred records to millions. SQLite ships with Python, keeps
only a small page cache in memory, and deletes the file when the connection closes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

#: Page cache per scratch database, in KiB (SQLite's negative cache_size): enough for sequential work.
CACHE_KIB = 16 * 1024

#: Rows fetched from SQLite at a time when reading back.
FETCH_ROWS = 4096


class Scratch:
    """One private temporary database, created with the tables given, written in a single transaction."""

    def __init__(self, schema: str) -> None:
        # "" opens a private on-disk database that SQLite deletes itself when the connection closes.
        self.db = sqlite3.connect("", isolation_level=None)
        for pragma in (f"cache_size = -{CACHE_KIB}", "journal_mode = OFF", "synchronous = OFF", "temp_store = FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(schema)
        self.db.execute("BEGIN")  # never committed: the database lives and dies with this object

    def execute(self, sql: str, parameters: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, tuple(parameters))

    def insert_many(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        self.db.executemany(sql, rows)

    def rows(self, sql: str, parameters: Iterable[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """The rows of a query, fetched a block at a time so that reading back stays small too."""
        cursor = self.db.execute(sql, tuple(parameters))
        while block := cursor.fetchmany(FETCH_ROWS):
            yield from block

    def close(self) -> None:
        self.db.close()
