"""Shared fixtures: the repository's paths and a minimal valid record to break in tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
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
