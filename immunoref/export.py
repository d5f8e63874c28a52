"""The tables in other formats: CSV and JSON Lines text, and a SQLite database ready for Datasette.

Every value is formatted explicitly, never through the locale: dates ISO 8601, booleans true/false, numbers as
Python writes floats, lists as JSON arrays, nulls as empty CSV cells (JSON null).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from immunoref.tables import COLUMNS, TABLES

if TYPE_CHECKING:
    import pyarrow as pa

Format: TypeAlias = Literal["csv", "jsonl", "sqlite"]
FORMATS: tuple[str, ...] = ("csv", "jsonl", "sqlite")

#: How a CSV cell holds each column kind; datapackage.json repeats it for readers.
CSV_ENCODING = {
    "list": 'JSON array of strings, such as ["PD-1","CTLA-4"]; [] is an empty list, an empty cell is null',
    "date": "ISO 8601 date, YYYY-MM-DD",
    "bool": "true or false",
    "float": "decimal number with a point, as Python writes floats",
}

#: Primary keys that are unique and never null in every table that has one (checked by the release tests).
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "agents": ("agent_id",),
    "references": ("reference_id",),
    "toxicities": ("agent_id", "term", "label_section"),
    "products": ("agent_id", "brand_name", "agency"),
}

#: Columns worth an index besides the keys: the identifiers other data joins on.
INDEXED: dict[str, tuple[str, ...]] = {
    "agents": ("therapy_class", "drugbank_id", "chembl_id"),
    "targets": ("agent_id", "symbol", "hgnc_id", "uniprot_id"),
    "indications": ("agent_id", "disease_id", "agency", "approval_date"),
    "toxicities": ("agent_id", "mesh_id", "category"),
    "references": ("kind", "pmid", "doi"),
    "products": ("agent_id",),
}

_SQL_TYPES = {"string": "TEXT", "category": "TEXT", "date": "TEXT", "list": "TEXT", "bool": "INTEGER", "float": "REAL"}


def csv_bytes(table: pa.Table) -> bytes:
    """The table as RFC 4180 CSV in UTF-8 (header row, CRLF line ends, quotes only where needed)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow([_csv_cell(value) for value in row.values()])
    return buffer.getvalue().encode("utf-8")


def jsonl_bytes(table: pa.Table) -> bytes:
    """The table as JSON Lines: one object per row, columns in table order, UTF-8."""
    lines = (json.dumps(row, ensure_ascii=False, default=_json_default) + "\n" for row in table.to_pylist())
    return "".join(lines).encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def export_tables(tables: Mapping[str, pa.Table], fmt: Format, out: Path, *, force: bool = False) -> list[Path]:
    """Write the tables to out (a folder for csv and jsonl, a file for sqlite) and return the files written.

    FileExistsError when out exists and force is not set; the new output replaces the old one whole.
    """
    if out.exists() and not force:
        raise FileExistsError(f"{out} exists; choose another place or pass --force to replace it")
    if fmt == "sqlite":
        _replace_file(out, lambda path: write_sqlite(tables, path))
        return [out]
    from immunoref.build import replace_folders

    encode = csv_bytes if fmt == "csv" else jsonl_bytes
    files = {f"{name}.{fmt}": encode(table) for name, table in tables.items()}
    if out.exists() and not out.is_dir():
        out.unlink()
    replace_folders({out: files})
    return [out / name for name in sorted(files)]


def _replace_file(out: Path, write: Callable[[Path], None]) -> None:
    """Write a file beside out, then rename it over out, so out is never half written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.is_dir():
        raise IsADirectoryError(f"{out} is a folder; the sqlite export is one file")
    handle, name = tempfile.mkstemp(prefix=f".{out.name}-", suffix=".tmp", dir=out.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        temporary.unlink()
        write(temporary)
        temporary.replace(out)
    finally:
        temporary.unlink(missing_ok=True)


def write_sqlite(tables: Mapping[str, pa.Table], path: Path) -> None:
    """A new SQLite database at path: one table per dataset table, with keys, foreign keys and indexes.

    Lists are stored as JSON text, dates as ISO text, booleans as 0/1; foreign keys are checked on insert.
    """
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        with connection:
            for name in _ordered(tables):
                connection.execute(create_table_sql(name, tables[name].column_names))
                for column in INDEXED.get(name, ()):
                    if column in tables[name].column_names:
                        connection.execute(
                            f"CREATE INDEX {_quote(f'{name}_{column}')} ON {_quote(name)} ({_quote(column)})"
                        )
                columns = tables[name].column_names
                placeholders = ", ".join("?" for _ in columns)
                connection.executemany(
                    f"INSERT INTO {_quote(name)} ({', '.join(map(_quote, columns))}) VALUES ({placeholders})",
                    ([_sql_value(value) for value in row.values()] for row in tables[name].to_pylist()),
                )
        connection.execute("VACUUM")
    finally:
        connection.close()


def create_table_sql(table: str, column_names: list[str]) -> str:
    """CREATE TABLE for a dataset table: declared types, NOT NULL, primary key, foreign key to agents."""
    known = {column.name: column for column in COLUMNS.get(table, ())}
    parts = []
    for name in column_names:
        column = known.get(name)
        sql_type = _SQL_TYPES[column.kind] if column else "TEXT"
        null = " NOT NULL" if column and not column.nullable else ""
        parts.append(f"{_quote(name)} {sql_type}{null}")
    key = PRIMARY_KEYS.get(table)
    if key and set(key) <= set(column_names):
        parts.append(f"PRIMARY KEY ({', '.join(map(_quote, key))})")
    if table != "agents" and "agent_id" in column_names:
        parts.append('FOREIGN KEY ("agent_id") REFERENCES "agents" ("agent_id")')
    return f"CREATE TABLE {_quote(table)} (\n  " + ",\n  ".join(parts) + "\n)"


def _ordered(tables: Mapping[str, pa.Table]) -> list[str]:
    """agents first, so that foreign keys resolve as rows go in; then the known tables, then any others."""
    known = [name for name in TABLES if name in tables]
    return known + sorted(name for name in tables if name not in TABLES)


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_tables(release: str | os.PathLike[str] | None = None) -> dict[str, pa.Table]:
    """Every table as Arrow, from the package or from the release folder at release."""
    import pyarrow.parquet as pq

    from immunoref.loaders import _table_path

    tables = {}
    for table in TABLES:
        with _table_path(table, release).open("rb") as fh:
            tables[table] = pq.read_table(fh)
    return tables
