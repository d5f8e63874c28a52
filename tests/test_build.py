"""Builds: deterministic bytes, committed outputs current, bad data writes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import REPO

from immunoref.build import ProjectPaths, build_dataset, build_outputs, project_version
from immunoref.tables import COLUMNS, TABLES, arrow_schema, rows_of
from immunoref.validation import check_paths

DIGEST_SCRIPT = """
import hashlib, sys
from pathlib import Path
from immunoref.build import build_outputs
from immunoref.validation import check_paths
data, schemas = build_outputs(check_paths([Path(sys.argv[1])]).therapies, "0.0.0")
for name, content in sorted({**data, **schemas}.items()):
    print(name, hashlib.sha256(content).hexdigest())
"""


@pytest.fixture(scope="module")
def therapies() -> list:
    result = check_paths([REPO / "data"])
    assert result.errors == []
    return result.therapies


def digests(outputs: tuple[dict[str, bytes], dict[str, bytes]]) -> dict[str, str]:
    return {name: hashlib.sha256(content).hexdigest() for part in outputs for name, content in part.items()}


def test_two_builds_are_byte_identical(therapies: list) -> None:
    assert digests(build_outputs(therapies, "0.0.0")) == digests(build_outputs(therapies, "0.0.0"))


def test_record_order_does_not_matter(therapies: list) -> None:
    shuffled = list(therapies)
    random.Random(7).shuffle(shuffled)
    assert digests(build_outputs(shuffled, "0.0.0")) == digests(build_outputs(therapies, "0.0.0"))


def test_batches_and_row_groups_do_not_change_the_rows(therapies: list, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny batches and reference row groups force the streaming paths a million records take: many row
    groups per table and references merged from the disk spill, still sorted and each once."""
    import immunoref.build

    monkeypatch.setattr(immunoref.build, "BATCH_SIZE", 7)
    monkeypatch.setattr(immunoref.build, "REFERENCES_PER_ROW_GROUP", 100)
    data, _ = build_outputs(therapies, "0.0.0")
    references = pq.ParquetFile(pa.BufferReader(data["references.parquet"]))
    expected_references = rows_of("references", therapies)
    assert references.metadata.num_row_groups == -(-len(expected_references) // 100)
    assert pq.ParquetFile(pa.BufferReader(data["toxicities.parquet"])).metadata.num_row_groups > 1
    for table in TABLES:
        expected = [{c.name: row.get(c.name) for c in COLUMNS[table]} for row in rows_of(table, therapies)]
        assert pq.read_table(pa.BufferReader(data[f"{table}.parquet"])).to_pylist() == expected, table


@pytest.mark.parametrize(("tz", "lang"), [("Pacific/Kiritimati", "C"), ("America/Adak", "C.UTF-8")])
def test_time_zone_and_locale_do_not_matter(therapies: list, tz: str, lang: str) -> None:
    env = {**os.environ, "TZ": tz, "LC_ALL": lang, "LANG": lang, "PYTHONHASHSEED": "123"}
    out = subprocess.run(
        [sys.executable, "-c", DIGEST_SCRIPT, str(REPO / "data")], env=env, capture_output=True, text=True, check=True
    ).stdout
    expected = "".join(
        f"{name} {digest}\n" for name, digest in sorted(digests(build_outputs(therapies, "0.0.0")).items())
    )
    assert out == expected


def test_parquet_round_trip_keeps_schema_and_rows(therapies: list) -> None:
    data, _ = build_outputs(therapies, "0.0.0")
    for table in TABLES:
        read = pq.read_table(pa.BufferReader(data[f"{table}.parquet"]))
        assert read.schema.equals(arrow_schema(table), check_metadata=True)
        expected = [{c.name: row.get(c.name) for c in COLUMNS[table]} for row in rows_of(table, therapies)]
        assert read.to_pylist() == expected
        meta = pq.ParquetFile(pa.BufferReader(data[f"{table}.parquet"])).metadata
        assert meta.num_row_groups == 1
        assert meta.row_group(0).column(0).compression == "ZSTD"


def test_committed_outputs_are_current(therapies: list) -> None:
    """Same bytes when this pyarrow (pydantic) wrote the files; otherwise the same schema, rows and documents."""
    import pydantic

    data, schemas = build_outputs(therapies, project_version(REPO))
    committed, committed_schemas = REPO / "immunoref" / "_data", REPO / "schemas"
    assert sorted(p.name for p in committed.iterdir()) == sorted(data), "run `immunoref build`"
    assert sorted(p.name for p in committed_schemas.iterdir()) == sorted(schemas), "run `immunoref build`"
    for table in TABLES:
        path = committed / f"{table}.parquet"
        if pq.ParquetFile(path).metadata.created_by == f"parquet-cpp-arrow version {pa.__version__}":
            assert path.read_bytes() == data[path.name], f"{path.name} is stale: run `immunoref build`"
        else:
            fresh = pq.read_table(pa.BufferReader(data[path.name]))
            assert pq.read_table(path).equals(fresh, check_metadata=True), f"{path.name} is stale"
    manifest = json.loads((committed / "manifest.json").read_text(encoding="utf-8"))
    if manifest["writer"] == {"pyarrow": pa.__version__, "pydantic": pydantic.__version__}:
        for name in ("therapies.json", "manifest.json"):
            assert (committed / name).read_bytes() == data[name], f"{name} is stale: run `immunoref build`"
        for name, content in schemas.items():
            assert (committed_schemas / name).read_bytes() == content, f"schemas/{name} is stale"
    else:
        assert json.loads((committed / "therapies.json").read_bytes()) == json.loads(data["therapies.json"])
        fresh_manifest = json.loads(data["manifest.json"])
        for key in ("dataset_version", "rows", "agents_per_class"):
            assert manifest[key] == fresh_manifest[key], key


def test_build_refuses_bad_data_and_writes_nothing(project_copy: Path) -> None:
    record = project_copy / "data" / "checkpoint_inhibitor" / "ipilimumab.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("agency: FDA", "agency: FDAA", 1), encoding="utf-8")
    paths = ProjectPaths(project_copy)
    result = build_dataset(paths)
    assert [i.code for i in result.errors] == ["invalid-value"]
    assert not paths.package_data.exists()
    assert not paths.schemas.exists()
    assert sorted(p.name for p in project_copy.iterdir()) == ["data", "pyproject.toml"]


def test_build_replaces_outputs_whole(project_copy: Path) -> None:
    paths = ProjectPaths(project_copy)
    paths.package_data.mkdir(parents=True)
    (paths.package_data / "stale.parquet").write_bytes(b"old")
    assert build_dataset(paths).errors == []
    assert sorted(p.name for p in paths.package_data.iterdir()) == sorted(
        [f"{t}.parquet" for t in TABLES] + ["therapies.json", "manifest.json"]
    )
    assert not [p for p in project_copy.rglob(".*") if p.name.startswith((".schemas", "._data"))]


def test_every_column_has_a_description() -> None:
    for table in TABLES:
        for column in COLUMNS[table]:
            assert column.description.strip(), (table, column.name)
        assert all(f.metadata[b"description"] for f in arrow_schema(table))
