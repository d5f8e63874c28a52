"""The human-readable files of a release: DATASHEET.md (counts generated from the rows) and CITATION.cff."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from immunoref.datapackage import DATA_LICENSE, DESCRIPTION, KEYWORDS, ROW_MEANING, TITLE
from immunoref.vocabularies import AGENCIES, THERAPY_CLASSES

Row = dict[str, Any]


def render_citation(version: str, released: dt.date) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for this version of the dataset."""
    keywords = "".join(f"  - {_yaml_text(word)}\n" for word in KEYWORDS)
    return (
        "cff-version: 1.2.0\n"
        'message: "If you use this dataset, please cite it as below, with its version."\n'
        "type: dataset\n"
        f"title: {_yaml_text(TITLE)}\n"
        f'version: "{version}"\n'
        f"date-released: {released.isoformat()}\n"
        "authors:\n"
        "  - name: immunoref contributors\n"
        f"license: {DATA_LICENSE['name']}\n"
        f"abstract: {_yaml_text(DESCRIPTION)}\n"
        f"keywords:\n{keywords}"
    )


def _yaml_text(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def render_datasheet(version: str, released: dt.date, rows: Mapping[str, list[Row]]) -> str:
    """DATASHEET.md after Gebru et al., "Datasheets for Datasets": every number in it is counted from rows."""
    agents, indications = rows.get("agents", []), rows.get("indications", [])
    targets, toxicities = rows.get("targets", []), rows.get("toxicities", [])
    references, products = rows.get("references", []), rows.get("products", [])
    per_class = Counter(str(row["therapy_class"]) for row in agents)
    per_agency = Counter(str(row["agency"]) for row in indications)
    dated = sorted(row["approval_date"] for row in indications if row.get("approval_date"))
    accessed = sorted(row["accessed"] for row in references if row.get("accessed"))
    undated = sum(1 for row in indications if row.get("approval_date") is None)
    no_mesh = sum(1 for row in toxicities if row.get("mesh_id") is None)
    no_hgnc = sum(1 for row in targets if row.get("hgnc_id") is None)
    no_incidence = sum(1 for row in toxicities if row.get("incidence_pct") is None)
    empty_classes = [c for c in THERAPY_CLASSES if per_class[c] == 0]
    absent_agencies = [a for a in AGENCIES if per_agency[a] == 0]

    lines = [
        f"# Datasheet: immunoref {version}",
        "",
        f"Released {released.isoformat()}. Every count below is generated from the data of this release.",
        "",
        "## Motivation",
        "",
        "Cancer immunotherapies are described across regulatory labels, approval notices, trial reports and drug "
        "databases, each with its own names and identifiers. immunoref gathers, for each agent, its mechanism, "
        "molecular targets, regulatory approvals and adverse reactions in typed tables joinable by standard "
        "identifiers (HGNC, MONDO, MeSH, DrugBank, ChEMBL), with the source of every fact, for research, teaching "
        "and data integration.",
        "",
        "## Composition",
        "",
        "| table | one row per | rows |",
        "|---|---|---:|",
    ]
    lines += [f"| {table} | {ROW_MEANING.get(table, '')} | {len(table_rows)} |" for table, table_rows in rows.items()]
    lines += ["", "Agents per therapy class:", "", "| therapy class | agents |", "|---|---:|"]
    lines += [f"| {c} | {per_class[c]} |" for c in THERAPY_CLASSES]
    lines += ["", "Agents per status: " + _counts(str(row["status"]) for row in agents) + "."]
    lines += ["", "Indications per agency: " + _counts(str(row["agency"]) for row in indications) + "."]
    if dated:
        lines.append(f"Approval dates run from {dated[0].isoformat()} to {dated[-1].isoformat()}.")
    withdrawn = [row for row in indications if row.get("status") == "withdrawn"]
    undated_withdrawals = sum(1 for row in withdrawn if row.get("withdrawn_date") is None)
    lines += [
        f"Withdrawn indications, kept and marked withdrawn: {len(withdrawn)}"
        f" ({undated_withdrawals} on a day no source gives).",
        "",
        f"Toxicities: {sum(1 for row in toxicities if row.get('boxed_warning'))} named in a boxed warning; "
        f"by label section: {_counts(str(row['label_section']) for row in toxicities)}.",
        "",
        f"References per kind: {_counts(str(row['kind']) for row in references)}.",
        "",
        "## Collection process",
        "",
        "Curators read each source and write one YAML record per agent (`data/<therapy_class>/<agent_id>.yaml`). "
        "Each record is validated against its pydantic model, its identifiers against vendored subsets of HGNC, "
        "MONDO, MeSH and DrugBank, and records against each other; a deterministic build turns them into the "
        "tables.",
    ]
    if accessed:
        lines.append(f"Sources were read from {accessed[0].isoformat()} to {accessed[-1].isoformat()}.")
    lines += [
        "",
        "## Evidence rules",
        "",
        "- A fact without a reference does not enter the dataset: every fact row lists its `reference_ids`.",
        "- Primary sources (agency approval notices, labels) are preferred; where sources disagree the regulator's "
        "value is kept and the disagreement noted.",
        "- An approval whose exact day no source gives keeps `approval_date` empty rather than a guess.",
        "- An adverse reaction with no matching MeSH descriptor keeps `mesh_id` empty rather than a loose fit.",
        "",
        "## Known gaps",
        "",
        f"- Indications without an approval date (no source gives the day): {undated} of {len(indications)}.",
        f"- Indications whose approval type (regular, accelerated, conditional) no source states: "
        f"{sum(1 for row in indications if row.get('approval_type') is None)} of {len(indications)}.",
        f"- Toxicities without a MeSH descriptor: {no_mesh} of {len(toxicities)}; "
        f"without an incidence figure: {no_incidence}.",
        f"- Targets without an HGNC ID (non-gene targets): {no_hgnc} of {len(targets)}.",
    ]
    if not products:
        lines.append("- The products table (biosimilars, new formulations) has no rows yet.")
    if empty_classes:
        lines.append(f"- Therapy classes without agents yet: {', '.join(empty_classes)}.")
    if absent_agencies:
        lines.append(f"- Agencies without any indication yet: {', '.join(absent_agencies)}.")
    lines += [
        "- Coverage: the agents the project's content issues name (docs/scope.yaml in the repository), not every"
        " approved product; approvals outside the US are recorded only where a source confirmed them, so EMA,"
        " NMPA and PMDA rows are incomplete.",
        "",
        "## Uses and limits",
        "",
        "Reference data for research, not medical advice; check the current label before any clinical use.",
        "",
        "## Distribution and maintenance",
        "",
        "Each table is given as Parquet (`data/`, the bytes the Python package of this version ships) and CSV "
        "(`csv/`, described by `datapackage.json`); `schemas/` holds the JSON Schema of every record model and "
        "`data/therapies.json` the records themselves. `SHA256SUMS` lists every file; `immunoref verify` checks "
        "them. Versions are semantic: a schema change that breaks readers is a major version, new agents a minor "
        "one, corrections a patch; `CHANGELOG.md` lists what changed since the previous release.",
        "",
        "## Licence",
        "",
        f"Data: {DATA_LICENSE['title']} ({DATA_LICENSE['name']}, {DATA_LICENSE['path']}). Code: MIT. The "
        "identifier vocabularies come from HGNC (free to use), Mondo (CC BY 4.0), NLM MeSH (free, with "
        "attribution) and the DrugBank open vocabulary (CC0).",
        "",
        "## How to cite",
        "",
        f"immunoref contributors, *{TITLE}*, version {version} ({released.year}). See `CITATION.cff`.",
    ]
    return "\n".join(lines) + "\n"


def _counts(values: Iterable[str]) -> str:
    counter = Counter(values)
    return ", ".join(f"{value} {count}" for value, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
