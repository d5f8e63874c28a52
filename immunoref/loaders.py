"""Packaged data for users: load() -> a frame in the engine of their choice, read_therapies() -> models,
get() -> one model, connect() -> DuckDB.

Every table is read once as Arrow and filtered there, so pandas, Polars and pyarrow users get the same
rows, columns and types; only the last step converts to the engine asked for.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from immunoref._paths import PACKAGE_DATA
from immunoref.tables import COLUMNS, TABLES, VIEWS

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from immunoref.models import Therapy

Engine: TypeAlias = Literal["pandas", "polars", "pyarrow"]
ENGINES: tuple[str, ...] = ("pandas", "polars", "pyarrow")
AsOf: TypeAlias = "str | dt.date | None"
PathLike: TypeAlias = "str | os.PathLike[str]"

#: Tables whose rows as_of restricts, and how: by their own dates, or to agents approved by then.
_DATED_BY_ROW = ("indications", "products")
_DATED_BY_AGENT = ("agents", "targets", "toxicities", "therapies")


class UnknownAgentError(KeyError):
    """No agent has the requested agent_id."""

    def __str__(self) -> str:
        return str(self.args[0])


def load(
    table: str, *, engine: Engine = "pandas", as_of: AsOf = None, release: PathLike | None = None, **equals: Any
) -> Any:
    """One table (or the joined view "therapies") as a pandas DataFrame with Arrow-backed dtypes,
    a Polars DataFrame or a pyarrow Table.

    as_of="2018-06-30" keeps what was approved on or before that day and not withdrawn by then:
    indication and product rows by their dates; agents, targets and toxicities of agents approved by
    then. Keyword filters keep rows whose column equals the value (for list columns, contains it).
    release=PATH reads a release folder instead of the packaged data.
    """
    arrow = _arrow(_check_table(table), _release_key(release))
    if as_of is not None:
        arrow = _as_of(table, arrow, _date(as_of, "as_of"), _release_key(release))
    for column, value in equals.items():
        arrow = arrow.filter(_equals_mask(table, arrow, column, value))
    return _to_engine(arrow, engine)


def load_all(*, engine: Engine = "pandas", release: PathLike | None = None) -> dict[str, Any]:
    """Every table by name."""
    return {table: load(table, engine=engine, release=release) for table in TABLES}


def read_therapies() -> list[Therapy]:
    """Every agent as its validated pydantic model, sorted by agent_id."""
    return list(_therapies())


def get(agent_id: str) -> Therapy:
    """The model of one agent with all its facts; UnknownAgentError if there is none."""
    by_id = {therapy.agent_id: therapy for therapy in _therapies()}
    if agent_id not in by_id:
        raise UnknownAgentError(f"no agent {agent_id!r}{_suggest(agent_id, by_id)}")
    return by_id[agent_id]


def connect(*, release: PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per table and the joined view "therapies".

    REFERENCES is an SQL keyword: write `SELECT * FROM "references"`.
    """
    try:
        import duckdb
    except ImportError as error:  # an optional extra
        raise ImportError("connect() needs DuckDB: pip install 'immunoref[duckdb]'") from error

    connection = duckdb.connect(":memory:")
    key = _release_key(release)
    for table in TABLES:
        path = str(_table_path(table, key)).replace("'", "''")
        connection.execute(f"CREATE VIEW \"{table}\" AS SELECT * FROM read_parquet('{path}')")
    connection.register("_immunoref_therapies", _arrow("therapies", key))
    connection.execute("CREATE VIEW therapies AS SELECT * FROM _immunoref_therapies")
    return connection


def approved_agents(as_of: str | dt.date, *, release: PathLike | None = None) -> set[str]:
    """agent_ids with at least one indication granted on or before as_of and not withdrawn by then."""
    key = _release_key(release)
    indications = _as_of("indications", _arrow("indications", key), _date(as_of, "as_of"), key)
    return set(indications.column("agent_id").to_pylist())


def _check_table(table: str) -> str:
    if table not in TABLES and table not in VIEWS:
        known = (*TABLES, *VIEWS)
        raise ValueError(f"no table {table!r}; tables are {', '.join(known)}{_suggest(table, known)}")
    return table


