"""data/ -> immunoref/_data/*.parquet, therapies.json, manifest.json and schemas/*.json, deterministically."""

from __future__ import annotations

import contextlib
import itertools
import json
import pickle
import shutil
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from immunoref.bundle import file_sha256
from immunoref.models import MODELS, THERAPY_ADAPTER, Therapy
from immunoref.tables import COLUMNS, TABLES, arrow_schema, arrow_table, rows_of, table_from_rows
from immunoref.validation import Issue, Progress, check_stream, issue_order

#: Parquet writer settings; changing any of them changes the bytes of every build.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "row_group_size": 1_000_000,
    "store_schema": True,
}


@dataclass(frozen=True)
class ProjectPaths:
    """Where a build reads sources and writes outputs, all under one project root."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def package_data(self) -> Path:
        return self.root / "immunoref" / "_data"

    @property
    def schemas(self) -> Path:
        return self.root / "schemas"


def project_version(root: Path) -> str:
    """The version in pyproject.toml, which is the dataset's version too."""
    with (root / "pyproject.toml").open("rb") as fh:
        return str(tomllib.load(fh)["project"]["version"])


def build_outputs(therapies: Sequence[Therapy], version: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The bytes of every generated file: (package data files, schema files), by file name.

    Written by the same batching writer as build_dataset, so both give the same bytes at any size.
    """
    ordered = sorted(therapies, key=lambda therapy: therapy.agent_id)
    with tempfile.TemporaryDirectory(prefix="immunoref-build-") as folder:
        writer = _StreamingWriter(Path(folder))
        for start in range(0, len(ordered), BATCH_SIZE):
            writer.write(ordered[start : start + BATCH_SIZE])
        writer.close(version)
        data = {path.name: path.read_bytes() for path in sorted(Path(folder).iterdir())}
    return data, schema_files()


@dataclass
class BuildResult:
    """Every issue the build found, and how many agents it wrote (none when there were errors)."""

    issues: list[Issue] = field(default_factory=list)
    agents: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == "error"]


#: Records converted to Arrow and written at a time: bounds memory however many records there are.
BATCH_SIZE = 5_000

#: Rows per row group of the references table, which is written sorted once every batch is in: about the
#: references of one batch of records, so reading them back costs no more memory than a batch did.
REFERENCES_PER_ROW_GROUP = 50_000


def build_dataset(
    paths: ProjectPaths, *, batch_size: int = BATCH_SIZE, progress: Progress | None = None
) -> BuildResult:
    """Validate data/ and write the outputs in one streaming pass; replace the generated files only if no
    record has an error, otherwise leave them untouched. The bytes equal those of build_outputs."""
    result = BuildResult()
    version = project_version(paths.root)
    created = [folder for folder in (paths.package_data.parent, paths.schemas.parent) if not folder.exists()]
    staged = {target: _stage_folder(target) for target in (paths.package_data, paths.schemas)}
    writer: _StreamingWriter | None = None
    try:
        writer = _StreamingWriter(staged[paths.package_data])
        batch: list[Therapy] = []
        for therapy, issues in check_stream([paths.data], progress=progress):
            result.issues.extend(issues)
            if result.errors:
                batch.clear()  # keep checking, so every problem is reported, but write nothing more
                continue
            if therapy is not None:
                batch.append(therapy)
            if len(batch) >= batch_size:
                writer.write(batch)
                batch = []
        if result.errors:
            result.issues.sort(key=issue_order)
            return result
        writer.write(batch)
        result.agents = writer.close(version)
        for name, content in schema_files().items():
            (staged[paths.schemas] / name).write_bytes(content)
        _swap_in(staged)
        staged = {}
    finally:
        if staged and writer is not None:  # failed midway: close what is open before removing it
            writer.abandon()
        for stage in staged.values():
            shutil.rmtree(stage, ignore_errors=True)
        for folder in created:  # a failed first build leaves the project as it found it
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    result.issues.sort(key=issue_order)
    return result


class _StreamingWriter:
    """Writes the tables, therapies.json and the manifest batch by batch, into a staging folder."""

    def __init__(self, folder: Path) -> None:
        import pyarrow.parquet as pq

        self.folder = folder
        options = {k: v for k, v in PARQUET_OPTIONS.items() if k != "row_group_size"}
        self.parquet = {
            table: pq.ParquetWriter(folder / f"{table}.parquet", arrow_schema(table), **options)
            for table in TABLES
            if table != "references"
        }
        self.rows = dict.fromkeys(TABLES, 0)
        self.references = _ReferenceSpill()
        self.classes = dict.fromkeys(MODELS, 0)
        self.json = (folder / "therapies.json").open("wb")
        self.agents = 0

    def write(self, therapies: Sequence[Therapy]) -> None:
        for table, writer in self.parquet.items():
            arrow = arrow_table(table, therapies)
            if arrow.num_rows:
                writer.write_table(arrow, row_group_size=PARQUET_OPTIONS["row_group_size"])
                self.rows[table] += arrow.num_rows
        self.references.add(rows_of("references", therapies))
        for therapy in therapies:
            self.classes[therapy.therapy_class] += 1
            item = THERAPY_ADAPTER.dump_json(therapy, indent=1).replace(b"\n", b"\n ")
            self.json.write((b",\n " if self.agents else b"[\n ") + item)
            self.agents += 1

    def abandon(self) -> None:
        """Close the open files of a build that will not be used. They are deleted next, so a failure to
        finish one (the disk that stopped the build is still full) does not matter."""
        for close in (*(writer.close for writer in self.parquet.values()), self.json.close, self.references.close):
            with contextlib.suppress(OSError):
                close()

    def close(self, version: str) -> int:
        """Finish every file and write the manifest; return the number of agents written."""
        import pyarrow
        import pydantic

        for table, writer in self.parquet.items():
            if not self.rows[table]:  # a table with no rows still gets its one (empty) row group
                writer.write_table(arrow_table(table, []))
            writer.close()
        self.rows["references"] = self.references.write(self.folder / "references.parquet")
        self.json.write(b"\n]\n" if self.agents else b"[]\n")
        self.json.close()
        names = [*(f"{table}.parquet" for table in TABLES), "therapies.json"]
        manifest = {
            "dataset_version": version,
            "files": {name: {"sha256": file_sha256(self.folder / name)} for name in sorted(names)},
            "rows": {table: self.rows[table] for table in TABLES},
            "agents_per_class": self.classes,
            "writer": {"pyarrow": pyarrow.__version__, "pydantic": pydantic.__version__},
        }
        (self.folder / "manifest.json").write_bytes(_json_bytes(manifest))
        return self.agents


class _ReferenceSpill:
    """The references of every batch, de-duplicated by reference_id (the first definition is kept; the
    validator has made sure the others are equal) and read back sorted, through a scratch database on disk:
    a million agents cite some ten million references, too many to hold in memory."""

    def __init__(self) -> None:
        from immunoref.spill import Scratch

        self.scratch = Scratch("CREATE TABLE refs (reference_id TEXT PRIMARY KEY, row BLOB NOT NULL) WITHOUT ROWID;")
        self.names = [column.name for column in COLUMNS["references"]]  # rows are stored as value tuples

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        self.scratch.insert_many(
            "INSERT OR IGNORE INTO refs VALUES (?, ?)",
            ((row["reference_id"], pickle.dumps(tuple(row.get(name) for name in self.names))) for row in rows),
        )

    def write(self, path: Path) -> int:
        """Write the references table sorted by reference_id, a row group per REFERENCES_PER_ROW_GROUP rows
        (so a small dataset gets exactly one); return its number of rows."""
        import pyarrow.parquet as pq

        options = {k: v for k, v in PARQUET_OPTIONS.items() if k != "row_group_size"}
        written = 0
        with pq.ParquetWriter(path, arrow_schema("references"), **options) as writer:
            rows = (
                dict(zip(self.names, pickle.loads(row), strict=True))
                for (row,) in self.scratch.rows("SELECT row FROM refs ORDER BY reference_id")
            )
            while group := list(itertools.islice(rows, REFERENCES_PER_ROW_GROUP)):
                writer.write_table(table_from_rows(COLUMNS["references"], group, "references"))
                written += len(group)
            if not written:
                writer.write_table(table_from_rows(COLUMNS["references"], [], "references"))
        self.close()
        return written

    def close(self) -> None:
        self.scratch.close()


def schema_files() -> dict[str, bytes]:
    """JSON Schema of the therapy union and of each class's model, by file name."""
    schemas = {"therapy.schema.json": _json_bytes(THERAPY_ADAPTER.json_schema())}
    for therapy_class, model in MODELS.items():
        schemas[f"{therapy_class}.schema.json"] = _json_bytes(model.model_json_schema())
    return schemas


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def replace_folders(contents: Mapping[Path, Mapping[str, bytes]]) -> None:
    """Write each folder's files in full beside it, then swap each in by rename: never half written."""
    staged: dict[Path, Path] = {}
    try:
        for target, files in contents.items():
            staged[target] = _stage_folder(target)
            for name, content in files.items():
                (staged[target] / name).write_bytes(content)
        _swap_in(staged)
        staged = {}
    finally:
        for stage in staged.values():
            shutil.rmtree(stage, ignore_errors=True)


def _stage_folder(target: Path) -> Path:
    """An empty folder beside target (same file system), to be renamed over it once complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))


def _swap_in(staged: Mapping[Path, Path]) -> None:
    """Rename each complete staged folder over its target; the old one is removed only after."""
    for target, stage in staged.items():
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
            target.rename(old / target.name)
        stage.rename(target)
        if old is not None:
            shutil.rmtree(old)
