"""Checks of a release folder: every file against SHA256SUMS and datapackage.json, every table against its schema."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeAlias

from immunoref.bundle import DATAPACKAGE, SUMS, parse_sums, read_datapackage, sha256

ProblemKind: TypeAlias = Literal["altered", "missing", "added", "checksums", "schema", "unreadable"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a release: the file (path inside the release), what kind of problem, and details."""

    path: str
    kind: ProblemKind
    message: str


def verify_release(folder: Path) -> list[Problem]:
    """Every problem found in the release folder, sorted by file; an empty list means intact.

    Files are compared with SHA256SUMS (altered, missing, added) and with the sizes and hashes datapackage.json
    records, so an edit is caught even when SHA256SUMS was rewritten to match it; each Parquet file's schema and
    each CSV header must be the one datapackage.json describes.
    """
    on_disk = {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*")) if path.is_file()}
    try:
        descriptor: Mapping[str, Any] | None = read_datapackage(folder)
    except ValueError as error:
        descriptor, unreadable = None, Problem(DATAPACKAGE, "unreadable", str(error))
    problems = list(_check_sums(on_disk, _recorded_hashes(descriptor)))
    flagged = {p.path for p in problems if p.kind in ("altered", "missing")}
    if descriptor is None:
        return sorted(problems if DATAPACKAGE in flagged else [*problems, unreadable])
    for resource in descriptor.get("resources", []):
        problems += _check_resource(folder, resource, flagged)
    return sorted(set(problems))


def _recorded_hashes(descriptor: Mapping[str, Any] | None) -> dict[str, str]:
    """The hash datapackage.json records for each file it describes (CSV and Parquet)."""
    recorded = {}
    for resource in (descriptor or {}).get("resources", []):
        for entry in (resource, resource.get("parquet")):
            if isinstance(entry, Mapping) and isinstance(entry.get("path"), str):
                recorded[entry["path"]] = str(entry.get("hash"))
    return recorded


def _check_sums(on_disk: Mapping[str, Path], recorded: Mapping[str, str]) -> Iterator[Problem]:
    if SUMS not in on_disk:
        yield Problem(SUMS, "missing", "the checksum list is missing: no file can be checked against it")
        return
    try:
        sums, malformed = parse_sums(on_disk[SUMS].read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        yield Problem(SUMS, "altered", "the checksum list is not UTF-8 text")
        return
    for number in malformed:
        yield Problem(SUMS, "checksums", f"line {number} is not '<sha256>  <path>' for a file inside the release")
    for path, expected in sorted(sums.items()):
        if path not in on_disk:
            yield Problem(path, "missing", "listed in SHA256SUMS but not in the release")
            continue
        actual = sha256(on_disk[path].read_bytes())
        if actual == expected:
            continue
        if recorded.get(path) == f"sha256:{actual}":  # the file is as released; its line is not
            yield Problem(SUMS, "altered", f"its checksum of {path} is wrong, and the file matches datapackage.json")
        else:
            yield Problem(path, "altered", "its SHA-256 differs from the one in SHA256SUMS")
    for path in on_disk:
        if path != SUMS and path not in sums:
            yield Problem(path, "added", "not listed in SHA256SUMS")


def _check_resource(folder: Path, resource: Mapping[str, Any], flagged: set[str]) -> Iterator[Problem]:
    fields = resource.get("schema", {}).get("fields", [])
    described = [resource] + ([resource["parquet"]] if isinstance(resource.get("parquet"), Mapping) else [])
    for entry in described:
        path = str(entry.get("path", ""))
        file = folder / path
        if not path or not file.is_file():
            if path not in flagged:
                yield Problem(path or DATAPACKAGE, "missing", f"datapackage.json describes {path!r}; it is missing")
            continue
        content = file.read_bytes()
        if path not in flagged and (
            entry.get("hash") != f"sha256:{sha256(content)}" or entry.get("bytes") != len(content)
        ):
            yield Problem(path, "altered", "its size or SHA-256 differs from datapackage.json (SHA256SUMS was edited?)")
        if path.endswith(".parquet"):
            yield from _check_parquet(path, content, fields)
        elif path.endswith(".csv"):
            yield from _check_csv_header(path, content, fields)


def _check_parquet(path: str, content: bytes, fields: list[Mapping[str, Any]]) -> Iterator[Problem]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from immunoref.datapackage import arrow_type_name

    try:
        schema = pq.read_schema(pa.BufferReader(content))
    except (pa.ArrowException, OSError) as error:
        yield Problem(path, "unreadable", f"not a readable Parquet file: {error}")
        return
    expected = [str(f.get("name")) for f in fields]
    if schema.names != expected:
        yield Problem(path, "schema", f"columns {schema.names} differ from datapackage.json's {expected}")
        return
    for spec, arrow_field in zip(fields, schema, strict=True):
        actual = arrow_type_name(arrow_field.type)
        if spec.get("parquetType") != actual:
            said = spec.get("parquetType")
            yield Problem(path, "schema", f"{arrow_field.name} is {actual}, datapackage.json says {said}")
        required = bool(spec.get("constraints", {}).get("required", False))
        if required == arrow_field.nullable:
            yield Problem(path, "schema", f"{arrow_field.name} nullability differs from datapackage.json")


def _check_csv_header(path: str, content: bytes, fields: list[Mapping[str, Any]]) -> Iterator[Problem]:
    try:
        header = next(csv.reader(io.StringIO(content.decode("utf-8"), newline="")), [])
    except (UnicodeDecodeError, csv.Error) as error:
        yield Problem(path, "unreadable", f"not a UTF-8 CSV file: {error}")
        return
    expected = [str(f.get("name")) for f in fields]
    if header != expected:
        yield Problem(path, "schema", f"header {header} differs from datapackage.json's {expected}")
