"""scripts/audit_sample.py: the audit sample is reproducible and leads the auditor to the right rows."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "audit_sample.py"


def _module():
    spec = importlib.util.spec_from_file_location("audit_sample", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_same_seed_same_rows_and_other_seed_other_rows():
    audit = _module()
    first = audit.audit_rows(seed=7, size=20, undated_agency=None)
    assert first == audit.audit_rows(seed=7, size=20, undated_agency=None)
    assert first != audit.audit_rows(seed=8, size=20, undated_agency=None)
    assert len(first) == 20
    assert all(row["approval_date"] for row in first)
    assert len({(row["agent_id"], row["indication_index"]) for row in first}) == 20


def test_each_row_points_at_its_record_and_carries_its_references():
    audit = _module()
    for row in audit.audit_rows(seed=1, size=15, undated_agency=None):
        (path,) = ROOT.glob(f"data/*/{row['agent_id']}.yaml")
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        written = record["indications"][row["indication_index"]]
        assert written["disease"] == row["disease"]
        assert written["approval_date"] == row["approval_date"]  # both datetime.date
        assert [ref["reference_id"] for ref in row["references"]] == written["reference_ids"]
        urls = {ref["reference_id"]: ref["url"] for ref in record["references"]}
        assert all(ref["url"] == urls[ref["reference_id"]] for ref in row["references"])


def test_undated_lists_every_row_of_the_agency_without_a_day():
    audit = _module()
    rows = audit.audit_rows(seed=None, size=None, undated_agency="EMA")
    assert rows and all(row["agency"] == "EMA" and row["approval_date"] is None for row in rows)
    dated_or_other = audit.audit_rows(seed=0, size=10_000, undated_agency=None)
    assert not {(r["agent_id"], r["indication_index"]) for r in rows} & {
        (r["agent_id"], r["indication_index"]) for r in dated_or_other
    }


def test_command_line_writes_json():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--seed", "3", "--size", "2"], capture_output=True, text=True, check=True
    )
    rows = json.loads(result.stdout)
    assert [row["agent_id"] for row in rows] == [
        row["agent_id"] for row in _module().audit_rows(seed=3, size=2, undated_agency=None)
    ]


def test_toxicity_rows_point_at_their_record():
    audit = _module()
    rows = audit.audit_rows(seed=5, size=12, undated_agency=None, table="toxicities")
    assert len(rows) == 12
    for row in rows:
        (path,) = ROOT.glob(f"data/*/{row['agent_id']}.yaml")
        written = yaml.safe_load(path.read_text(encoding="utf-8"))["toxicities"][row["toxicity_index"]]
        assert (written["term"], written["boxed_warning"], written["incidence_pct"]) == (
            row["term"],
            row["boxed_warning"],
            row["incidence_pct"],
        )
        assert [ref["reference_id"] for ref in row["references"]] == written["reference_ids"]


def test_bad_arguments_are_usage_errors_not_tracebacks():
    for arguments, message in [
        (["--size", "-3"], "argument --size: expected a whole number above 0, got '-3'"),
        (["--table", "toxicities", "--undated", "FDA"], "--undated applies to --table indications"),
    ]:
        result = subprocess.run([sys.executable, str(SCRIPT), *arguments], check=False, capture_output=True, text=True)
        assert result.returncode == 2
        assert message in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""


def test_agent_rows_carry_only_filled_class_facts_and_their_targets():
    audit = _module()
    rows = audit.audit_rows(seed=2, size=104, undated_agency=None, table="agents")
    assert sorted(row["agent_id"] for row in rows) == sorted(p.stem for p in ROOT.glob("data/*/*.yaml"))
    for row in rows:
        (path,) = ROOT.glob(f"data/*/{row['agent_id']}.yaml")
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert None not in row.values()
        for field in set(audit.AGENT_FIELDS) & set(record):
            if record[field] is None:
                assert field not in row
            else:
                assert row[field] == record[field]
        assert [target.get("symbol") for target in row["targets"]] == [
            target.get("symbol") for target in record["targets"]
        ]
        assert [ref["reference_id"] for ref in row["references"]] == record["reference_ids"]
    assert audit.audit_rows(seed=2, size=5, undated_agency=None, table="agents") != audit.audit_rows(
        seed=3, size=5, undated_agency=None, table="agents"
    )
