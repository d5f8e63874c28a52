"""The release as the site shows it: agents with their facts, targets and diseases with their agents.

Everything is read through `immunoref.load(table, release=...)`, so the packaged data and a release
folder give the same pages. Every list is sorted here, once, so that rendering is deterministic.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from immunoref.site.words import CLASS_TITLES, label
from immunoref.tables import COLUMNS, TABLES
from immunoref.vocabularies import THERAPY_CLASSES

Row = dict[str, Any]

#: Agent columns every class has; the others are class-specific facts, shown when set.
_SHARED_AGENT_COLUMNS = {
    "agent_id",
    "name",
    "therapy_class",
    "subclass",
    "status",
    "brand_names",
    "synonyms",
    "mechanism",
    "drugbank_id",
    "chembl_id",
    "reference_ids",
}

#: Columns without which no page can be made; every other contract column may be missing (then empty).
_REQUIRED = {
    "agents": ("agent_id", "name", "therapy_class", "status"),
    "targets": ("agent_id",),
    "indications": ("agent_id", "disease", "disease_id", "agency", "approval_date"),
    "toxicities": ("agent_id", "term", "boxed_warning"),
    "references": ("reference_id", "title", "url"),
    "products": ("agent_id", "brand_name"),
}


class CatalogueError(ValueError):
    """The release's tables cannot be shown: a missing table or column, or rows that contradict each other."""


@dataclass
class Agent:
    """One agent and every fact about it, ready for its page and its row in the agents table."""

    row: Row
    targets: list[Row]
    indications: list[Row]
    toxicities: list[Row]
    products: list[Row]
    references: list[Row] = field(default_factory=list)
    ref_numbers: dict[str, int] = field(default_factory=dict)

    @property
    def agent_id(self) -> str:
        return str(self.row["agent_id"])

    @property
    def name(self) -> str:
        return str(self.row["name"])

    @property
    def therapy_class(self) -> str:
        return str(self.row["therapy_class"])

    @property
    def boxed(self) -> list[Row]:
        """Adverse reactions the label's boxed warning names, set apart on the page."""
        return [row for row in self.toxicities if row["boxed_warning"]]

    @property
    def boxed_terms(self) -> list[str]:
        """What the boxed warning itself names (its own rows), for the summary at the top of the page;
        other rows flagged boxed (incidences from trials) stay in the table."""
        own = [row for row in self.boxed if row.get("label_section") == "boxed_warning"] or self.boxed
        return list(dict.fromkeys(str(row["term"]) for row in own))

    @property
    def unboxed(self) -> list[Row]:
        return [row for row in self.toxicities if not row["boxed_warning"]]

    @property
    def facts(self) -> list[tuple[str, Any]]:
        """Class-specific facts that are set, as (label, value) in column order."""
        return [
            (label(name), value)
            for name, value in self.row.items()
            if name not in _SHARED_AGENT_COLUMNS and value not in (None, [], "")
        ]

    @property
    def active_indications(self) -> list[Row]:
        return [row for row in self.indications if row.get("status") != "withdrawn"]

    @property
    def first_approval(self) -> Row | None:
        """The earliest dated approval still standing, if any."""
        dated = [row for row in self.active_indications if row["approval_date"] is not None]
        return dated[0] if dated else None

    @property
    def agencies(self) -> list[str]:
        return sorted({str(row["agency"]) for row in self.indications})

    @property
    def disease_ids(self) -> list[str]:
        return sorted({str(row["disease_id"]) for row in self.indications})

    @property
    def target_labels(self) -> list[str]:
        return [row["label"] for row in self.targets]

    def cite(self, reference_ids: Iterable[str]) -> list[tuple[str, int | None]]:
        """(reference_id, its number on this agent's page) for each id; None for an id not in the release."""
        return [(ref, self.ref_numbers.get(ref)) for ref in reference_ids]


@dataclass
class Target:
    """One molecular target and the agents acting on it (one row per agent x target)."""

    key: str
    slug: str
    symbol: str | None
    hgnc_id: str | None
    uniprot_id: str | None
    names: list[str]
    target_type: str
    rows: list[tuple[Agent, Row]]

    @property
    def title(self) -> str:
        """PD-1 (PDCD1) when the common name differs from the symbol, else the symbol or name."""
        common = next((name for name in self.names if name != self.key), None)
        return f"{common} ({self.key})" if common and self.symbol else self.key


