"""Reading releases: verify catches any edit, diff lists exactly the changed records, load(release=...), export."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import REPO, Edits, copy_project

import immunoref
from immunoref.build import project_version
from immunoref.bundle import DATAPACKAGE, SUMS, sha256, sums_bytes
from immunoref.bundle_diff import diff_releases, diff_table, read_snapshot
from immunoref.cli import main
from immunoref.export import PRIMARY_KEYS, read_tables
from immunoref.tables import COLUMNS, TABLES
from immunoref.verify import verify_release

VERSION = project_version(REPO)


@pytest.fixture
def release_copy(released: Path, tmp_path: Path) -> Path:
    """A copy of the first release folder, to damage."""
    return copy_project(released / "dist" / f"immunoref-{VERSION}", tmp_path / f"immunoref-{VERSION}")


# verify -----------------------------------------------------------------------------------------------------------


def test_an_intact_release_verifies(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = released / "dist" / f"immunoref-{VERSION}"
    assert verify_release(folder) == []
    assert main(["verify", str(folder)]) == 0
    assert "intact" in capsys.readouterr().out


@pytest.mark.parametrize("table", TABLES)
def test_a_single_flipped_byte_is_named(release_copy: Path, table: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = release_copy / "data" / f"{table}.parquet"
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))
    problems = verify_release(release_copy)
    assert [(p.path, p.kind) for p in problems if p.kind == "altered"] == [(f"data/{table}.parquet", "altered")]
    assert main(["verify", str(release_copy)]) == 1
    out = capsys.readouterr().out
    assert f"altered    data/{table}.parquet:" in out


def test_missing_and_added_files_are_named(release_copy: Path) -> None:
    (release_copy / "csv" / "agents.csv").unlink()
    (release_copy / "notes.txt").write_text("mine\n", encoding="utf-8")
    (release_copy / "data" / "extra.parquet").write_bytes(b"PAR1")
    problems = {(p.path, p.kind) for p in verify_release(release_copy)}
    assert problems == {("csv/agents.csv", "missing"), ("notes.txt", "added"), ("data/extra.parquet", "added")}


def test_a_missing_checksum_list_is_reported(release_copy: Path) -> None:
    (release_copy / SUMS).unlink()
    assert [(p.path, p.kind) for p in verify_release(release_copy)] == [(SUMS, "missing")]


def test_a_malformed_checksum_list_is_reported(release_copy: Path) -> None:
    sums = release_copy / SUMS
    sums.write_text(sums.read_text(encoding="utf-8") + "not a checksum line\n", encoding="utf-8")
    assert [(p.path, p.kind) for p in verify_release(release_copy)] == [(SUMS, "checksums")]


def test_an_edit_with_a_rewritten_checksum_list_is_still_caught(release_copy: Path) -> None:
    """Someone edits a CSV and updates SHA256SUMS to match: datapackage.json still records the original."""
    path = release_copy / "csv" / "agents.csv"
    path.write_bytes(path.read_bytes().replace(b"approved", b"withdrawn", 1))
    sums = release_copy / SUMS
    lines = [
        f"{sha256(path.read_bytes())}  csv/agents.csv" if line.endswith("  csv/agents.csv") else line
        for line in sums.read_text(encoding="utf-8").splitlines()
    ]
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = verify_release(release_copy)
    assert [(p.path, p.kind) for p in problems] == [("csv/agents.csv", "altered")]
    assert "datapackage.json" in problems[0].message


def test_a_parquet_file_with_another_schema_is_caught(release_copy: Path) -> None:
    """A consistent forgery (checksums updated everywhere) with a retyped column fails the schema check."""
    path = release_copy / "data" / "targets.parquet"
    table = pq.read_table(path)
    table = table.set_column(table.schema.get_field_index("action"), "action", table["action"].cast(pa.string()))
    pq.write_table(table, path)
    content = path.read_bytes()
    descriptor = json.loads((release_copy / DATAPACKAGE).read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "targets":
            resource["parquet"].update(hash=f"sha256:{sha256(content)}", bytes=len(content))
    (release_copy / DATAPACKAGE).write_text(json.dumps(descriptor), encoding="utf-8")
    files = {p.relative_to(release_copy).as_posix(): p.read_bytes() for p in release_copy.rglob("*") if p.is_file()}
    (release_copy / SUMS).write_bytes(sums_bytes({k: v for k, v in files.items() if k != SUMS}))
    problems = verify_release(release_copy)
    assert {(p.path, p.kind) for p in problems} == {("data/targets.parquet", "schema")}
    assert [p.message for p in problems] == [
        "action is string, datapackage.json says dictionary<int32,string>",
        "action nullability differs from datapackage.json",
    ]


def test_verify_of_something_else_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path / "absent")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_verify_reports_json(release_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (release_copy / "CITATION.cff").unlink()
    assert main(["verify", "--format", "json", str(release_copy)]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {"path": "CITATION.cff", "kind": "missing", "message": "listed in SHA256SUMS but not in the release"}
    ]


# diff -------------------------------------------------------------------------------------------------------------


def test_diff_lists_exactly_the_records_that_changed(
    second_release: tuple[Path, Edits], capsys: pytest.CaptureFixture[str]
) -> None:
    root, edits = second_release
    old, new = sorted((root / "dist").glob("immunoref-*[0-9]"))
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert (diff["from"], diff["needed_bump"]) == (VERSION, "minor")
    assert diff["schema"] == {"breaking": [], "additive": []}
    tables = diff["tables"]
    assert [row["agent_id"] for row in tables["agents"]["added"]] == [edits.added_agent]
    assert tables["agents"]["removed"] == tables["agents"]["changed"] == []
    for table in ("targets", "indications", "toxicities", "products"):
        assert {row["agent_id"] for row in tables[table]["added"]} <= {edits.added_agent}, table
    assert [r["reference_id"] for r in tables["references"]["added"]] == ["testumab-label"]
    assert tables["references"]["removed"] == tables["references"]["changed"] == []
    assert tables["targets"]["removed"] == tables["targets"]["changed"] == []
    assert tables["indications"]["removed"] == []
    [changed] = tables["indications"]["changed"]
    assert changed["key"]["agent_id"] == edits.agent_id
    assert changed["key"]["disease_id"] == edits.disease_id
    assert changed["changes"] == {
        "approval_date": {"old": edits.old_date.isoformat(), "new": edits.new_date.isoformat()}
    }
    [removed] = tables["toxicities"]["removed"]
    assert (removed["agent_id"], removed["term"], removed["label_section"]) == (
        edits.agent_id,
        edits.removed_term,
        edits.removed_section,
    )
    assert tables["toxicities"]["changed"] == []
    assert (tables["products"]["added"], tables["products"]["removed"], tables["products"]["changed"]) == ([], [], [])


def test_changelog_is_the_diff_text(second_release: tuple[Path, Edits], capsys: pytest.CaptureFixture[str]) -> None:
    root, edits = second_release
    old, new = sorted((root / "dist").glob("immunoref-*[0-9]"))
    assert main(["diff", str(old), str(new)]) == 0
    text = capsys.readouterr().out
    assert text == (new / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"Changes since {VERSION}" in text
    assert f"- `{edits.added_agent}` testumab (checkpoint_inhibitor), with 1 target, 1 indication, 1 toxicity" in text
    assert f'  - `approval_date`: "{edits.old_date.isoformat()}" → "{edits.new_date.isoformat()}"' in text
    assert f"- `{edits.agent_id}` {edits.removed_term} ({edits.removed_section})" in text


def test_a_release_against_itself_has_no_changes(released: Path) -> None:
    snapshot = read_snapshot(released / "dist" / f"immunoref-{VERSION}")
    diff = diff_releases(snapshot, snapshot)
    assert not any(diff.tables.values())
    assert diff.needed_bump() == ("patch", "no record changed")


def test_indications_sharing_a_key_are_paired_by_their_other_values() -> None:
    """Two approvals of one indication (accelerated, then regular): editing one is a change, not a swap."""
    base = {"agent_id": "x", "agency": "FDA", "disease_id": "MONDO:1", "note": None, "reference_ids": ["r"]}
    accelerated = {**base, "approval_date": "2017-01-01", "approval_type": "accelerated", "population": "adults"}
    regular = {**base, "approval_date": "2020-01-01", "approval_type": "regular", "population": "adults"}
    edited = {**regular, "approval_date": "2020-02-02"}
    diff = diff_table("indications", [accelerated, regular], [edited, accelerated])
    assert diff.added == diff.removed == []
    assert [c.fields for c in diff.changed] == [{"approval_date": ("2020-01-01", "2020-02-02")}]
    unrelated = {**base, "approval_date": "2024-01-01", "approval_type": "conditional", "population": "children",
                 "note": "new", "reference_ids": ["s"]}  # fmt: skip
    diff = diff_table("indications", [regular], [unrelated])
    assert (diff.added, diff.removed, diff.changed) == ([unrelated], [regular], [])


def test_diff_of_something_else_is_a_usage_error(
    released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(tmp_path), str(released / "dist" / f"immunoref-{VERSION}")]) == 2
    assert "is not a readable release" in capsys.readouterr().err


# load(release=...) ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_load_from_a_release_equals_the_packaged_table(released: Path, table: str) -> None:
    folder = released / "dist" / f"immunoref-{VERSION}"
    from_release = immunoref.load(table, release=folder)
    pd.testing.assert_frame_equal(from_release, immunoref.load(table))
    assert [from_release[c.name].dtype for c in COLUMNS[table]] == list(immunoref.load(table).dtypes)


def test_load_from_a_release_filters_and_accepts_strings(released: Path) -> None:
    folder = str(released / "dist" / f"immunoref-{VERSION}")
    pd.testing.assert_frame_equal(
        immunoref.load("agents", release=folder, therapy_class="car_t"), immunoref.load("agents", therapy_class="car_t")
    )
    assert set(immunoref.load_all(release=folder)) == set(TABLES)


def test_load_from_a_missing_or_foreign_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=f"release folder {tmp_path / 'absent'} does not exist"):
        immunoref.load("agents", release=tmp_path / "absent")
    with pytest.raises(ValueError, match=f"{tmp_path} is not an immunoref release folder"):
        immunoref.load("agents", release=tmp_path)
    (tmp_path / DATAPACKAGE).write_text("{}", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="has no table 'agents'"):
        immunoref.load("agents", release=tmp_path)


# export -----------------------------------------------------------------------------------------------------------


def test_sqlite_export_has_every_table_with_keys_and_indexes(tmp_path: Path) -> None:
    out = tmp_path / "immunoref.db"
    assert main(["export", "--format", "sqlite", str(out)]) == 0
    connection = sqlite3.connect(out)
    try:
        for table in TABLES:
            count = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            assert count == len(immunoref.load(table)), table
            columns = connection.execute(f'PRAGMA table_info("{table}")').fetchall()
            assert [c[1] for c in columns] == [c.name for c in COLUMNS[table]]
            key = [c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]]
            assert tuple(key) == PRIMARY_KEYS.get(table, ()), table
            indexed = {row[1] for row in connection.execute(f'PRAGMA index_list("{table}")')}
            if table not in {"agents", "references"}:
                assert f"{table}_agent_id" in indexed
                fks = connection.execute(f'PRAGMA foreign_key_list("{table}")').fetchall()
                assert [(fk[2], fk[3], fk[4]) for fk in fks] == [("agents", "agent_id", "agent_id")]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        brands, date = connection.execute(
            "SELECT a.brand_names, i.approval_date FROM agents a JOIN indications i USING (agent_id) "
            "WHERE a.agent_id = 'ipilimumab' AND i.approval_date IS NOT NULL ORDER BY i.approval_date LIMIT 1"
        ).fetchone()
        assert json.loads(brands) == list(immunoref.load("agents", agent_id="ipilimumab")["brand_names"][0])
        assert date == "2011-03-25"
    finally:
        connection.close()


def test_export_refuses_to_overwrite_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "tables"
    out.mkdir()
    (out / "mine.txt").write_text("keep\n", encoding="utf-8")
    assert main(["export", "--format", "csv", str(out)]) == 2
    assert "exists" in capsys.readouterr().err and (out / "mine.txt").exists()
    assert main(["export", "--format", "csv", str(out), "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in TABLES)


def test_jsonl_export_of_a_release_holds_its_rows(released: Path, tmp_path: Path) -> None:
    folder = released / "dist" / f"immunoref-{VERSION}"
    assert main(["export", "--format", "jsonl", str(tmp_path / "out"), "--release", str(folder)]) == 0
    tables = read_tables(folder)
    for table in TABLES:
        lines = (tmp_path / "out" / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines]
        expected = json.loads(json.dumps(tables[table].to_pylist(), default=str))
        assert rows == expected, table


def test_csv_export_equals_the_release_csv(released: Path, tmp_path: Path) -> None:
    folder = released / "dist" / f"immunoref-{VERSION}"
    assert main(["export", "--format", "csv", str(tmp_path / "out"), "--release", str(folder)]) == 0
    for table in TABLES:
        assert (tmp_path / "out" / f"{table}.csv").read_bytes() == (folder / "csv" / f"{table}.csv").read_bytes()


def test_an_edited_checksum_line_names_the_checksum_list(release_copy: Path) -> None:
    sums = release_copy / SUMS
    text = sums.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.endswith("  data/agents.parquet"))
    forged = ("0" if line[0] != "0" else "1") + line[1:]
    sums.write_text(text.replace(line, forged), encoding="utf-8")
    problems = verify_release(release_copy)
    assert [(p.path, p.kind) for p in problems] == [(SUMS, "altered")]
    assert "data/agents.parquet" in problems[0].message