def _suggest(word: str, choices: Any) -> str:
    import difflib  # deferred: only a mistyped name needs it

    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _date(value: str | dt.date, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} must be a date, YYYY-MM-DD: {value!r}") from None


def _release_key(release: PathLike | None) -> str | None:
    """A hashable, checked form of release (None for the packaged data); FileNotFoundError or ValueError
    naming what is wrong with the folder."""
    if release is None:
        return None
    from immunoref.bundle import release_table_path

    release_table_path(os.fspath(release), "agents")  # raises, naming the folder, if it is not a release
    return str(Path(release).expanduser().resolve())


def _table_path(table: str, release: str | None) -> Path:
    """The packaged Parquet file of a table, or the one in a release folder."""
    if release is None:
        return PACKAGE_DATA / f"{table}.parquet"
    from immunoref.bundle import release_table_path

    return release_table_path(release, table)


@cache
def _arrow(table: str, release: str | None) -> pa.Table:
    """The whole table as Arrow, read once per process (tables are immutable, so sharing is safe)."""
    if table == "therapies":
        from immunoref.tables import therapies_view

        return therapies_view(*(_arrow(name, release) for name in ("agents", "targets", "indications", "toxicities")))
    import pyarrow.parquet as pq  # deferred: `import immunoref` stays cheap

    return pq.read_table(_table_path(table, release))


def _as_of(table: str, arrow: pa.Table, day: dt.date, release: str | None) -> pa.Table:
    import pyarrow.compute as pc

    if table in {"indications", "therapies"}:
        granted = pc.less_equal(arrow.column("approval_date"), day)
        withdrawn = arrow.column("withdrawn_date")
        standing = pc.or_kleene(pc.is_null(withdrawn), pc.greater(withdrawn, day))
        mask = pc.and_kleene(granted, standing)
        return arrow.filter(pc.fill_null(mask, False))
    if table in _DATED_BY_ROW:
        return arrow.filter(pc.fill_null(pc.less_equal(arrow.column("approval_date"), day), False))
    if table in _DATED_BY_AGENT:
        agents = approved_agents(day, release=release)
        return arrow.filter(pc.is_in(arrow.column("agent_id"), value_set=_string_array(agents)))
    raise ValueError(f"as_of applies to {', '.join((*_DATED_BY_ROW, *_DATED_BY_AGENT))}; not to {table}")


def _string_array(values: set[str]) -> pa.Array:
    import pyarrow as pa

    return pa.array(sorted(values), type=pa.string())


def _equals_mask(table: str, arrow: pa.Table, column: str, value: Any) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    kinds = {c.name: c.kind for c in (COLUMNS.get(table) or VIEWS[table])}
    if column not in kinds:
        raise ValueError(f"{table} has no column {column!r}{_suggest(column, kinds)}")
    data = arrow.column(column)
    kind = kinds[column]
    if kind == "list":
        flat = pc.list_flatten(data)
        parents = pc.list_parent_indices(data)
        hits = pc.filter(parents, pc.fill_null(pc.equal(flat, str(value)), False))
        return pc.is_in(pa.array(range(arrow.num_rows), type=hits.type), value_set=pc.unique(hits))
    if kind == "category":
        return pc.fill_null(pc.equal(pc.cast(data, pa.string()), str(value)), False)
    if kind == "date":
        return pc.fill_null(pc.equal(data, _date(value, column)), False)
    return pc.fill_null(pc.equal(data, value), False)


def _to_engine(arrow: pa.Table, engine: str) -> Any:
    if engine == "pandas":
        import pandas as pd

        return arrow.to_pandas(types_mapper=pd.ArrowDtype)
    if engine == "pyarrow":
        return arrow
    if engine == "polars":
        try:
            import polars as pl
        except ImportError as error:  # an optional extra
            raise ImportError("engine='polars' needs Polars: pip install 'immunoref[polars]'") from error
        return pl.from_arrow(arrow)
    raise ValueError(f"no engine {engine!r}; engines are {', '.join(ENGINES)}{_suggest(engine, ENGINES)}")


@cache
def _therapies() -> tuple[Therapy, ...]:
    from immunoref.models import THERAPY_LIST_ADAPTER

    raw = (PACKAGE_DATA / "therapies.json").read_bytes()
    return tuple(THERAPY_LIST_ADAPTER.validate_json(raw))
