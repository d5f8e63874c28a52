"""`immunoref new`: a template per class that validates once its TODOs are filled, and builds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO

from immunoref.build import ProjectPaths, build_dataset
from immunoref.cli import main
from immunoref.validation import validate_paths
from immunoref.vocabularies import THERAPY_CLASSES

#: What a curator would write for the template's TODOs, by field name.
FILLED = {
    "name": "newagent",
    "status": "approved",
    "brand_names": "[Newbrand]",
    "symbol": "CD19",
    "hgnc_id": "HGNC:1633",
    "uniprot_id": "P15391",
    "target_antigen": "CD19",
    "action": "binder",
    "disease": "unresectable or metastatic melanoma",
    "disease_id": "MONDO:0005105",
    "agency": "FDA",
    "approval_date": "2020-01-02",
    "approval_type": "regular",
    "term": "Diarrhea",
    "mesh_id": "MESH:D003967",
    "category": "gastrointestinal",
    "label_section": "adverse_reactions",
    "title": "NEWBRAND (newagent) prescribing information",
    "url": "https://example.org/newbrand.pdf",
    "supports": "every fact of this test record",
    "cell_type": "autologous T cells",
    "cytokine": "interleukin-2",
    "virus_family": "Herpesviridae",
}
TODO_LINE = re.compile(r"^(?P<lead>\s*(?:- )?)(?P<field>\w+): (?P<value>\[?TODO\]?)\s*(?:# (?P<comment>.*))?$")


def fill(template: str) -> str:
    """Replace each TODO the way a curator would: the value above, or the first allowed one."""
    lines = []
    for line in template.splitlines():
        match = TODO_LINE.match(line)
        if match:
            field, comment = match["field"], match["comment"] or ""
            allowed = re.match(r"(?:one|list) of ([^.]+?)(?:\.|$)", comment)
            value = FILLED.get(field) or (allowed[1].split(", ")[0] if allowed else "text")
            if match["value"].startswith("[") and not value.startswith("["):
                value = f"[{value}]"
            lines.append(f"{match['lead']}{field}: {value}")
        else:
            lines.append(line.replace("TODO two or three plain sentences", "Two or three plain sentences"))
    return "\n".join(lines) + "\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project: pyproject.toml and an empty data folder."""
    shutil.copy2(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "data").mkdir()
    return tmp_path


@pytest.mark.parametrize("therapy_class", THERAPY_CLASSES)
def test_template_reports_only_its_todos_then_validates_and_builds(
    therapy_class: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = project / "data"
    assert main(["new", therapy_class, "newagent", "--data", str(data)]) == 0
    path = data / therapy_class / "newagent.yaml"
    assert capsys.readouterr().out.startswith(f"wrote {path}\n")
    issues = validate_paths([data])
    assert issues and {i.code for i in issues} == {"unfilled-template"}
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all("TODO" in " ".join(lines[i.line - 1 : i.line + 1]) for i in issues if i.line is not None)

    path.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert [i for i in validate_paths([data]) if i.severity == "error"] == []
    result = build_dataset(ProjectPaths(project))
    assert result.errors == [] and result.agents == 1
    assert (project / "immunoref" / "_data" / "agents.parquet").is_file()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["new", "CAR-T", "x"], "immunoref new: 'CAR-T' is not a therapy class; did you mean 'car_t'?"),
        (["new", "car_t", "My_Car"], "immunoref new: 'My_Car' is not a lowercase slug"),
    ],
)
def test_new_refuses_bad_arguments(
    argv: list[str], message: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--data", str(project / "data")]) == 2
    assert capsys.readouterr().err.startswith(message)
    assert list((project / "data").rglob("*.yaml")) == []


def test_new_never_overwrites(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = project / "data"
    main(["new", "car_t", "newagent", "--data", str(data)])
    (data / "car_t" / "newagent.yaml").write_text("curated: work\n", encoding="utf-8")
    assert main(["new", "vaccine", "newagent", "--data", str(data)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (data / "car_t" / "newagent.yaml").read_text(encoding="utf-8") == "curated: work\n"
