"""Releases: contents, Frictionless validity, byte-identical rebuilds, version rules, refusals, atomicity."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from conftest import MINIMAL_RECORD, REPO, build_project, copy_project, set_version

from immunoref import release as release_module
from immunoref.build import project_version
from immunoref.bundle import DATAPACKAGE, SUMS, parse_sums, sha256
from immunoref.bundle_diff import SchemaDiff, diff_schemas
from immunoref.cli import main
from immunoref.export import PRIMARY_KEYS
from immunoref.release import WRITER_PACKAGES, make_release
from immunoref.semver import Version, at_least
from immunoref.tables import COLUMNS, TABLES

VERSION = project_version(REPO)


def bundle(root: Path, version: str = VERSION) -> Path:
    return root / "dist" / f"immunoref-{version}"


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_bundle_holds_every_file_and_lists_it(released: Path) -> None:
    folder = bundle(released)
    files = files_of(folder)
    expected = {"CHANGELOG.md", "CITATION.cff", "DATASHEET.md", DATAPACKAGE, SUMS, "data/therapies.json"}
    expected |= {f"data/{t}.parquet" for t in TABLES} | {f"csv/{t}.csv" for t in TABLES}
    expected |= {f"schemas/{p.name}" for p in (released / "schemas").iterdir()}
    assert set(files) == expected
    sums, malformed = parse_sums(files[SUMS].decode())
    assert malformed == []
    assert sums == {name: sha256(content) for name, content in files.items() if name != SUMS}
    assert (released / "dist" / f"immunoref-{VERSION}.tar.gz").is_file()


def test_parquet_files_are_the_bytes_the_package_ships(released: Path) -> None:
    folder = bundle(released)
    for table in TABLES:
        assert (folder / "data" / f"{table}.parquet").read_bytes() == (
            released / "immunoref" / "_data" / f"{table}.parquet"
        ).read_bytes()
    for schema in (released / "schemas").iterdir():
        assert (folder / "schemas" / schema.name).read_bytes() == schema.read_bytes()


def test_frictionless_validates_the_bundle(released: Path) -> None:
    from frictionless import validate  # a dev dependency: this test must run in CI, never skip

    report = validate(bundle(released) / DATAPACKAGE)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert sorted(task.name for task in report.tasks) == sorted(TABLES)
    rows = {task.name: task.stats.get("rows", 0) for task in report.tasks}  # frictionless omits 0
    assert rows == {t: pq.read_metadata(bundle(released) / "data" / f"{t}.parquet").num_rows for t in TABLES}


def test_frictionless_catches_a_dangling_agent_id(released: Path, tmp_path: Path) -> None:
    """The foreign keys are real: a row naming an unknown agent fails validation."""
    from frictionless import validate

    folder = copy_project(bundle(released), tmp_path / "bundle")
    path = folder / "csv" / "targets.csv"
    text = path.read_bytes().decode("utf-8")
    first_agent = text.split("\r\n")[1].split(",")[0]
    path.write_bytes(text.replace(f"\r\n{first_agent},", "\r\nno-such-agent,", 1).encode("utf-8"))
    descriptor = json.loads((folder / DATAPACKAGE).read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "targets":
            resource["hash"], resource["bytes"] = f"sha256:{sha256(path.read_bytes())}", path.stat().st_size
    (folder / DATAPACKAGE).write_text(json.dumps(descriptor), encoding="utf-8")
    report = validate(folder / DATAPACKAGE)
    assert {error[0] for error in report.flatten(["type"])} == {"foreign-key"}


def test_datapackage_describes_tables_keys_licence_and_version(released: Path) -> None:
    descriptor = json.loads((bundle(released) / DATAPACKAGE).read_text(encoding="utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["version"] == VERSION
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["sources"]
    assert set(descriptor["immunoref"]["writer"]) == set(WRITER_PACKAGES)
    for resource, table in zip(descriptor["resources"], TABLES, strict=True):
        assert resource["name"] == table
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == [c.name for c in COLUMNS[table]]
        assert resource["schema"].get("primaryKey") == (list(PRIMARY_KEYS[table]) if table in PRIMARY_KEYS else None)
        if table not in ("agents", "references"):
            assert resource["schema"]["foreignKeys"][0]["reference"] == {"resource": "agents", "fields": ["agent_id"]}
        assert resource["parquet"]["path"] == f"data/{table}.parquet"


@pytest.mark.parametrize("table", sorted(PRIMARY_KEYS))
def test_primary_keys_are_unique_and_never_null(released: Path, table: str) -> None:
    rows = pq.read_table(bundle(released) / "data" / f"{table}.parquet").to_pylist()
    keys = [tuple(row[c] for c in PRIMARY_KEYS[table]) for row in rows]
    assert all(value is not None for key in keys for value in key)
    assert len(set(keys)) == len(keys)


def test_csv_holds_the_parquet_values(released: Path) -> None:
    """CSV cells decode back to exactly the Parquet values: ISO dates, JSON lists, true/false, floats, empty = null."""
    decode = {
        "date": dt.date.fromisoformat,
        "list": json.loads,
        "bool": {"true": True, "false": False}.__getitem__,
        "float": float,
    }
    for table in TABLES:
        kinds = {c.name: c.kind for c in COLUMNS[table]}
        text = (bundle(released) / "csv" / f"{table}.csv").read_bytes().decode("utf-8")
        reader = csv.DictReader(io.StringIO(text, newline=""))
        decoded = [{k: None if v == "" else decode.get(kinds[k], str)(v) for k, v in row.items()} for row in reader]
        assert decoded == pq.read_table(bundle(released) / "data" / f"{table}.parquet").to_pylist(), table


def test_same_sources_give_byte_identical_releases_in_any_time_zone_and_locale(released: Path, tmp_path: Path) -> None:
    """Two more releases of the same project, in other time zones and locales, at once: every byte equal."""
    project = copy_project(released, tmp_path / "project", releases=False)
    runs = []
    for index, (tz, lang) in enumerate([("Pacific/Kiritimati", "C"), ("America/Adak", "C.UTF-8")]):
        env = {**os.environ, "TZ": tz, "LC_ALL": lang, "LANG": lang, "PYTHONHASHSEED": str(index + 1)}
        out = tmp_path / f"out{index}"
        command = [sys.executable, "-m", "immunoref", "release", VERSION, "--root", str(project), "--out", str(out)]
        runs.append((out, subprocess.Popen(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)))
    expected = files_of(released / "dist")
    for out, process in runs:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
        assert files_of(out) == expected


def test_archive_is_a_deterministic_tar_of_the_folder(released: Path) -> None:
    archive = (released / "dist" / f"immunoref-{VERSION}.tar.gz").read_bytes()
    assert archive[4:8] == b"\0\0\0\0"  # gzip MTIME
    assert archive[3] & 0x08 == 0  # no FNAME
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        members = tar.getmembers()
        names = [m.name for m in members]
        assert names == sorted(names)
        assert names[0] == f"immunoref-{VERSION}"
        assert len({m.mtime for m in members}) == 1
        assert {(m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, "", "")}
        assert {m.mode for m in members if m.isdir()} == {0o755}
        assert {m.mode for m in members if m.isfile()} == {0o644}
        inside = {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in members if m.isfile()}
    assert inside == files_of(bundle(released))


def test_source_date_epoch_sets_the_only_timestamp(
    released: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_project(released, tmp_path / "project", releases=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    made = make_release(project, VERSION, tmp_path / "out")
    citation = yaml.safe_load((made.folder / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["date-released"] == dt.date(2026, 1, 1)
    assert citation["version"] == VERSION
    assert json.loads((made.folder / DATAPACKAGE).read_text(encoding="utf-8"))["created"] == "2026-01-01T00:00:00Z"
    with tarfile.open(made.archive) as tar:
        assert {m.mtime for m in tar.getmembers()} == {1767225600}


def test_datasheet_counts_come_from_the_data(released: Path) -> None:
    sheet = (bundle(released) / "DATASHEET.md").read_text(encoding="utf-8")
    for heading in ("Motivation", "Composition", "Collection process", "Evidence rules", "Known gaps", "Licence"):
        assert f"## {heading}\n" in sheet
    assert "## How to cite" in sheet
    for table in TABLES:
        rows = pq.read_metadata(bundle(released) / "data" / f"{table}.parquet").num_rows
        assert f"| {table} |" in sheet and f"| {rows} |\n" in sheet.split(f"| {table} |", 1)[1][:200]


def test_first_release_changelog_says_so(released: Path) -> None:
    changelog = (bundle(released) / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith(f"# immunoref {VERSION}\n\nFirst release")


# Version rules ---------------------------------------------------------------------------------------------------


def test_versions_parse_and_follow() -> None:
    version = Version.parse("1.4.2")
    assert str(version) == "1.4.2"
    assert {k: str(v) for k, v in version.next_versions().items()} == {
        "patch": "1.4.3",
        "minor": "1.5.0",
        "major": "2.0.0",
    }
    assert version.bump_to(Version.parse("1.5.0")) == "minor"
    assert version.bump_to(Version.parse("1.5.1")) is None
    assert version.bump_to(Version.parse("1.4.2")) is None
    assert at_least("major", "minor") and not at_least("patch", "minor")
    for bad in ("1.2", "v1.2.3", "1.2.3-rc1", "01.2.3", "1.2.3 "):
        with pytest.raises(ValueError, match=r"MAJOR\.MINOR\.PATCH"):
            Version.parse(bad)


def test_schema_changes_decide_major_and_minor() -> None:
    def package(*fields: dict) -> dict:
        return {"resources": [{"name": "agents", "schema": {"fields": list(fields)}}]}

    old = package(
        {"name": "a", "type": "string", "constraints": {"required": True}},
        {"name": "b", "type": "string", "constraints": {"enum": ["x", "y"]}},
        {"name": "c", "type": "date"},
    )
    assert diff_schemas(old, old) == SchemaDiff([], [])
    new = package(
        {"name": "a", "type": "string"},
        {"name": "b", "type": "string", "constraints": {"enum": ["x", "z"]}},
        {"name": "d", "type": "number"},
    )
    changes = diff_schemas(old, new)
    assert changes.breaking == ["agents.c removed", "agents.a may now be null", "agents.b no longer allows y"]
    assert changes.additive == ["agents.b allows z", "agents.d added"]
    assert diff_schemas(old, {"resources": []}).breaking == ["table agents removed"]


def run_release(root: Path, version: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["release", version, "--root", str(root), "--out", str(root / "dist")])
    captured = capsys.readouterr()
    return code, captured.err


def test_an_existing_version_is_refused(released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(released, tmp_path / "project")
    before = files_of(root / "dist")
    code, err = run_release(root, VERSION, capsys)
    assert code == 1
    assert f"immunoref-{VERSION} already exists" in err and "never overwritten" in err
    assert files_of(root / "dist") == before


def test_version_must_equal_pyproject(released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(released, tmp_path / "project")
    following = str(Version.parse(VERSION).next_versions()["patch"])
    code, err = run_release(root, following, capsys)
    assert code == 1
    assert f"is not the package version {VERSION} in pyproject.toml" in err


def test_version_must_follow_the_latest_release(
    released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(released, tmp_path / "project")
    skipped = str(Version.parse(VERSION).next_versions()["minor"].next_versions()["minor"])
    set_version(root, skipped)
    code, err = run_release(root, skipped, capsys)
    assert code == 1
    nexts = Version.parse(VERSION).next_versions()
    assert f"does not follow the latest release {VERSION}" in err
    assert f"{nexts['patch']} (patch), {nexts['minor']} (minor), {nexts['major']} (major)" in err
    assert sorted(p.name for p in (root / "dist").iterdir()) == [f"immunoref-{VERSION}", f"immunoref-{VERSION}.tar.gz"]


def test_malformed_version_is_a_usage_error(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_release(released, "1.0", capsys)
    assert code == 2
    assert "MAJOR.MINOR.PATCH" in err


def test_new_agents_need_a_minor_release(released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(released, tmp_path / "project")
    (root / "data" / "checkpoint_inhibitor" / "testumab.yaml").write_text(MINIMAL_RECORD, encoding="utf-8")
    patch = str(Version.parse(VERSION).next_versions()["patch"])
    set_version(root, patch)
    build_project(root)
    code, err = run_release(root, patch, capsys)
    assert code == 1
    minor = Version.parse(VERSION).next_versions()["minor"]
    assert "is a patch release but the changes need at least a minor one: agents were added (testumab)" in err
    assert f"release {minor} instead" in err
    assert not (root / "dist" / f"immunoref-{patch}").exists()


def test_corrections_make_a_patch_release(released: Path, tmp_path: Path) -> None:
    root = copy_project(released, tmp_path / "project")
    record = next((root / "data").rglob("*.yaml"))
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    data["mechanism"] += " Corrected."
    record.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    patch = str(Version.parse(VERSION).next_versions()["patch"])
    set_version(root, patch)
    build_project(root)
    made = make_release(root, patch, root / "dist")
    assert made.bump == "patch"
    assert made.diff.needed_bump()[0] == "patch"
    changed = made.diff.tables["agents"].changed
    assert [(c.key, list(c.fields)) for c in changed] == [({"agent_id": data["agent_id"]}, ["mechanism"])]
    changelog = (made.folder / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Smallest version bump these changes need: **patch**" in changelog
    assert f'" → "{data["mechanism"]}"' in changelog


def test_invalid_data_is_refused_and_nothing_written(
    released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(released, tmp_path / "project", releases=False)
    record = next((root / "data").rglob("*.yaml"))
    record.write_text(record.read_text(encoding="utf-8") + "\nunknown_field: 1\n", encoding="utf-8")
    code, err = run_release(root, VERSION, capsys)
    assert code == 1
    assert "[unknown-field]" in err and "nothing written" in err
    assert not (root / "dist").exists()


def test_stale_package_data_is_refused(released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(released, tmp_path / "project", releases=False)
    record = next((root / "data").rglob("*.yaml"))
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    data["mechanism"] += " Changed after the build."
    record.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    code, err = run_release(root, VERSION, capsys)
    assert code == 1
    assert "run `immunoref build`" in err and "_data/agents.parquet" in err
    assert not (root / "dist").exists()


def test_an_unpinned_environment_is_refused(released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(released, tmp_path / "project", releases=False)
    (root / "constraints").mkdir()
    (root / "constraints" / "release.txt").write_text("# pins\npyarrow==0.0.1\n", encoding="utf-8")
    code, err = run_release(root, VERSION, capsys)
    assert code == 1
    assert "differs from constraints/release.txt (pyarrow" in err and "pinned 0.0.1" in err
    assert not (root / "dist").exists()


def test_a_damaged_previous_release_is_refused(
    released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(released, tmp_path / "project")
    (bundle(root) / "DATASHEET.md").write_text("edited\n", encoding="utf-8")
    patch = str(Version.parse(VERSION).next_versions()["patch"])
    set_version(root, patch)
    build_project(root)
    code, err = run_release(root, patch, capsys)
    assert code == 1
    assert f"immunoref-{VERSION} fails `immunoref verify` (DATASHEET.md: altered" in err


def test_release_outside_a_project_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_release(tmp_path, "1.0.0", capsys)
    assert code == 2
    assert "not an immunoref project" in err


# Atomicity --------------------------------------------------------------------------------------------------------


def test_a_failure_while_writing_leaves_nothing(
    released: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project(released, tmp_path / "project", releases=False)
    writes = []
    real_write = Path.write_bytes

    def failing_write(self: Path, data: bytes) -> int:
        writes.append(self)
        if len(writes) == 7:
            raise KeyboardInterrupt  # an interruption half way through the files
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(KeyboardInterrupt):
        make_release(root, VERSION, root / "dist")
    assert len(writes) == 7
    assert not (root / "dist").exists()


def test_a_failure_between_the_two_renames_leaves_nothing(
    released: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The archive is moved into place first; if the folder cannot follow, the archive is taken back."""
    root = copy_project(released, tmp_path / "project", releases=False)
    real_rename = Path.rename

    def failing_rename(self: Path, target: Path) -> Path:
        if Path(target).name == f"immunoref-{VERSION}":
            raise OSError("disk full")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OSError, match="disk full"):
        make_release(root, VERSION, root / "dist")
    assert not (root / "dist").exists()


