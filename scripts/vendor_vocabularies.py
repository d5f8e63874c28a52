"""Maintainer script: rewrite immunoref/_vocab/ from the full vocabularies in shared/reference/.

Vendors the entries for every identifier (and gene symbol) the records in data/
mention, so installed users and the tests can check identifiers offline.
Identifiers the full vocabularies do not know are listed and make it exit 1;
`immunoref validate` then reports them where they are written.

    python scripts/vendor_vocabularies.py [--reference ../shared/reference] [--data data]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from immunoref.grounding import collect_identifiers, regenerate_subset, render_tsv
from immunoref.sources import SourceError, read_source
from immunoref.validation import find_record_files

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=ROOT.parent / "shared" / "reference")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "immunoref" / "_vocab")
    args = parser.parse_args()
    if not args.reference.is_dir():
        parser.error(f"no reference folder at {args.reference}")
    records = []
    for file, root in find_record_files([args.data]):
        try:
            records.append(read_source(file, root=root).data)
        except SourceError as error:
            print(f"{file}: skipped, {error.message}", file=sys.stderr)
    used = collect_identifiers(records)
    subset = regenerate_subset(args.reference, used)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, rows in subset.items():
        (args.out / f"{name}.tsv").write_text(render_tsv(name, rows), encoding="utf-8", newline="\n")
        print(f"{name}: {len(rows)} entries")
    found = {row[0] for rows in subset.values() for row in rows}
    missing = sorted((used.hgnc_ids | used.mondo_ids | used.mesh_ids | used.drugbank_ids) - found)
    for identifier in missing:
        print(f"not in the reference vocabularies: {identifier}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
