"""Maintainer script: draw a reproducible sample of approval rows for an evidence audit.

An auditor re-reads each sampled row's cited pages and records, per field, whether a
source confirms, contradicts or does not state it (docs/audits.md). The sample is
drawn from the shipped tables with a fixed seed, so anyone can redraw the same rows
and check the audit; each row carries its cited references with their URLs, so the
auditor needs nothing but this file and the pages.

    python scripts/audit_sample.py --seed 20261123 --size 80 > sample.json
    python scripts/audit_sample.py --undated FDA > gaps.json    # rows with no approval day
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from typing import Any

import immunoref

#: The indication columns an auditor checks; the rest of the row is context.
ROW_FIELDS = (
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


def audit_rows(seed: int | None, size: int | None, undated_agency: str | None) -> list[dict[str, Any]]:
    """Dated rows sampled with `seed`, or every undated row of `undated_agency`, each with its references.

    `indication_index` is the row's position in its record's `indications:` list, which is how a curator
    finds it in data/.
    """
    indications = immunoref.load("indications")
    references = immunoref.load("references").set_index("reference_id")
    indications["indication_index"] = indications.groupby("agent_id").cumcount()
    if undated_agency is not None:
        chosen = indications[indications["approval_date"].isna() & (indications["agency"] == undated_agency)]
        positions = list(chosen.index)
    else:
        dated = indications[indications["approval_date"].notna()]
        positions = random.Random(seed).sample(list(dated.index), min(size or len(dated), len(dated)))
    return [_row(indications.loc[position], references) for position in positions]


def _row(row: Any, references: Any) -> dict[str, Any]:
    out: dict[str, Any] = {field: _plain(row[field]) for field in ROW_FIELDS}
    out["indication_index"] = int(row["indication_index"])
    out["references"] = [
        {
            "reference_id": reference_id,
            "url": _plain(references.loc[reference_id, "url"]),
            "title": _plain(references.loc[reference_id, "title"]),
            "supports": _plain(references.loc[reference_id, "supports"]),
        }
        for reference_id in row["reference_ids"]
    ]
    return out


def _plain(value: Any) -> Any:
    """JSON-ready: missing values as None, dates as ISO text, arrays as lists."""
    if value is None or type(value).__name__ in {"NAType", "NaTType"}:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return [str(item) for item in value]
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261123, help="seed of the sample of dated rows")
    parser.add_argument("--size", type=int, default=80, help="how many dated rows to sample")
    parser.add_argument("--undated", metavar="AGENCY", help="instead, every row of AGENCY with no approval day")
    args = parser.parse_args()
    rows = audit_rows(args.seed, args.size, args.undated)
    json.dump(rows, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
