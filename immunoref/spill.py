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

#: SQLite's names for failures of the place it writes to, rather than of the statement run.
_SPACE_FAILURES = ("SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_READONLY")


class ScratchError(OSError):
    """The scratch database could not be written: no writable temporary folder, or the disk is full. An
    OSError, so that callers already reporting unwritable outputs report this the same way."""


class Scratch:
    """One private temporary database, created with the tables given, written in a single transaction."""

    #: Settings applied to every new database (tests add a size limit to play a full disk).
    PRAGMAS: tuple[str, ...] = (
        f"cache_size = -{CACHE_KIB}",
        "journal_mode = OFF",
        "synchronous = OFF",
        "temp_store = FILE",
    )

    def __init__(self, schema: str) -> None:
        # "" opens a private on-disk database that SQLite deletes itself when the connection closes.
        self.db = sqlite3.connect("", isolation_level=None)
        try:
            for pragma in self.PRAGMAS:
                self.db.execute(f"PRAGMA {pragma}")
            self.db.executescript(schema)
            self.db.execute("BEGIN")  # never committed: the database lives and dies with this object
        except sqlite3.Error as error:
            self.db.close()
            _raise_if_out_of_space(error)
            raise

    # Each call is guarded by try/except rather than a context manager: this runs several times per record,
    # and try costs nothing until something fails.
    def execute(self, sql: str, parameters: Iterable[Any] = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, tuple(parameters))
        except sqlite3.Error as error:
            _raise_if_out_of_space(error)
            raise

    def insert_many(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        try:
            self.db.executemany(sql, rows)
        except sqlite3.Error as error:
            _raise_if_out_of_space(error)
            raise

    def rows(self, sql: str, parameters: Iterable[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """The rows of a query, fetched a block at a time so that reading back stays small too."""
        try:
            cursor = self.db.execute(sql, tuple(parameters))
            while block := cursor.fetchmany(FETCH_ROWS):
                yield from block
        except sqlite3.Error as error:
            _raise_if_out_of_space(error)
            raise

    def close(self) -> None:
        self.db.close()


def _raise_if_out_of_space(error: sqlite3.Error) -> None:
    """Raise a ScratchError that says where SQLite writes if error is about its temporary file; return for
    any other SQLite error (a mistake in a statement), which the caller re-raises unchanged."""
    if getattr(error, "sqlite_errorname", "").startswith(_SPACE_FAILURES):
        raise ScratchError(
            f"no room for temporary working data ({error}); SQLite writes it in SQLITE_TMPDIR or TMPDIR, "
            "else /var/tmp or /tmp: point one of them at a writable folder with free space"
        ) from None
