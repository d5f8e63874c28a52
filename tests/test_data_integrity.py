"""The curated data: every record valid, every class covered, vendored identifiers current."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import DATA, REFERENCE, REPO
from hypothesis import given
from hypothesis import strategies as st

from immunoref.grounding import VOCAB_COLUMNS, collect_identifiers, load_partners, regenerate_subset, render_tsv
from immunoref.sources import read_source
from immunoref.validation import CheckResult, check_paths, find_record_files, validate_file
from immunoref.vocabularies import THERAPY_CLASSES

RECORD_FILES = [path for path, _ in find_record_files([DATA])]


@functools.cache
def _curated() -> CheckResult:
    """The whole of data/ checked once for every test that reads it (the tests only read the report)."""
    return check_paths([DATA])


@pytest.mark.parametrize("path", RECORD_FILES, ids=lambda p: p.stem)
def test_record_is_valid(path: Path) -> None:
    errors = [i for i in validate_file(path) if i.severity == "error"]
    assert errors == []


def test_whole_dataset_is_valid_across_records() -> None:
    assert _curated().errors == []


def test_every_class_has_at_least_two_agents() -> None:
    therapies = _curated().therapies
    per_class = Counter(t.therapy_class for t in therapies)
    assert {c: per_class[c] for c in THERAPY_CLASSES if per_class[c] < 2} == {}
    assert len(therapies) >= 12


def test_approved_agents_have_indications_and_evidence() -> None:
    for therapy in _curated().therapies:
        assert therapy.references, therapy.agent_id
        if therapy.status == "approved":
            assert therapy.indications, therapy.agent_id


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="shared/reference is not beside the repository")
def test_vendored_vocabularies_are_current() -> None:
    """immunoref/_vocab/ is exactly what scripts/vendor_vocabularies.py makes from shared/reference and data/."""
    used = collect_identifiers(read_source(path).data for path in RECORD_FILES)
    subset = regenerate_subset(REFERENCE, used)
    for name in VOCAB_COLUMNS:
        committed = (REPO / "immunoref" / "_vocab" / f"{name}.tsv").read_text(encoding="utf-8")
        assert committed == render_tsv(name, subset[name]), f"run python scripts/vendor_vocabularies.py ({name})"
    found = {row[0] for rows in subset.values() for row in rows}
    assert (used.hgnc_ids | used.mondo_ids | used.mesh_ids | used.drugbank_ids) <= found


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="shared/reference is not beside the repository")
def test_combination_partners_are_curated_and_grounded() -> None:
    """partners.tsv: lowercase unique names, known kinds, DrugBank IDs whose name is the partner, no agent twice."""
    import csv
    import gzip

    partners = load_partners()
    assert all(name == name.lower().strip() for name in partners)
    assert {row["kind"] for row in partners.values()} <= {"drug", "drug_class", "regimen"}
    with gzip.open(REFERENCE / "drugbank_mappings.tsv.gz", "rt", encoding="utf-8") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        names = {e["DRUGBANK_ID"]: e["ID"].lower() for e in rows if e["NAMESPACE"] == "NAME"}
    wrong = {n: r["drugbank_id"] for n, r in partners.items() if r["drugbank_id"] and names.get(r["drugbank_id"]) != n}
    assert wrong == {}
    agents = {path.stem for path in RECORD_FILES}
    assert agents & set(partners) == set(), "an agent of the dataset is cited by its agent_id, not listed as partner"


def test_agency_first_days_are_dates_of_known_agencies() -> None:
    from immunoref.vocabularies import AGENCIES, AGENCY_FIRST_DAY

    assert set(AGENCY_FIRST_DAY) <= set(AGENCIES)
    assert all(dt.date.fromisoformat(day) < dt.date(2010, 1, 1) for day in AGENCY_FIRST_DAY.values())


#: Labelled terms grounded the same way in every record (docs/record-format.md, "Grounding conventions").
GROUNDING_CONVENTIONS = [
    (re.compile(r"embryo.?fetal", re.I), "MESH:D049188"),
    (re.compile(r"decreased appetite|appetite decreased", re.I), "MESH:D000855"),
    (re.compile(r"upper respiratory tract infection", re.I), None),
    (re.compile(r"immune effector cell.associated neurotoxicity|\bICANS\b", re.I), "MESH:D020258"),
    (re.compile(r"^peripheral edema$", re.I), "MESH:D004487"),
    (re.compile(r"^immune-mediated endocrinopathies$", re.I), "MESH:D004700"),
    (re.compile(r"^electrolyte (abnormalities|depletion)\b", re.I), "MESH:D014883"),
    (re.compile(r"^hemoglobin decreased$", re.I), "MESH:D000740"),
    (re.compile(r"^peripheral sensory neuropathy$", re.I), "MESH:D010523"),
    (re.compile(r"^hypersensitivity to the active substance", re.I), "MESH:D004342"),
    (re.compile(r"^ocular (disorders|adverse reactions)$", re.I), "MESH:D005128"),
    (re.compile(r"^elevated liver enzymes$|^increased (transaminases|alanine|aspartate)", re.I), None),
    (re.compile(r"^(serious )?(skin|cutaneous|dermatologic) (reactions|toxicit(y|ies))( \(|$)", re.I), "MESH:D003875"),
    (re.compile(r"^pulmonary toxicity", re.I), "MESH:D008171"),
    (re.compile(r"^renal toxicity", re.I), "MESH:D007674"),
    (re.compile(r"^(renal impairment|decreased renal function)$", re.I), "MESH:D051437"),
    (re.compile(r"^ocular toxicity$|^eye problems\b", re.I), "MESH:D005128"),
    (re.compile(r"^cardiovascular adverse reactions$", re.I), "MESH:D002318"),
    (re.compile(r"^gastrointestinal complications$", re.I), "MESH:D005767"),
]


def test_terms_are_grounded_by_the_conventions() -> None:
    wrong = []
    for therapy in _curated().therapies:
        for toxicity in therapy.toxicities:
            for pattern, mesh_id in GROUNDING_CONVENTIONS:
                if pattern.search(toxicity.term) and toxicity.mesh_id != mesh_id:
                    wrong.append((therapy.agent_id, toxicity.term, toxicity.mesh_id, mesh_id))
                    break
    assert wrong == []


def test_a_term_has_one_grounding_across_the_dataset() -> None:
    """An analyst who joins on mesh_id must find every row of a term, whichever record holds it."""
    groundings: dict[str, set[str | None]] = {}
    for therapy in _curated().therapies:
        for toxicity in therapy.toxicities:
            groundings.setdefault(toxicity.term.casefold(), set()).add(toxicity.mesh_id)
    assert {term: ids for term, ids in groundings.items() if len(ids) > 1} == {}


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _states_day(text: str, day: dt.date) -> bool:
    """True when text gives this day (any common spelling) and names its year somewhere."""
    month = _MONTHS[day.month - 1]
    name = rf"(?:{month}|{month[:3]}\.?)"
    spelled = [
        rf"\b{day.day}(?:st|nd|rd|th)?\.? (?:of )?{name}\b",
        rf"\b{name} {day.day}(?:st|nd|rd|th)?\b",
        rf"\b0?{day.month}/0?{day.day}/{day.year}\b",
        rf"\b0?{day.day}/0?{day.month}/{day.year}\b",
    ]
    if day.isoformat() in text or f"{day.year}年{day.month}月{day.day}日" in text:
        return True
    return str(day.year) in text and any(re.search(pattern, text) for pattern in spelled)


def test_every_approval_day_is_stated_by_its_sources() -> None:
    """A recorded day (approval or withdrawal of an indication, first approval of a product) appears in the
    fact's note or in what its cited references are said to support, so no date enters the dataset without a
    source a reader can follow."""
    unsourced = []
    for therapy in _curated().therapies:
        references = {r.reference_id: r for r in therapy.references}
        dated = [
            *(
                (f"indications[{n}]", i.approval_date, i.note, i.reference_ids)
                for n, i in enumerate(therapy.indications)
            ),
            *(
                (f"indications[{n}].withdrawn", i.withdrawn_date, i.note, i.reference_ids)
                for n, i in enumerate(therapy.indications)
            ),
            *((f"products[{n}]", p.approval_date, p.note, p.reference_ids) for n, p in enumerate(therapy.products)),
        ]
        for where, day, note, reference_ids in dated:
            if day is None:
                continue
            cited = [references[i] for i in reference_ids if i in references]
            text = " ".join([note or "", *(f"{r.title} {r.supports}" for r in cited)])
            if not _states_day(" ".join(text.split()), day):
                unsourced.append((therapy.agent_id, where, day.isoformat()))
    assert unsourced == []


#: A note saying a field "is left empty/null" (the curators' way of recording a gap).
_LEFT_EMPTY = re.compile(
    r"\b(pivotal_trial|approval_date|approval_type|withdrawn_date|mesh_id)\b(?: is)? left (?:empty|null)", re.I
)


def test_notes_do_not_say_a_recorded_field_is_empty() -> None:
    """When a gap is filled, the note that explained the gap must go too, or the row contradicts itself."""
    stale = []
    for therapy in _curated().therapies:
        for where, fact in [
            *((f"indications[{n}]", i) for n, i in enumerate(therapy.indications)),
            *((f"toxicities[{n}]", t) for n, t in enumerate(therapy.toxicities)),
        ]:
            for match in _LEFT_EMPTY.finditer(fact.note or ""):
                if getattr(fact, match.group(1), None) is not None:
                    stale.append((therapy.agent_id, where, match.group(1)))
            if getattr(fact, "pivotal_trial", None) is not None and _TRIAL_UNNAMED.search(fact.note or ""):
                stale.append((therapy.agent_id, where, "pivotal_trial"))
    assert stale == []


#: Notes written before a row's trial was found: "two trials (names not given)", "the trial is not named".
_TRIAL_UNNAMED = re.compile(r"\btrials?\b[^.]{0,60}\b(?:not named|names not given|unnamed)\b", re.I)


@pytest.mark.parametrize(
    ("note", "stale"),
    [
        ("Based on two trials (78 and 56 patients; names not given).", True),
        ("The pivotal trial for this population is not named in the sources read.", True),
        ("Based on two single-arm trials, which the FDA notice names AVF3708g and NCI 06-C-0064E.", False),
        ("The trial is named. The study drug was not named in the press.", False),
    ],
)
def test_a_stale_unnamed_trial_note_is_recognised(note: str, stale: bool) -> None:
    assert bool(_TRIAL_UNNAMED.search(note)) is stale


@given(st.dates(min_value=dt.date(1980, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_a_day_is_recognised_in_its_spellings_and_not_the_next(day: dt.date) -> None:
    month = _MONTHS[day.month - 1]
    spellings = [
        f"On {month} {day.day}, {day.year}, the FDA approved",
        f"approved on {day.day} {month} {day.year}",
        f"{month[:3]}. {day.day}, {day.year}",
        f"on {day.day}{'th' if 4 <= day.day <= 20 else ''} {month} ({day.year})",
        day.isoformat(),
    ]
    following = day + dt.timedelta(days=1)
    for text in spellings:
        assert _states_day(text, day), text
        assert not _states_day(text, following), text


#: Rows whose incidence no stored page read so far ties to a population (docs/audits.md, fifth pass).
INCIDENCE_WITHOUT_POPULATION = {
    ("blinatumomab", "Anemia"),
    ("blinatumomab", "Neutropenia"),
    ("blinatumomab", "Thrombocytopenia"),
    ("sipuleucel-t", "Acute infusion reactions"),
}


#: A closing parenthesis in a term that names where the figure comes from ("(KarMMa, n=127)", "(FELIX)"), not
#: one that lists what the term includes ("(including anaphylaxis)").
_POPULATION_IN_TERM = re.compile(r"\((?!including\b)[^()]+\)$")


def test_an_incidence_says_whom_it_was_measured_in() -> None:
    """A percentage means nothing without its population: the note (or, in older rows, the term) names it."""
    bare = set()
    for therapy in _curated().therapies:
        for toxicity in therapy.toxicities:
            has_incidence = toxicity.incidence_pct is not None or toxicity.incidence_grade3plus_pct is not None
            if has_incidence and not toxicity.note and not _POPULATION_IN_TERM.search(toxicity.term.rstrip()):
                bare.add((therapy.agent_id, toxicity.term))
    assert bare == INCIDENCE_WITHOUT_POPULATION


@pytest.mark.parametrize(
    ("term", "names_population"),
    [
        ("Fatigue (KarMMa, n=127)", True),
        ("Neutropenia (metastatic gastric cancer)", True),
        ("Infusion-related reactions (including hypersensitivity and anaphylaxis)", False),
        ("Neurologic toxicities (FELIX)", True),
        ("Fatigue", False),
    ],
)
def test_a_term_names_its_population_only_in_a_closing_parenthesis_that_is_not_a_list(
    term: str, names_population: bool
) -> None:
    assert bool(_POPULATION_IN_TERM.search(term)) is names_population
