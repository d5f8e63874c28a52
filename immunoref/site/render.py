"""Pages from templates: which pages a catalogue has, and the HTML of each (Jinja2, escaping on)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from immunoref.site import links
from immunoref.site.timeline import count_approvals, render_svg
from immunoref.site.words import class_blurb, class_colour, class_member, class_title, humanize
from immunoref.vocabularies import THERAPY_CLASSES

if TYPE_CHECKING:
    import jinja2

    from immunoref.site.catalogue import Agent, Catalogue
    from immunoref.site.release import Release


def environment() -> jinja2.Environment:
    """The template environment: packaged templates, autoescaping, undefined names are errors."""
    try:
        import jinja2
    except ImportError as error:  # an optional extra
        raise ImportError("the catalogue needs Jinja2: pip install 'immunoref[site]'") from error

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("immunoref.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        humanize=humanize,
        date=format_date,
        class_title=class_title,
        class_member=class_member,
        class_blurb=class_blurb,
        class_colour=class_colour,
        json_script=json_script,
        pct=format_pct,
        sentence=sentence,
    )
    env.globals.update(links=links)
    return env


def format_date(value: dt.date | None, missing: str = "date unknown") -> str:
    """ISO date (2014-09-04), which sorts and reads the same everywhere; missing ones say so."""
    return value.isoformat() if value is not None else missing


def sentence(text: str) -> str:
    """Text with its first letter capitalised, for headings: melanoma -> Melanoma (MONDO labels are lowercase)."""
    return text[:1].upper() + text[1:]


def format_pct(value: float | None) -> str:
    """A percentage as the label gives it: 13%, 12.5%; empty when not reported."""
    return "" if value is None else f"{value:g}%"


def json_script(value: Any) -> Any:
    """JSON safe inside <script type="application/json">: sorted keys, no '<', '>' or '&' left raw."""
    from markupsafe import Markup

    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # escaped above for the one context it is used in


def agents_index(catalogue: Catalogue) -> list[dict[str, Any]]:
    """What the agents table filters and searches on, inlined in its page (no fetch: file:// works)."""
    slugs = {disease.disease_id: disease.slug for disease in catalogue.diseases}
    return [
        {
            "id": agent.agent_id,
            "name": agent.name,
            "brands": list(agent.row["brand_names"]),
            "synonyms": list(agent.row["synonyms"]),
            "class": agent.therapy_class,
            "status": agent.row["status"],
            "targets": agent.target_labels,
            "diseases": [slugs[disease_id] for disease_id in agent.disease_ids],
            "agencies": agent.agencies,
            # disease and agency of each approval: both filters together mean "approved for it by that agency"
            "approvals": sorted({f"{slugs[str(row['disease_id'])]}|{row['agency']}" for row in agent.indications}),
        }
        for agent in catalogue.agents
    ]


def agent_filters(catalogue: Catalogue) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(name, label, [(value, text)]) of each filter of the agents table; values match agents_index()."""
    agencies = sorted({agency for agent in catalogue.agents for agency in agent.agencies})
    statuses = sorted({str(agent.row["status"]) for agent in catalogue.agents})
    return [
        ("class", "Class", [(g.therapy_class, class_title(g.therapy_class)) for g in catalogue.classes if g.agents]),
        ("target", "Target", [(t.key, t.title) for t in catalogue.targets]),
        ("disease", "Disease", [(d.slug, sentence(d.name)) for d in catalogue.diseases]),
        ("agency", "Agency", [(a, a) for a in agencies]),
        ("status", "Status", [(s, humanize(s)) for s in statuses]),
    ]


def pages(catalogue: Catalogue, release: Release) -> Iterator[tuple[str, str]]:
    """(path under the site folder, HTML) for every page, in a fixed order."""
    env = environment()
    shared = {"release": release, "catalogue": catalogue}

    def page(template: str, path: str, **context: Any) -> tuple[str, str]:
        root = "../" * path.count("/")
        section = path.split("/", maxsplit=1)[0]
        return path, env.get_template(template).render(root=root, path=path, section=section, **shared, **context)

    timeline = count_approvals(
        (
            (row["approval_date"].year, agent.therapy_class)
            for agent in catalogue.agents
            for row in agent.indications
            if row["approval_date"] is not None
        ),
        THERAPY_CLASSES,
    )
    undated = catalogue.counts["approvals"] - timeline.dated
    yield page("home.html", "index.html", timeline=timeline, svg=render_svg(timeline), undated=undated)
    yield page("agents.html", "agents/index.html", index=agents_index(catalogue), filters=agent_filters(catalogue))
    for agent in catalogue.agents:
        yield page("agent.html", f"agents/{agent.agent_id}.html", agent=agent, partners=_partners(catalogue, agent))
    yield page("targets.html", "targets/index.html")
    for target in catalogue.targets:
        yield page("target.html", f"targets/{target.slug}.html", target=target)
    yield page("diseases.html", "diseases/index.html")
    for disease in catalogue.diseases:
        yield page("disease.html", f"diseases/{disease.slug}.html", disease=disease)
    yield page("downloads.html", "downloads.html")


def _partners(catalogue: Catalogue, agent: Agent) -> set[str]:
    """Combination partners that are agents of the catalogue (by agent_id), so they can be linked."""
    known = {other.agent_id for other in catalogue.agents}
    return {partner for row in agent.indications for partner in row["combination_with"] if partner in known}
