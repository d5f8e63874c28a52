"""Maintainer script: draw a reproducible sample of approval or toxicity rows for an evidence audit.

An auditor re-reads each sampled row's cited pages and records, per field, whether a
source confirms, contradicts or does not state it (docs/audits.md). The sample is
drawn from the shipped tables with a fixed seed, so anyone can redraw the same rows
and check the audit; each row carries its cited references with their URLs, so the
auditor needs nothing but this file and the pages.

    python scripts/audit_sample.py --seed 20261123 --size 80 > sample.json
    python scripts/audit_sample.py --undated FDA > gaps.json    # rows with no approval day
    python scripts/audit_sample.py --table toxicities --seed 7 --size 60 > toxicities.json
    python scripts/audit_sample.py --table agents --size 104 > agents.json       # class facts and targets
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from typing import Any

import immunoref
from immunoref.tables import COLUMNS

#: The columns an auditor checks in each table it can sample; the rest of a row is context.
TOXICITY_FIELDS = (
    "agent_id",
    "term",
    "mesh_id",
    "category",
    "boxed_warning",
    "label_section",
    "incidence_pct",
    "incidence_grade3plus_pct",
    "note",
)
INDICATION_FIELDS = (
    "agent_id",
    "disease",
    "disease_id",
    "agency",
    "approval_date",
    "approval_type",
    "line_of_therapy",
    "setting",
    "biomarker",
    "combination_with",
    "population",
    "pivotal_trial",
    "status",
    "withdrawn_date",
    "note",
)
#: Agent columns that are not facts about what the agent is (prose, names, cross-references); every other
#: column of the agents table, including any class field added later, is sampled, but only where a record fills it.
AGENT_CONTEXT = ("mechanism", "brand_names", "synonyms", "drugbank_id", "chembl_id", "reference_ids")
AGENT_FIELDS = tuple(column.name for column in COLUMNS["agents"] if column.name not in AGENT_CONTEXT)
TARGET_FIELDS = ("symbol", "hgnc_id", "uniprot_id", "name", "target_type", "action", "note")


def audit_rows(
    seed: int | None, size: int | None, undated_agency: str | None, table: str = "indications"
) -> list[dict[str, Any]]:
    """Rows sampled with `seed` (dated ones, for indications), or every undated indication of
    `undated_agency`, each with its references.

    `<table>_index` (`indication_index`, `toxicity_index`) is the row's position in its record's list, which
    is how a curator finds it in data/. Rows come as plain Python values (engine="pyarrow"), so they need
    no conversion to be written as JSON.
    """
    rows = immunoref.load(table, engine="pyarrow").to_pylist()
    references = {ref["reference_id"]: ref for ref in immunoref.load("references", engine="pyarrow").to_pylist()}
    if table == "agents":
        return _agent_rows(rows, references, seed, size)
    fields, index_name = (
        (INDICATION_FIELDS, "indication_index") if table == "indications" else (TOXICITY_FIELDS, "toxicity_index")
    )
    seen: Counter[str] = Counter()
    for row in rows:  # rows are in record order, so the count so far is the row's place in its record
        row[index_name] = seen[row["agent_id"]]
        seen[row["agent_id"]] += 1
    if undated_agency is not None:
        positions = [
            i for i, row in enumerate(rows) if row["approval_date"] is None and row["agency"] == undated_agency
        ]
    else:
        pool = [i for i, row in enumerate(rows) if table != "indications" or row["approval_date"] is not None]
        positions = random.Random(seed).sample(pool, min(size or len(pool), len(pool)))
    return [_row(rows[position], references, fields, index_name) for position in positions]


def _row(
    row: dict[str, Any], references: dict[str, dict[str, Any]], fields: tuple[str, ...], index_name: str | None
) -> dict[str, Any]:
    """The fields to check (for agents and targets only those filled in), the row's place, its references."""
    if index_name is None:
        out = {field: row[field] for field in fields if row[field] is not None}
    else:
        out = {field: row[field] for field in fields}
        out[index_name] = row[index_name]
    out["references"] = [
        {key: references[reference_id][key] for key in ("reference_id", "url", "title", "supports")}
        for reference_id in row["reference_ids"]
    ]
    return out


def _agent_rows(
    rows: list[dict[str, Any]], references: dict[str, dict[str, Any]], seed: int | None, size: int | None
) -> list[dict[str, Any]]:
    """Sampled agents, each with the class facts its record fills and its targets, every one with references."""
    targets: dict[str, list[dict[str, Any]]] = {}
    for target in immunoref.load("targets", engine="pyarrow").to_pylist():
        targets.setdefault(target["agent_id"], []).append(target)
    chosen = random.Random(seed).sample(rows, min(size or len(rows), len(rows)))
    out = []
    for agent in chosen:
        row = _row(agent, references, AGENT_FIELDS, None)
        row["targets"] = [
            _row(target, references, TARGET_FIELDS, None) for target in targets.get(agent["agent_id"], [])
        ]
        out.append(row)
    return out


def _positive(text: str) -> int:
    """argparse type for --size: a clear usage error rather than random.sample's traceback."""
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, got {text!r}")
    return int(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261123, help="seed of the sample of dated rows")
    parser.add_argument("--size", type=_positive, default=80, help="how many dated rows to sample")
    parser.add_argument("--undated", metavar="AGENCY", help="instead, every approval of AGENCY with no day")
    parser.add_argument("--table", choices=("indications", "toxicities", "agents"), default="indications")
    args = parser.parse_args()
    if args.undated and args.table != "indications":
        parser.error("--undated applies to --table indications")
    rows = audit_rows(args.seed, args.size, args.undated, args.table)
    try:
        json.dump(rows, sys.stdout, indent=1, ensure_ascii=False, default=str)  # dates as ISO text
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `audit_sample.py | head` closed the pipe: not an error (as in immunoref.cli)
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
