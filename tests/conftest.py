"""Shared fixtures: the repository's paths, a minimal valid record to break in tests, and releases to read."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
REFERENCE = REPO.parent / "shared" / "reference"

#: A small valid record; every identifier in it is in the vendored vocabularies.
MINIMAL_RECORD = """\
agent_id: testumab
name: testumab
therapy_class: checkpoint_inhibitor
subclass: anti_ctla4
status: approved
brand_names: [Testvoy]
drugbank_id: DB06186
chembl_id: CHEMBL1789844
mechanism: >-
  A made-up antibody used by the tests; it blocks CTLA-4 so that T cells stay active.
reference_ids: [testumab-label]
checkpoints: [CTLA-4]
isotype: IgG1
origin: human
targets:
  - symbol: CTLA4
    hgnc_id: HGNC:2505
    uniprot_id: P16410
    target_type: protein
    action: blocker
    reference_ids: [testumab-label]
indications:
  - disease: unresectable or metastatic melanoma
    disease_id: MONDO:0005105
    agency: FDA
    approval_date: 2011-03-25
    approval_type: regular
    setting: unresectable_or_metastatic
    population: adults
    pivotal_trial: TEST-001
    combination_with: [carboplatin]
    reference_ids: [testumab-label]
toxicities:
  - term: Immune-mediated diarrhea
    mesh_id: MESH:D003967
    category: immune_mediated
    label_section: warnings_and_precautions
    incidence_pct: 32
    incidence_grade3plus_pct: 5
    reference_ids: [testumab-label]
references:
  - reference_id: testumab-label
    kind: label
    title: TESTVOY (testumab) prescribing information
    url: https://example.org/testvoy.pdf
    accessed: 2026-01-02
    supports: everything in this test record
"""

RecordWriter = Callable[..., Path]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data folder laid out like the real one."""
    folder = tmp_path / "data"
    (folder / "checkpoint_inhibitor").mkdir(parents=True)
    return folder


@pytest.fixture
def write_record(data_dir: Path) -> RecordWriter:
    """Write record text as data/<folder>/<name>.yaml and return its path."""

    def write(text: str | bytes = MINIMAL_RECORD, name: str = "testumab", folder: str = "checkpoint_inhibitor") -> Path:
        path = data_dir / folder / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the project's data/ and pyproject.toml, to build or corrupt without touching the repo."""
    root = tmp_path / "project"
    shutil.copytree(DATA, root / "data")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def copy_project(source: Path, target: Path, *, releases: bool = True) -> Path:
    """A copy of a project folder (data/, pyproject.toml, built outputs and, if releases, its dist/)."""
    shutil.copytree(source, target, ignore=None if releases else shutil.ignore_patterns("dist"))
    return target


def set_version(root: Path, version: str) -> None:
    """Set the package version in the project's pyproject.toml."""
    from immunoref.build import project_version

    pyproject = root / "pyproject.toml"
    old = project_version(root)
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace(f'version = "{old}"', f'version = "{version}"', 1),
        encoding="utf-8",
    )


def build_project(root: Path) -> None:
    """Build the project's outputs, as `immunoref build` does; the data must be valid."""
    from immunoref.build import ProjectPaths, build_dataset

    result = build_dataset(ProjectPaths(root))
    assert result.errors == [], result.errors


@pytest.fixture(scope="session")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built copy of the project whose dist/ holds its first release (the pyproject version). Shared: read only."""
    from immunoref.build import project_version
    from immunoref.release import make_release

    root = tmp_path_factory.mktemp("released") / "project"
    shutil.copytree(DATA, root / "data")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    build_project(root)
    make_release(root, project_version(root), root / "dist")
    return root


@dataclass(frozen=True)
class Edits:
    """What second_release changed in the data of the first release."""

    agent_id: str  # the agent edited
    disease_id: str  # its indication whose date moved
    old_date: dt.date
    new_date: dt.date
    removed_term: str  # its toxicity removed (with its label_section)
    removed_section: str
    added_agent: str  # a new agent (MINIMAL_RECORD)


@pytest.fixture(scope="session")
def second_release(released: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Edits]:
    """A copy of `released` whose data got one indication date moved, one toxicity removed and one agent added,
    released as the next minor version beside the first. Shared: read only."""
    import yaml

    from immunoref.build import project_version
    from immunoref.release import make_release
    from immunoref.semver import Version

    root = copy_project(released, tmp_path_factory.mktemp("second") / "project")
    path, record = next(
        (path, record)
        for path in sorted((root / "data").rglob("*.yaml"))
        if (record := yaml.safe_load(path.read_text(encoding="utf-8")))
        and any(i.get("approval_date") for i in record.get("indications", []))
        and record.get("toxicities")
    )
    indication = next(i for i in record["indications"] if i.get("approval_date"))
    old_date = indication["approval_date"]
    indication["approval_date"] = old_date + dt.timedelta(days=1)  # later, so no originator product comes after it
    toxicity = record["toxicities"].pop(0)
    path.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    (root / "data" / "checkpoint_inhibitor" / "testumab.yaml").write_text(MINIMAL_RECORD, encoding="utf-8")
    set_version(root, str(Version.parse(project_version(root)).next_versions()["minor"]))
    build_project(root)
    make_release(root, project_version(root), root / "dist")
    edits = Edits(
        record["agent_id"],
        indication["disease_id"],
        old_date,
        indication["approval_date"],
        toxicity["term"],
        toxicity["label_section"],
        "testumab",
    )
    return root, edits
