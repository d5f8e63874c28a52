"""Access from every engine: same columns and types, as-of queries, the joined view, DuckDB, Dask, Spark."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import immunoref
from immunoref.cli import main
from immunoref.tables import COLUMNS, TABLES, VIEWS

polars = pytest.importorskip("polars")

LOADABLE = (*TABLES, *VIEWS)
POLARS_TYPES = {
    "string": polars.String,
    "date": polars.Date,
    "bool": polars.Boolean,
    "float": polars.Float64,
    "list": polars.List(polars.String),
    "category": polars.Categorical,
}


def columns_of(table: str) -> tuple:
    return COLUMNS.get(table) or VIEWS[table]


@pytest.mark.parametrize("table", LOADABLE)
def test_every_engine_sees_the_same_columns_types_and_rows(table: str) -> None:
    frame = immunoref.load(table)
    arrow = immunoref.load(table, engine="pyarrow")
    polar = immunoref.load(table, engine="polars")
    names = [c.name for c in columns_of(table)]
    assert list(frame.columns) == arrow.column_names == polar.columns == names
    assert len(frame) == arrow.num_rows == polar.height
    for column in columns_of(table):
        assert frame[column.name].dtype.pyarrow_dtype == arrow.schema.field(column.name).type, column.name
        assert polar.schema[column.name] == POLARS_TYPES[column.kind], column.name
    assert arrow.equals(pa.Table.from_pandas(frame, schema=arrow.schema, preserve_index=False))
    assert polar.to_dicts() == arrow.to_pylist()


def test_unknown_engine_and_table_are_explained() -> None:
    with pytest.raises(ValueError, match=r"no engine 'polar'; engines are pandas, polars, pyarrow; did you mean"):
        immunoref.load("agents", engine="polar")
    with pytest.raises(ValueError, match=r"no table 'therapy'.*did you mean 'therapies'"):
        immunoref.load("therapy")
    with pytest.raises(ValueError, match="as_of must be a date, YYYY-MM-DD: 'June 2018'"):
        immunoref.load("indications", as_of="June 2018")
    with pytest.raises(ValueError, match="as_of applies to"):
        immunoref.load("references", as_of="2018-06-30")


def standing(therapy: object, day: dt.date) -> list:
    """The reference semantics of as_of, written over the models instead of Arrow."""
    return [
        i
        for i in therapy.indications
        if i.approval_date is not None
        and i.approval_date <= day
        and (i.withdrawn_date is None or i.withdrawn_date > day)
    ]


@settings(max_examples=60, deadline=None)
@given(day=st.dates(min_value=dt.date(1980, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_as_of_keeps_exactly_what_stood_on_that_day(day: dt.date) -> None:
    therapies = immunoref.read_therapies()
    expected = sorted((t.agent_id, i.disease_id, i.approval_date) for t in therapies for i in standing(t, day))
    indications = immunoref.load("indications", as_of=day, engine="pyarrow").to_pylist()
    assert sorted((r["agent_id"], r["disease_id"], r["approval_date"]) for r in indications) == expected
    approved = {t.agent_id for t in therapies if standing(t, day)}
    assert set(immunoref.load("agents", as_of=day.isoformat())["agent_id"]) == approved
    assert set(immunoref.load("targets", as_of=day)["agent_id"]) <= approved
    assert set(immunoref.load("therapies", as_of=day)["agent_id"]) == approved
    products = immunoref.load("products", as_of=day, engine="pyarrow").column("approval_date").to_pylist()
    assert all(date <= day for date in products)


def test_as_of_before_any_approval_is_empty_and_far_ahead_is_every_dated_row() -> None:
    assert immunoref.load("indications", as_of="1900-01-01").empty
    assert immunoref.load("agents", as_of="1900-01-01").empty
    everything = immunoref.load("indications")
    dated_and_standing = everything[everything["approval_date"].notna() & everything["withdrawn_date"].isna()]
    assert len(immunoref.load("indications", as_of="2999-12-31")) == len(dated_and_standing)


def test_filters_work_alike_in_every_engine() -> None:
    some_class = immunoref.load("agents")["therapy_class"].astype("string").iloc[0]
    frame = immunoref.load("agents", therapy_class=some_class)
    assert set(frame["therapy_class"].astype("string")) == {some_class}
    assert immunoref.load("agents", engine="polars", therapy_class=some_class).height == len(frame)
    partner = next(p for row in immunoref.load("indications")["combination_with"] for p in row)
    rows = immunoref.load("indications", engine="pyarrow", combination_with=partner).column("combination_with")
    assert rows.to_pylist() and all(partner in row for row in rows.to_pylist())
    first = immunoref.load("indications")["approval_date"].dropna().iloc[0]
    assert (immunoref.load("indications", approval_date=first.isoformat())["approval_date"] == first).all()


def test_therapies_view_is_one_row_per_agent_and_indication() -> None:
    view = immunoref.load("therapies", engine="pyarrow").to_pylist()
    therapies = immunoref.read_therapies()
    assert len(view) == sum(max(1, len(t.indications)) for t in therapies)
    by_agent = {t.agent_id: t for t in therapies}
    for row in view:
        therapy = by_agent[row["agent_id"]]
        assert row["therapy_class"] == therapy.therapy_class
        assert row["targets"] == [t.label for t in therapy.targets]
        assert row["boxed_warnings"] == list(dict.fromkeys(x.term for x in therapy.toxicities if x.boxed_warning))
    pembro = [r for r in view if r["agent_id"] == "pembrolizumab"]
    assert {r["approval_date"] for r in pembro} == {i.approval_date for i in by_agent["pembrolizumab"].indications}


def test_duckdb_connection_has_a_view_per_table() -> None:
    pytest.importorskip("duckdb")
    connection = immunoref.connect()
    for table in LOADABLE:
        assert connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == len(immunoref.load(table))
    joined = connection.execute(
        "SELECT a.agent_id, count(*) FROM agents a JOIN indications i USING (agent_id) "
        "WHERE i.agency = 'FDA' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    indications = immunoref.load("indications")
    fda = indications[indications["agency"].astype("string") == "FDA"].groupby("agent_id").size()
    assert joined == sorted((str(k), int(v)) for k, v in fda.items())


def packaged(table: str) -> Path:
    return Path(str(files("immunoref") / "_data" / f"{table}.parquet"))


@pytest.mark.parametrize("table", TABLES)
def test_dask_reads_the_files_unchanged(table: str) -> None:
    dd = pytest.importorskip("dask.dataframe")
    frame = dd.read_parquet(str(packaged(table))).compute()
    expected = immunoref.load(table)
    assert list(frame.columns) == list(expected.columns)
    assert len(frame) == len(expected)
    assert (
        frame["agent_id" if "agent_id" in frame else "reference_id"].astype(str).tolist()
        == expected["agent_id" if "agent_id" in expected else "reference_id"].astype(str).tolist()
    )


def test_spark_reads_the_files_unchanged() -> None:
    pyspark_sql = pytest.importorskip("pyspark.sql", reason="Spark is optional (pip install pyspark)")
    spark = pyspark_sql.SparkSession.builder.master("local[1]").appName("immunoref").getOrCreate()
    try:
        frame = spark.read.parquet(str(packaged("indications")))
        assert frame.count() == len(immunoref.load("indications"))
    finally:
        spark.stop()


def test_show_as_of_lists_only_standing_approvals(capsys: pytest.CaptureFixture[str]) -> None:
    therapy = immunoref.get("pembrolizumab")
    first = min(i.approval_date for i in therapy.indications if i.approval_date)
    assert main(["show", "pembrolizumab", "--as-of", first.isoformat()]) == 0
    out = capsys.readouterr().out
    assert f"indications ({len(standing(therapy, first))} standing on {first})" in out
    assert main(["show", "pembrolizumab", "--as-of", (first - dt.timedelta(days=1)).isoformat()]) == 0
    assert "none: pembrolizumab had no approval standing on" in capsys.readouterr().out
    assert main(["show", "pembrolizumab", "--as-of", "June 2018"]) == 2
    assert "--as-of takes a date" in capsys.readouterr().err


def test_pandas_frames_use_arrow_dtypes_for_the_view() -> None:
    assert all(isinstance(dtype, pd.ArrowDtype) for dtype in immunoref.load("therapies").dtypes)


def test_dask_and_duckdb_read_a_release_folder_unchanged(released: Path) -> None:
    """The release's Parquet files, as published, load in Dask and in immunoref.connect(release=...)."""
    dd = pytest.importorskip("dask.dataframe")
    pytest.importorskip("duckdb")
    from immunoref.build import project_version

    folder = released / "dist" / f"immunoref-{project_version(released)}"
    frame = dd.read_parquet(str(folder / "data" / "indications.parquet")).compute()
    assert len(frame) == len(immunoref.load("indications", release=folder))
    connection = immunoref.connect(release=folder)
    assert connection.execute("SELECT count(*) FROM agents").fetchone()[0] == len(immunoref.load("agents"))


def test_progress_line_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from immunoref import cli

    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: False)
    assert cli._progress("validating") is None
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True)
    show = cli._progress("validating")
    for done in range(1, 4001):
        show(done, 4000)
    err = capsys.readouterr().err
    assert err.endswith("\rvalidating [#########################] 4000/4000 files\n")
    assert err.count("\r") == 100  # one update per percent, not per file