@dataclass
class Disease:
    """One disease (a MONDO term) and every approval for it."""

    disease_id: str
    slug: str
    name: str
    labels: list[str]
    approvals: list[tuple[Agent, Row]]

    @property
    def agents(self) -> list[tuple[Agent, Row | None, list[str], bool]]:
        """(agent, its first standing dated approval for the disease, agencies, still approved) by first date."""
        by_agent: dict[str, list[Row]] = {}
        agents: dict[str, Agent] = {}
        for agent, row in self.approvals:
            by_agent.setdefault(agent.agent_id, []).append(row)
            agents[agent.agent_id] = agent
        summary = []
        for agent_id, rows in by_agent.items():
            standing = [row for row in rows if row.get("status") != "withdrawn"]
            dated = [row for row in standing if row["approval_date"] is not None]
            agencies = sorted({str(row["agency"]) for row in standing or rows})
            summary.append((agents[agent_id], dated[0] if dated else None, agencies, bool(standing)))
        return sorted(summary, key=lambda item: (not item[3], _date_key(item[1]), item[0].name.casefold()))

    @property
    def first_date(self) -> dt.date | None:
        dates = [row["approval_date"] for _, row in self.approvals if row["approval_date"] is not None]
        return min(dates) if dates else None


@dataclass
class ClassGroup:
    """A therapy class with its agents, in the order of the vocabulary."""

    therapy_class: str
    agents: list[Agent]


@dataclass
class Catalogue:
    """What one release holds, arranged for pages."""

    agents: list[Agent]
    targets: list[Target]
    diseases: list[Disease]
    classes: list[ClassGroup]
    counts: dict[str, int]

    def agent(self, agent_id: str) -> Agent | None:
        return next((agent for agent in self.agents if agent.agent_id == agent_id), None)


def read_catalogue(release: Path | None, disease_names: dict[str, str] | None = None) -> Catalogue:
    """The catalogue of the packaged data (release None) or of a release folder.

    disease_names maps MONDO IDs to their labels; a disease without one is named by its shortest label.
    """
    tables = {table: _rows(table, release) for table in TABLES}
    return arrange(tables, disease_names or {})


def _rows(table: str, release: Path | None) -> list[Row]:
    from immunoref.loaders import load

    try:
        arrow = load(table, engine="pyarrow", release=release)
    except FileNotFoundError as error:
        raise CatalogueError(f"no {table}.parquet in {release}") from error
    missing = [name for name in _REQUIRED[table] if name not in arrow.column_names]
    if missing:
        raise CatalogueError(f"{table}.parquet lacks column{'s' * (len(missing) > 1)} {', '.join(missing)}")
    rows = arrow.to_pylist()
    lists = {c.name for c in COLUMNS[table] if c.kind == "list"}
    for row in rows:
        for column in COLUMNS[table]:
            if row.get(column.name) is None:
                row[column.name] = [] if column.name in lists else None
    return rows


def arrange(tables: dict[str, list[Row]], disease_names: dict[str, str]) -> Catalogue:
    """Group the tables' rows by agent, target and disease, each list in a fixed order."""
    references = {str(row["reference_id"]): row for row in tables["references"]}
    facts: dict[str, dict[str, list[Row]]] = {}
    for table in ("targets", "indications", "toxicities", "products"):
        for row in tables[table]:
            facts.setdefault(str(row["agent_id"]), {}).setdefault(table, []).append(row)
    known = {str(row["agent_id"]) for row in tables["agents"]}
    strays = sorted(set(facts) - known)
    if strays:
        raise CatalogueError(f"rows for agents missing from agents.parquet: {', '.join(strays)}")

    agents = []
    for row in sorted(tables["agents"], key=lambda r: (str(r["name"]).casefold(), str(r["agent_id"]))):
        mine = facts.get(str(row["agent_id"]), {})
        targets = [{**t, "label": t.get("symbol") or t.get("name") or "unnamed"} for t in mine.get("targets", [])]
        indications = sorted(
            mine.get("indications", []),
            key=lambda r: (_date_key(r), str(r["agency"]), str(r["disease"])),
        )
        toxicities = sorted(
            mine.get("toxicities", []),
            key=lambda r: (not r["boxed_warning"], _SECTION_ORDER.get(r.get("label_section"), 9)),
        )
        agent = Agent(row, targets, indications, toxicities, mine.get("products", []))
        _number_references(agent, references)
        agents.append(agent)

    targets = _targets(agents)
    slugs = {t.key: t.slug for t in targets}
    for agent in agents:
        for target in agent.targets:
            target["slug"] = slugs[target["label"]]
    diseases = _diseases(agents, disease_names)
    disease_slugs = {d.disease_id: d.slug for d in diseases}
    for agent in agents:
        for indication in agent.indications:
            indication["disease_slug"] = disease_slugs[str(indication["disease_id"])]
    present = {agent.therapy_class for agent in agents}
    order = [*THERAPY_CLASSES, *sorted(present - set(THERAPY_CLASSES))]
    shown = [c for c in order if c in present or c in CLASS_TITLES]
    classes = [ClassGroup(c, [a for a in agents if a.therapy_class == c]) for c in shown]
    counts = {
        "agents": len(agents),
        "approvals": len(tables["indications"]),
        "targets": len(targets),
        "diseases": len(diseases),
        "toxicities": len(tables["toxicities"]),
        "boxed_warnings": sum(1 for row in tables["toxicities"] if row["boxed_warning"]),
        "products": len(tables["products"]),
        "references": len(tables["references"]),
    }
    return Catalogue(agents, targets, diseases, classes, counts)