def test_an_interrupted_archive_does_not_count_as_a_release(
    released: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project(released, tmp_path / "project", releases=False)
    monkeypatch.setattr(release_module, "archive_bytes", lambda *args: (_ for _ in ()).throw(MemoryError()))
    with pytest.raises(MemoryError):
        make_release(root, VERSION, root / "dist")
    assert not (root / "dist").exists()
    monkeypatch.undo()
    assert make_release(root, VERSION, root / "dist").folder.is_dir()


# The release environment -----------------------------------------------------------------------------------------


def test_constraints_pin_the_versions_that_wrote_the_committed_data() -> None:
    pins = {}
    for line in (REPO / "constraints" / "release.txt").read_text(encoding="utf-8").splitlines():
        name, _, version = line.split("#", 1)[0].strip().partition("==")
        if version:
            pins[name.lower()] = version
    assert {name.lower() for name in WRITER_PACKAGES} | {"pandas"} <= set(pins)
    manifest = json.loads((REPO / "immunoref" / "_data" / "manifest.json").read_text(encoding="utf-8"))
    for name, version in manifest["writer"].items():
        assert pins[name.lower()] == version, f"constraints/release.txt pins {name} {pins[name.lower()]}"


def test_package_version_is_the_dataset_version() -> None:
    manifest = json.loads((REPO / "immunoref" / "_data" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dataset_version"] == VERSION


def test_release_records_the_writer_versions(released: Path) -> None:
    from importlib.metadata import version

    descriptor = json.loads((bundle(released) / DATAPACKAGE).read_text(encoding="utf-8"))
    assert descriptor["immunoref"]["writer"] == {name: version(name) for name in WRITER_PACKAGES}
    footer = pq.ParquetFile(bundle(released) / "data" / "agents.parquet").metadata.created_by
    assert footer == f"parquet-cpp-arrow version {descriptor['immunoref']['writer']['pyarrow']}"
