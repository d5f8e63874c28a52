"""data/ -> immunoref/_data/*.parquet, therapies.json, manifest.json and schemas/*.json, deterministically."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from immunoref.models import MODELS, THERAPY_ADAPTER, THERAPY_LIST_ADAPTER, Therapy
from immunoref.tables import TABLES, arrow_table
from immunoref.validation import CheckResult, check_paths

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
    """The bytes of every generated file: (package data files, schema files), by file name."""
    import pyarrow
    import pydantic

    tables = {table: arrow_table(table, therapies) for table in TABLES}
    data: dict[str, bytes] = {f"{name}.parquet": parquet_bytes(table) for name, table in tables.items()}
    data["therapies.json"] = (
        THERAPY_LIST_ADAPTER.dump_json(sorted(therapies, key=lambda t: t.agent_id), indent=1) + b"\n"
    )
    manifest = {
        "dataset_version": version,
        "files": {name: {"sha256": hashlib.sha256(content).hexdigest()} for name, content in sorted(data.items())},
        "rows": {name: table.num_rows for name, table in tables.items()},
        "agents_per_class": _class_counts(therapies),
        "writer": {"pyarrow": pyarrow.__version__, "pydantic": pydantic.__version__},
    }
    data["manifest.json"] = _json_bytes(manifest)
    schemas = {"therapy.schema.json": _json_bytes(THERAPY_ADAPTER.json_schema())}
    for therapy_class, model in MODELS.items():
        schemas[f"{therapy_class}.schema.json"] = _json_bytes(model.model_json_schema())
    return data, schemas


def parquet_bytes(table: Any) -> bytes:
    """One Parquet file in memory, written with the fixed settings and a single row group."""
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(table.combine_chunks(), sink, **PARQUET_OPTIONS)
    return sink.getvalue()


def build_dataset(paths: ProjectPaths) -> CheckResult:
    """Validate data/ and, only if it has no errors, replace the generated files; return the check."""
    result = check_paths([paths.data])
    if result.errors:
        return result
    data, schemas = build_outputs(result.therapies, project_version(paths.root))
    _replace_folders({paths.package_data: data, paths.schemas: schemas})
    return result


def _class_counts(therapies: Sequence[Therapy]) -> dict[str, int]:
    counts = dict.fromkeys(MODELS, 0)
    for therapy in therapies:
        counts[therapy.therapy_class] += 1
    return counts


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _replace_folders(contents: Mapping[Path, Mapping[str, bytes]]) -> None:
    """Write every folder in full beside its target first, then swap each in by rename."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, files in contents.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            stage = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
            staged.append((stage, target))
            for name, content in files.items():
                (stage / name).write_bytes(content)
        for stage, target in staged:
            old = None
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
                target.rename(old / target.name)
            stage.rename(target)
            if old is not None:
                shutil.rmtree(old)
    finally:
        for stage, _ in staged:
            if stage.exists():
                shutil.rmtree(stage)