_SECTION_ORDER = {"boxed_warning": 0, "warnings_and_precautions": 1, "adverse_reactions": 2, "contraindications": 3}


def _date_key(row: Row | None) -> tuple[bool, dt.date]:
    """Dated rows first, by date; undated ones after them."""
    date = None if row is None else row["approval_date"]
    return (date is None, date or dt.date.min)


def _number_references(agent: Agent, references: dict[str, Row]) -> None:
    """Number the agent's sources in order of first citation: agent facts, targets, approvals, toxicities."""
    order: list[str] = []
    rows = [agent.row, *agent.targets, *agent.indications, *agent.toxicities, *agent.products]
    for row in rows:
        for ref in row.get("reference_ids") or []:
            if ref not in order and ref in references:
                order.append(ref)
    agent.references = [references[ref] for ref in order]
    agent.ref_numbers = {ref: number for number, ref in enumerate(order, start=1)}


def slugify(text: str) -> str:
    """A lowercase file-name-safe form: MONDO:0005105 -> mondo-0005105, PD-L1 -> pd-l1."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug or "x"


def _unique_slugs(keys: Iterable[str]) -> dict[str, str]:
    """A slug per key; keys whose slugs collide get -2, -3, … in sorted order."""
    slugs: dict[str, str] = {}
    taken: Counter[str] = Counter()
    for key in sorted(keys):
        base = slugify(key)
        taken[base] += 1
        slugs[key] = base if taken[base] == 1 else f"{base}-{taken[base]}"
    return slugs


def _targets(agents: list[Agent]) -> list[Target]:
    grouped: dict[str, list[tuple[Agent, Row]]] = {}
    for agent in agents:
        for row in agent.targets:
            grouped.setdefault(row["label"], []).append((agent, row))
    slugs = _unique_slugs(grouped)
    targets = []
    for key in sorted(grouped, key=lambda k: (k.casefold(), k)):
        rows = grouped[key]
        first = rows[0][1]
        names = sorted({str(row["name"]) for _, row in rows if row.get("name")})
        targets.append(
            Target(
                key=key,
                slug=slugs[key],
                symbol=first.get("symbol"),
                hgnc_id=_most_common(row.get("hgnc_id") for _, row in rows),
                uniprot_id=_most_common(row.get("uniprot_id") for _, row in rows),
                names=names,
                target_type=str(first.get("target_type") or ""),
                rows=rows,
            )
        )
    return targets


def _diseases(agents: list[Agent], names: dict[str, str]) -> list[Disease]:
    grouped: dict[str, list[tuple[Agent, Row]]] = {}
    for agent in agents:
        for row in agent.indications:
            grouped.setdefault(str(row["disease_id"]), []).append((agent, row))
    slugs = _unique_slugs(grouped)
    diseases = []
    for disease_id, approvals in grouped.items():
        labels = sorted({str(row["disease"]) for _, row in approvals})
        name = names.get(disease_id) or min(labels, key=lambda text: (len(text), text))
        ordered = sorted(
            approvals, key=lambda item: (_date_key(item[1]), item[0].name.casefold(), str(item[1]["agency"]))
        )
        diseases.append(Disease(disease_id, slugs[disease_id], name, labels, ordered))
    return sorted(diseases, key=lambda d: (d.name.casefold(), d.disease_id))


def _most_common(values: Iterable[Any]) -> str | None:
    counted = Counter(str(v) for v in values if v)
    if not counted:
        return None
    return sorted(counted.items(), key=lambda item: (-item[1], item[0]))[0][0]
