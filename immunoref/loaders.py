"""Packaged data for users: load() -> DataFrame, read_therapies() -> models, get() -> one model."""

from __future__ import annotations

import difflib
import os
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from immunoref.tables import COLUMNS, TABLES

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    import pandas as pd

    from immunoref.models import Therapy


class UnknownAgentError(KeyError):
    """No agent has the requested agent_id."""

    def __str__(self) -> str:
        return str(self.args[0])


def load(table: str, *, release: str | os.PathLike[str] | None = None, **equals: Any) -> pd.DataFrame:
    """Return one packaged table, or the table of the release folder at release; keyword filters keep rows
    whose column equals the value (for list columns, whose list contains it)."""
    _check_table(table)
    frame = _read_parquet(table) if release is None else _read_table(_table_path(table, release))
    kinds = {column.name: column.kind for column in COLUMNS[table]}
    for column, value in equals.items():
        if column not in kinds:
            raise ValueError(f"{table} has no column {column!r}{_suggest(column, kinds)}")
        if kinds[column] == "list":
            keep = frame[column].map(lambda items, wanted=value: items is not None and wanted in list(items))
        else:
            keep = (
                frame[column].astype("string") == str(value) if kinds[column] == "category" else frame[column] == value
            )
        frame = frame[keep.fillna(False).astype(bool)]
    return frame.reset_index(drop=True).copy()


def load_all(*, release: str | os.PathLike[str] | None = None) -> dict[str, pd.DataFrame]:
    """Return every packaged table (or every table of the release folder at release) by name."""
    return {table: load(table, release=release) for table in TABLES}


def read_therapies() -> list[Therapy]:
    """Return every agent as its validated pydantic model, sorted by agent_id."""
    return list(_therapies())


def get(agent_id: str) -> Therapy:
    """Return the model of one agent with all its facts; UnknownAgentError if there is none."""
    by_id = {therapy.agent_id: therapy for therapy in _therapies()}
    if agent_id not in by_id:
        raise UnknownAgentError(f"no agent {agent_id!r}{_suggest(agent_id, by_id)}")
    return by_id[agent_id]


def _check_table(table: str) -> str:
    if table not in TABLES:
        raise ValueError(f"no table {table!r}; tables are {', '.join(TABLES)}")
    return table


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _table_path(table: str, release: str | os.PathLike[str] | None) -> Traversable:
    """The packaged Parquet file of a table, or the one in a release folder (checked, with clear errors)."""
    if release is None:
        return files("immunoref") / "_data" / f"{table}.parquet"
    from immunoref.bundle import release_table_path

    return release_table_path(os.fspath(release), table)


@cache
def _read_parquet(table: str) -> pd.DataFrame:
    return _read_table(_table_path(table, None))


def _read_table(path: Traversable) -> pd.DataFrame:
    import pandas as pd  # deferred: `import immunoref` stays cheap
    import pyarrow.parquet as pq

    with path.open("rb") as fh:
        return pq.read_table(fh).to_pandas(types_mapper=pd.ArrowDtype)


@cache
def _therapies() -> tuple[Therapy, ...]:
    from immunoref.models import THERAPY_LIST_ADAPTER

    raw = (files("immunoref") / "_data" / "therapies.json").read_bytes()
    return tuple(THERAPY_LIST_ADAPTER.validate_json(raw))
