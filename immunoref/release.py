"""`immunoref release`: a versioned, checksummed, documented bundle and its archive; reproducible, atomic, never
overwritten, and only at a version that follows the previous release as its changes require."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from immunoref.bundle import (
    ARCHIVE_SUFFIX,
    DATAPACKAGE,
    SUMS,
    csv_name,
    find_releases,
    parquet_name,
    release_name,
    sha256,
    sums_bytes,
    taken_versions,
)
from immunoref.semver import Bump, Version, at_least

if TYPE_CHECKING:
    import pyarrow as pa

    from immunoref.bundle_diff import ReleaseDiff, Snapshot
    from immunoref.validation import Issue

#: Packages whose versions decide the bytes of a release; the bundle records them, constraints/release.txt pins them.
WRITER_PACKAGES: tuple[str, ...] = ("pyarrow", "pydantic", "pydantic-core", "PyYAML")
#: Where the release environment is pinned, relative to the project root.
CONSTRAINTS = Path("constraints") / "release.txt"

_DIR_MODE, _FILE_MODE = 0o755, 0o644


class ReleaseError(Exception):
    """A refused release: the message says why and what would be accepted; nothing was written."""

    def __init__(self, message: str, *, usage: bool = False, issues: Sequence[Issue] = ()) -> None:
        super().__init__(message)
        self.usage = usage
        self.issues = list(issues)


@dataclass(frozen=True)
class Release:
    """A release written to disk: its folder and archive, what changed, and the bump it was released with."""

    version: str
    folder: Path
    archive: Path
    archive_sha256: str
    files: int
    diff: ReleaseDiff
    bump: Bump | None
    warnings: list[Issue] = field(default_factory=list)


def make_release(root: Path, version: str, out: Path) -> Release:
    """Check everything, then write out/immunoref-VERSION/ and out/immunoref-VERSION.tar.gz; ReleaseError if refused.

    Refused, with nothing written, when VERSION is malformed, differs from pyproject.toml, already exists, does not
    directly follow the latest release in out, or bumps less than the changes need; when data/ has errors; when
    the committed immunoref/_data or schemas/ are not what data/ builds; or when the previous release is damaged.
    """
    from immunoref.build import ProjectPaths, build_outputs, project_version
    from immunoref.bundle_diff import diff_releases, read_snapshot
    from immunoref.validation import check_paths
    from immunoref.verify import verify_release

    paths = ProjectPaths(root)
    if not paths.data.is_dir() or not (root / "pyproject.toml").is_file():
        raise ReleaseError(f"{root.resolve()} is not an immunoref project (needs data/ and pyproject.toml)", usage=True)
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"{out} is a file; --out must be a folder", usage=True)
    try:
        new = Version.parse(version)
    except ValueError as error:
        raise ReleaseError(str(error), usage=True) from None
    declared = project_version(root)
    if declared != version:
        raise ReleaseError(
            f"version {version} is not the package version {declared} in pyproject.toml (they must be equal); "
            f'set version = "{version}" there, run `immunoref build`, commit, then release'
        )
    latest, previous, bump = _previous_release(out, new)
    unpinned = unpinned_packages(root / CONSTRAINTS)
    if unpinned:
        raise ReleaseError(
            f"this environment differs from {CONSTRAINTS.as_posix()} ({', '.join(unpinned)}), so the release would "
            f'not be reproducible: pip install -c {CONSTRAINTS.as_posix()} -e ".[dev]"'
        )

    result = check_paths([paths.data])
    if result.errors:
        raise ReleaseError(f"{paths.data} has {len(result.errors)} error(s); fix them first", issues=result.errors)
    package_files, schema_files = build_outputs(result.therapies, version)
    stale = _stale_files(paths.package_data, package_files) + _stale_files(paths.schemas, schema_files)
    if stale:
        raise ReleaseError(
            f"the committed outputs are not what data/ builds ({', '.join(stale)}): run `immunoref build` and commit"
            + _writer_hint(paths.package_data)
        )
    if previous is not None:
        problems = verify_release(previous)
        if problems:
            first = problems[0]
            raise ReleaseError(
                f"the previous release {previous} fails `immunoref verify` ({first.path}: {first.kind}, "
                f"{len(problems)} problem(s)); restore it before releasing a new version"
            )

    files, snapshot = bundle_files(version, package_files, schema_files)
    diff = diff_releases(read_snapshot(previous) if previous is not None else None, snapshot)
    needed, reason = diff.needed_bump()
    if latest is not None and bump is not None and not at_least(bump, needed):
        raise ReleaseError(
            f"{version} is a {bump} release but the changes need at least a {needed} one: {reason}; "
            f"release {latest.next_versions()[needed]} instead (and set it in pyproject.toml)"
        )
    from immunoref.bundle_diff import render_markdown
    from immunoref.documents import render_citation, render_datasheet

    moment = release_datetime(snapshot.rows)
    released = moment.date()
    files["CHANGELOG.md"] = render_markdown(diff).encode("utf-8")
    files["DATASHEET.md"] = render_datasheet(version, released, snapshot.rows).encode("utf-8")
    files["CITATION.cff"] = render_citation(version, released).encode("utf-8")
    files[SUMS] = sums_bytes(files)
    name = release_name(version)
    archive = archive_bytes(name, files, int(moment.timestamp()))
    folder, archive_path = write_release(out, name, files, archive)
    warnings = [issue for issue in result.issues if issue.severity == "warning"]
    return Release(version, folder, archive_path, sha256(archive), len(files), diff, bump, warnings)


def _previous_release(out: Path, new: Version) -> tuple[Version | None, Path | None, Bump | None]:
    """The latest release in out, its folder, and the bump from it to new; ReleaseError when new may not follow."""
    taken = taken_versions(out)
    if new in taken:
        raise ReleaseError(
            f"{release_name(new)} already exists in {out}; a release is never overwritten, release a new version"
        )
    if not taken:
        return None, None, None
    latest = max(taken)
    folders = find_releases(out)
    if latest not in folders:
        raise ReleaseError(
            f"{out / release_name(latest)} is incomplete (no folder with a {DATAPACKAGE}); "
            "restore it from its archive before releasing"
        )
    bump = latest.bump_to(new)
    if bump is None:
        allowed = ", ".join(f"{v} ({kind})" for kind, v in latest.next_versions().items())
        raise ReleaseError(f"{new} does not follow the latest release {latest}; the next version is one of {allowed}")
    return latest, folders[latest], bump


def _stale_files(folder: Path, expected: Mapping[str, bytes]) -> list[str]:
    present = {path.name for path in folder.iterdir() if path.is_file()} if folder.is_dir() else set()
    stale = [f"{folder.name}/{name}" for name in sorted(present - set(expected))]
    for name, content in sorted(expected.items()):
        path = folder / name
        if not path.is_file() or path.read_bytes() != content:
            stale.append(f"{folder.name}/{name}")
    return stale


def _writer_hint(package_data: Path) -> str:
    """Why bytes may differ when data/ did not change: the committed files were written by other library versions."""
    try:
        written = json.loads((package_data / "manifest.json").read_text(encoding="utf-8"))["writer"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    here = writer_versions()
    differ = [f"{name} {written[name]} (here {here[name]})" for name in written if here.get(name) != written[name]]
    if not differ:
        return ""
    return (
        f"; they were written by {', '.join(differ)}: install the pinned versions with "
        f"`pip install -c {CONSTRAINTS.as_posix()} -e .` rather than rebuilding with others"
    )


def unpinned_packages(constraints: Path) -> list[str]:
    """Packages pinned (name==version) in the constraints file whose installed version differs; [] without a file."""
    if not constraints.is_file():
        return []
    differ = []
    for line in constraints.read_text(encoding="utf-8").splitlines():
        name, _, pinned = line.split("#", 1)[0].strip().partition("==")
        if not pinned:
            continue
        try:
            here = installed_version(name.strip())
        except PackageNotFoundError:
            here = "not installed"
        if here != pinned.strip():
            differ.append(f"{name.strip()} {here}, pinned {pinned.strip()}")
    return differ


def writer_versions() -> dict[str, str]:
    """The installed versions of the packages that decide the bytes of a release."""
    versions = {}
    for name in WRITER_PACKAGES:
        try:
            versions[name] = installed_version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def release_datetime(rows: Mapping[str, list[dict[str, Any]]]) -> dt.datetime:
    """The one timestamp a release carries: SOURCE_DATE_EPOCH when set (reproducible-builds.org), else midnight UTC
    of the latest day a source was read, so that the same sources always give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise ReleaseError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds", usage=True) from None
    days = [row["accessed"] for row in rows.get("references", []) if isinstance(row.get("accessed"), dt.date)]
    day = max(days, default=dt.date(1980, 1, 1))
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def bundle_files(
    version: str, package_files: Mapping[str, bytes], schema_files: Mapping[str, bytes]
) -> tuple[dict[str, bytes], Snapshot]:
    """The data files of a release (Parquet, CSV, JSON Schemas, records, datapackage.json) and its snapshot."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from immunoref.bundle_diff import snapshot_of
    from immunoref.datapackage import build_datapackage
    from immunoref.export import csv_bytes
    from immunoref.tables import TABLES

    tables: dict[str, pa.Table] = {
        table: pq.read_table(pa.BufferReader(package_files[f"{table}.parquet"])) for table in TABLES
    }
    files: dict[str, bytes] = {}
    for table in TABLES:
        files[parquet_name(table)] = package_files[f"{table}.parquet"]
        files[csv_name(table)] = csv_bytes(tables[table])
    files["data/therapies.json"] = package_files["therapies.json"]
    for name, content in schema_files.items():
        files[f"schemas/{name}"] = content
    rows = {table: tables[table].to_pylist() for table in TABLES}
    created = release_datetime(rows).strftime("%Y-%m-%dT%H:%M:%SZ")
    counts = {table: tables[table].num_rows for table in TABLES}
    descriptor = build_datapackage(version, created, files, counts, writer_versions())
    files[DATAPACKAGE] = (json.dumps(descriptor, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    return files, snapshot_of(version, descriptor, tables)


def archive_bytes(name: str, files: Mapping[str, bytes], mtime: int) -> bytes:
    """A .tar.gz of files under the folder name: entries sorted, one mtime, owner root with empty names, fixed
    modes, gzip header without name or time; the same files give the same bytes on any machine."""
    entries: dict[str, bytes | None] = {name: None}
    for path, content in files.items():
        parts = path.split("/")
        for depth in range(1, len(parts)):
            entries[f"{name}/{'/'.join(parts[:depth])}"] = None
        entries[f"{name}/{path}"] = content
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for entry in sorted(entries):
            content = entries[entry]
            info = tarfile.TarInfo(entry)
            info.mtime, info.uid, info.gid, info.uname, info.gname = mtime, 0, 0, "", ""
            if content is None:
                info.type, info.mode = tarfile.DIRTYPE, _DIR_MODE
                tar.addfile(info)
            else:
                info.size, info.mode = len(content), _FILE_MODE
                tar.addfile(info, io.BytesIO(content))
    compressed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, compresslevel=9, mtime=0) as stream:
        stream.write(raw.getvalue())
    return compressed.getvalue()


def write_release(out: Path, name: str, files: Mapping[str, bytes], archive: bytes) -> tuple[Path, Path]:
    """Write the folder and the archive in a hidden staging folder inside out, then rename both into place.

    Any failure (or interruption) removes the staging folder and whatever was already moved, so out holds the
    whole release or none of it; an existing folder or archive is never replaced.
    """
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    folder, archive_path = out / name, out / f"{name}{ARCHIVE_SUFFIX}"
    stage = Path(tempfile.mkdtemp(prefix=f".{name}-partial-", dir=out))
    placed: list[Path] = []
    try:
        for path, content in sorted(files.items()):
            target = stage / name / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (stage / archive_path.name).write_bytes(archive)
        for staged, final in ((stage / archive_path.name, archive_path), (stage / name, folder)):
            if final.exists():
                raise ReleaseError(f"{final} appeared while releasing; a release is never overwritten")
            staged.rename(final)
            placed.append(final)
    except BaseException:
        for final in placed:
            if final.is_dir():
                shutil.rmtree(final, ignore_errors=True)
            else:
                final.unlink(missing_ok=True)
        shutil.rmtree(stage, ignore_errors=True)
        if created:
            with contextlib.suppress(OSError):  # made for this release: remove it if it is still empty
                out.rmdir()
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return folder, archive_path
