"""Command line: exit codes, message text, output formats; no traceback for bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, MINIMAL_RECORD, REPO, RecordWriter
from test_sources import BAD_FILES

from immunoref.cli import main
from immunoref.sources import MAX_BYTES
from immunoref.vocabularies import THERAPY_CLASSES


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "immunoref", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_info_prints_counts_per_table_and_class(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("immunoref ")
    for word in ("agents", "targets", "indications", "toxicities", "references", *THERAPY_CLASSES):
        assert f"  {word} " in out


def test_show_prints_a_card(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "pembrolizumab"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("pembrolizumab (pembrolizumab)\n")
    for text in ("Keytruda", "PDCD1", "HGNC:8760", "indications (", "toxicities (", "references ("):
        assert text in out


def test_show_unknown_agent_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "ipilimumub"]) == 2
    assert "did you mean 'ipilimumab'" in capsys.readouterr().err


def test_validate_the_repository_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DATA)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("0 errors")


def test_validate_reports_file_line_column_field_and_code(
    write_record: RecordWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_record(MINIMAL_RECORD.replace("therapy_class: checkpoint_inhibitor", "therapy_class: CAR-T"))
    assert main(["validate", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{path}:3:16: therapy_class: 'CAR-T' is not a therapy class [unknown-therapy-class]"
    assert lines[1].startswith("  hint: did you mean 'car_t'? Allowed: adoptive_cell_therapy, car_t, checkpoint")
    assert lines[-1] == "1 error, 0 warnings"


def test_validate_json_and_github_formats(write_record: RecordWriter, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_record(MINIMAL_RECORD.replace("agency: FDA", "agency: FDAA"))
    assert main(["validate", "--format", "json", str(path)]) == 1
    issues = json.loads(capsys.readouterr().out)
    assert [(i["code"], i["field"], i["line"]) for i in issues] == [("invalid-value", "indications[0].agency", 25)]
    assert main(["validate", "--format", "github", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"::error file={path},line=25,col=13,title=invalid-value::indications[0].agency: 'FDAA'")


def test_strict_fails_on_warnings(write_record: RecordWriter) -> None:
    path = write_record(MINIMAL_RECORD.replace("approval_date: 2011-03-25", "approval_date: null"))
    assert main(["validate", str(path)]) == 0
    assert main(["validate", "--strict", str(path)]) == 1


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "absent")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2


def test_build_outside_a_project_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--root", str(tmp_path)]) == 2
    assert "not an immunoref project" in capsys.readouterr().err


def test_build_with_bad_data_exits_1_and_writes_nothing(project_copy: Path) -> None:
    record = project_copy / "data" / "car_t" / "tisagenlecleucel.yaml"
    record.write_text(record.read_text(encoding="utf-8") + "\nextra_field: 1\n", encoding="utf-8")
    result = run("build", "--root", str(project_copy))
    assert result.returncode == 1
    assert "extra_field: 'extra_field' is not a field here [unknown-field]" in result.stderr
    assert "nothing written" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project_copy / "immunoref").exists()


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00binary",
        b"a: [unclosed\n",
        b"a: &x 1\nb: *x\n",
        b"- 1\n",
        b"x: 2011-02-30\n",
        b"agent_id: x\nagent_id: y\n",
    ],
    ids=["binary", "syntax", "alias", "list", "impossible-date", "duplicate-key"],
)
def test_corrupted_files_never_give_a_traceback(content: bytes, write_record: RecordWriter) -> None:
    path = write_record(content)
    result = run("validate", str(path))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{path}:")
    assert "Traceback" not in result.stdout + result.stderr


def test_corrupted_copy_of_data_lists_every_problem(project_copy: Path) -> None:
    """The acceptance check: corrupt a copy of data/ in several places, get file:line:field for each."""
    ipilimumab = project_copy / "data" / "checkpoint_inhibitor" / "ipilimumab.yaml"
    text = ipilimumab.read_text(encoding="utf-8")
    text = (
        text.replace("HGNC:2505", "HGNC:2506", 1)
        .replace("agency: FDA", "agency: Fda", 1)
        .replace("isotype: IgG1", "isotype: IgG1\nisotpe: IgG1", 1)
    )
    ipilimumab.write_text(text, encoding="utf-8")
    result = run("validate", str(project_copy / "data"))
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith(str(ipilimumab))]
    assert any("isotpe: 'isotpe' is not a field here [unknown-field]" in line for line in errors)
    assert any("indications[0].agency: 'Fda' is not allowed [invalid-value]" in line for line in errors)
    assert any("targets[0].hgnc_id: 'HGNC:2506' is not a known HGNC ID [unknown-hgnc-id]" in line for line in errors)
    assert result.stdout.splitlines()[-1].startswith("3 errors")


@pytest.mark.parametrize("agent_id", [p.stem for p in sorted(DATA.rglob("*.yaml"))])
def test_show_works_for_every_agent(agent_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", agent_id]) == 0
    assert f"({agent_id})" in capsys.readouterr().out.splitlines()[0]


#: Every kind of bad input the contributors' issue names, as the bytes of one record file.
BAD_INPUTS: dict[str, bytes] = {
    **{name: c if isinstance(c, bytes) else c.encode("utf-8") for name, (c, _, _) in BAD_FILES.items()},
    "oversized": (MINIMAL_RECORD + "# padding\n" * (MAX_BYTES // 10 + 1)).encode("utf-8"),
    "unknown-field": (MINIMAL_RECORD + "isotpye: IgG1\n").encode("utf-8"),
    "wrong-type": MINIMAL_RECORD.replace("brand_names: [Testvoy]", "brand_names: 12").encode("utf-8"),
}


@pytest.mark.parametrize("name", [*BAD_INPUTS, "symlink-escape"])
def test_bad_input_to_build_names_the_file_and_writes_nothing(name: str, tmp_path: Path) -> None:
    """Through the real command line: exit 1, the file named, no traceback, the previous outputs untouched."""
    root = tmp_path / "project"
    (root / "data" / "checkpoint_inhibitor").mkdir(parents=True)
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    good = root / "data" / "checkpoint_inhibitor" / "testumab.yaml"
    good.write_text(MINIMAL_RECORD, encoding="utf-8")
    assert main(["build", "--root", str(root)]) == 0
    before = {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and "data" not in p.parts}

    bad = root / "data" / "checkpoint_inhibitor" / "badumab.yaml"
    if name == "symlink-escape":
        outside = tmp_path / "outside.yaml"
        outside.write_text(MINIMAL_RECORD.replace("testumab", "badumab"), encoding="utf-8")
        bad.symlink_to(outside)
    else:
        bad.write_bytes(BAD_INPUTS[name])
    result = run("build", "--root", str(root))
    assert result.returncode == 1
    assert str(bad) in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    after = {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and "data" not in p.parts}
    assert after == before


def test_validate_reference_folder_must_hold_readable_vocabularies(
    tmp_path: Path, write_record: RecordWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_record()
    folder = tmp_path / "reference"
    folder.mkdir()
    assert main(["validate", "--reference", str(folder), str(path)]) == 2
    assert "lacks hgnc_entries.tsv.gz, mondo.json.gz" in capsys.readouterr().err
    for name in ("hgnc_entries.tsv.gz", "mondo.json.gz", "mesh_id_label_mappings.tsv.gz", "drugbank_mappings.tsv.gz"):
        (folder / name).write_bytes(b"not gzip")
    assert main(["validate", "--reference", str(folder), str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"immunoref validate: cannot read the vocabularies in {folder}")


def test_runs_from_a_folder_that_holds_an_immunoref_folder(write_record: RecordWriter, tmp_path: Path) -> None:
    """A data project after its first build has an immunoref/ folder; run from there, the command must still
    find the package's own vocabularies (importlib.resources resolved them into that folder once)."""
    record = write_record()
    (tmp_path / "immunoref" / "_data").mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, "-m", "immunoref", "validate", str(record)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "0 errors, 0 warnings", "")
