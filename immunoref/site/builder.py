"""build_site(): write the catalogue of one release into a folder, whole or not at all.

The site is rendered into a temporary folder beside the output and renamed into place, so a reader
never sees half a site and a failed build leaves the previous one untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from immunoref._paths import PACKAGE
from immunoref.site.catalogue import CatalogueError, read_catalogue
from immunoref.site.release import Release, read_release

#: File that marks a folder as a site immunoref wrote, so a rebuild may replace it.
MARKER = ".immunoref-site"

__all__ = ["MARKER", "CatalogueError", "SiteError", "SiteResult", "build_site"]


class SiteError(Exception):
    """The output folder or the release folder cannot be used (a usage error, not bad data)."""


@dataclass(frozen=True)
class SiteResult:
    """What a build wrote."""

    out: Path
    pages: int
    files: int
    release: Release


def build_site(out: Path, release: Path | None = None) -> SiteResult:
    """Write the catalogue of the packaged data (or of a release folder) into out.

    out must be missing, empty, or a site written before (which is replaced); SiteError otherwise.
    CatalogueError when the release's tables cannot be shown; ImportError when Jinja2 is missing.
    """
    from immunoref.site.render import environment, pages

    environment()  # fail on a missing Jinja2 before reading anything
    out = Path(out)
    check_output(out)
    if release is not None:
        release = check_release(Path(release))
    catalogue = read_catalogue(release, _disease_names())
    identity = read_release(release)

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        os.chmod(staging, 0o755)  # mkdtemp's 0700 would hide a hosted site from the web server
        count = 0
        for path, html in pages(catalogue, identity):
            _write(staging / path, html.encode("utf-8"))
            count += 1
        static = PACKAGE / "site" / "static"
        for entry in sorted(static.iterdir(), key=lambda e: e.name):
            if entry.is_file():
                _write(staging / "static" / entry.name, entry.read_bytes())
        for download in identity.files:
            _write(staging / "downloads" / download.path, download.source.read_bytes())
        _write(staging / MARKER, f"immunoref site\ndataset_version: {identity.dataset_version}\n".encode())
        written = sum(1 for p in staging.rglob("*") if p.is_file())
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return SiteResult(out, count, written, identity)


def check_output(out: Path) -> None:
    """Refuse an output that is a file, or a non-empty folder that is not a site immunoref wrote."""
    if out.exists() and not out.is_dir():
        raise SiteError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SiteError(f"{out} is not empty and is not an immunoref site; choose a new or empty folder")


def check_release(folder: Path) -> Path:
    """The release folder, resolved; SiteError unless it holds agents.parquet (at its top or under data/)."""
    if not folder.is_dir():
        raise SiteError(f"no release folder {folder}")
    if not (folder / "agents.parquet").is_file() and not (folder / "data" / "agents.parquet").is_file():
        raise SiteError(f"{folder} is not an immunoref release folder (no agents.parquet in it or in data/)")
    return folder.resolve()


def _disease_names() -> dict[str, str]:
    """MONDO labels of the vendored vocabulary, to title the disease pages."""
    from immunoref.grounding import load_vocabularies

    return {mondo_id: row["name"] for mondo_id, row in load_vocabularies().mondo.items() if row.get("name")}


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _replace(staging: Path, out: Path) -> None:
    """Move the new site into place; a previous one is moved aside first and removed after."""
    if not out.exists():
        staging.rename(out)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    aside.rmdir()
    out.rename(aside)
    try:
        staging.rename(out)
    except OSError:
        aside.rename(out)
        raise
    shutil.rmtree(aside, ignore_errors=True)
