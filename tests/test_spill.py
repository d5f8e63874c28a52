"""The scratch databases: a full disk or an unwritable temporary folder is a clear error, never a traceback,
and a build that meets one leaves the project as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import build_project

from immunoref.build import ProjectPaths, build_dataset
from immunoref.cli import main
from immunoref.spill import Scratch, ScratchError

FULL = (
    "no room for temporary working data (database or disk is full); SQLite writes it in SQLITE_TMPDIR or TMPDIR, "
    "else /var/tmp or /tmp: point one of them at a writable folder with free space"
)


def limit_scratch_pages(monkeypatch: pytest.MonkeyPatch, pages: int) -> None:
    """Every scratch database made from now on holds at most pages pages (4 KiB each): a disk that fills up."""
    monkeypatch.setattr(Scratch, "PRAGMAS", (*Scratch.PRAGMAS, f"max_page_count = {pages}"))


def test_full_scratch_space_is_a_scratch_error(monkeypatch: pytest.MonkeyPatch) -> None:
    limit_scratch_pages(monkeypatch, 4)
    scratch = Scratch("CREATE TABLE t (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID;")
    with pytest.raises(ScratchError) as raised:
        scratch.insert_many("INSERT INTO t VALUES (?, ?)", ((str(n), b"x" * 100) for n in range(1000)))
    assert str(raised.value) == FULL
    assert isinstance(raised.value, OSError)
    scratch.close()


def test_no_room_even_for_the_tables_is_a_scratch_error(monkeypatch: pytest.MonkeyPatch) -> None:
    limit_scratch_pages(monkeypatch, 1)
    with pytest.raises(ScratchError, match="database or disk is full"):
        Scratch("CREATE TABLE a (x); CREATE TABLE b (y);")


def test_a_mistake_in_a_statement_is_not_blamed_on_the_disk() -> None:
    scratch = Scratch("CREATE TABLE t (x);")
    with pytest.raises(sqlite3.OperationalError, match="no such table: elsewhere") as raised:
        scratch.execute("SELECT x FROM elsewhere")
    assert not isinstance(raised.value, ScratchError)
    scratch.close()


def test_validate_with_a_full_disk_says_so(
    monkeypatch: pytest.MonkeyPatch, project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    limit_scratch_pages(monkeypatch, 24)  # room for the list of files, not for every reference seen
    assert main(["validate", str(project_copy / "data")]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"immunoref validate: {FULL}\n"
    assert captured.out == ""


def test_build_that_runs_out_of_scratch_space_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_project(project_copy)
    before = {path: path.read_bytes() for path in sorted(project_copy.rglob("*")) if path.is_file()}
    limit_scratch_pages(monkeypatch, 24)
    assert main(["build", "--root", str(project_copy)]) == 1
    assert capsys.readouterr().err == f"immunoref build: could not write the outputs: {FULL}; nothing written\n"
    after = {path: path.read_bytes() for path in sorted(project_copy.rglob("*")) if path.is_file()}
    assert after == before  # no staging folder left behind either


def test_build_failing_after_writing_batches_leaves_no_trace(
    monkeypatch: pytest.MonkeyPatch, project_copy: Path
) -> None:
    limit_scratch_pages(monkeypatch, 120)  # the checks fit; the build's references fill up after some batches
    with pytest.raises(ScratchError):
        build_dataset(ProjectPaths(project_copy), batch_size=10)
    assert sorted(path.name for path in project_copy.iterdir()) == ["data", "pyproject.toml"]
