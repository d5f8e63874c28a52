"""Loaders over the packaged data: columns, dtypes, keys, filters, copies, models, cheap import."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.resources import files

import pandas as pd
import pyarrow as pa
import pytest

import immunoref
from immunoref.loaders import UnknownAgentError
from immunoref.models import AgentBase
from immunoref.tables import COLUMNS, TABLES

ARROW_TYPES = {
    "string": pa.string(),
    "date": pa.date32(),
    "bool": pa.bool_(),
    "float": pa.float64(),
    "list": pa.list_(pa.field("element", pa.string())),
    "category": pa.dictionary(pa.int32(), pa.string()),
}


def test_tables_are_the_public_contract() -> None:
    """The five tables of the design come first, in order; products follows them."""
    assert immunoref.TABLES == TABLES == ("agents", "targets", "indications", "toxicities", "references", "products")


@pytest.mark.parametrize("table", TABLES)
def test_columns_and_arrow_dtypes(table: str) -> None:
    frame = immunoref.load(table)
    assert list(frame.columns) == [c.name for c in COLUMNS[table]]
    for column in COLUMNS[table]:
        dtype = frame[column.name].dtype
        assert isinstance(dtype, pd.ArrowDtype), column.name
        assert dtype.pyarrow_dtype == ARROW_TYPES[column.kind], column.name
        if not column.nullable:
            assert not frame[column.name].isna().any(), column.name


def test_categories_carry_the_whole_vocabulary() -> None:
    agency = immunoref.load("indications")["agency"].dtype.pyarrow_dtype
    assert agency.value_type == pa.string()
    chunk = immunoref.load("indications")["agency"].array.__arrow_array__().chunk(0)
    assert (
        tuple(chunk.dictionary.to_pylist()) == next(c for c in COLUMNS["indications"] if c.name == "agency").categories
    )


def test_keys_are_unique_and_joins_hold() -> None:
    tables = immunoref.load_all()
    agents, references = tables["agents"], tables["references"]
    assert agents["agent_id"].is_unique
    assert references["reference_id"].is_unique
    known = set(references["reference_id"])
    for name in ("agents", "targets", "indications", "toxicities"):
        assert set(tables[name]["agent_id"]) <= set(agents["agent_id"]), name
        cited = {ref for refs in tables[name]["reference_ids"] for ref in refs}
        assert cited <= known, name


def test_manifest_counts_match_tables() -> None:
    manifest = json.loads((files("immunoref") / "_data" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == {table: len(immunoref.load(table)) for table in TABLES}


def test_equality_filter() -> None:
    car_t = immunoref.load("agents", therapy_class="car_t")
    assert len(car_t) >= 2
    assert set(car_t["therapy_class"].astype(str)) == {"car_t"}
    assert list(car_t.index) == list(range(len(car_t)))
    fda = immunoref.load("indications", agent_id="pembrolizumab", agency="FDA")
    assert len(fda) > 10 and set(fda["agent_id"]) == {"pembrolizumab"}


def test_list_filter_keeps_rows_containing_the_value() -> None:
    rows = immunoref.load("indications", combination_with="nivolumab")
    assert len(rows) > 0
    assert all("nivolumab" in list(partners) for partners in rows["combination_with"])


def test_unknown_table_or_column_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no table 'agent'; tables are agents"):
        immunoref.load("agent")
    with pytest.raises(ValueError, match="did you mean 'therapy_class'"):
        immunoref.load("agents", therapy_clas="car_t")


def test_returned_frames_are_copies() -> None:
    frame = immunoref.load("agents")
    frame.loc[0, "name"] = "changed"
    del frame["mechanism"]
    again = immunoref.load("agents")
    assert again.loc[0, "name"] != "changed" and "mechanism" in again.columns


def test_read_therapies_and_get() -> None:
    therapies = immunoref.read_therapies()
    assert [t.agent_id for t in therapies] == sorted(immunoref.load("agents")["agent_id"])
    assert all(isinstance(t, AgentBase) for t in therapies)
    pembrolizumab = immunoref.get("pembrolizumab")
    assert pembrolizumab.therapy_class == "checkpoint_inhibitor"
    assert "PD-1" in pembrolizumab.checkpoints
    assert len(pembrolizumab.indications) == len(immunoref.load("indications", agent_id="pembrolizumab"))


def test_get_unknown_agent_suggests() -> None:
    with pytest.raises(UnknownAgentError, match="did you mean 'pembrolizumab'"):
        immunoref.get("pembrolizumb")


def test_dates_are_dates_and_lists_are_lists() -> None:
    row = immunoref.load("indications", agent_id="ipilimumab").iloc[0]
    assert row["approval_date"].isoformat() == "2011-03-25"
    assert isinstance(list(immunoref.load("agents", agent_id="ipilimumab").iloc[0]["brand_names"]), list)


def test_import_is_cheap() -> None:
    code = (
        "import sys, immunoref; print(sorted(m for m in ('pandas', 'pyarrow', 'pydantic', 'yaml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_version_is_the_package_version() -> None:
    from importlib.metadata import version

    assert immunoref.__version__ == version("immunoref")


def test_every_class_specific_field_has_an_agents_column() -> None:
    """A field added to a class model without a column would silently vanish from the table."""
    from immunoref.models import MODELS

    fields = {name for model in MODELS.values() for name in model.model_fields}
    columns = {c.name for c in COLUMNS["agents"]}
    nested = {"targets", "indications", "toxicities", "references", "products"}
    assert fields - nested == columns
