"""Words a reader sees for the dataset's codes: class names, column labels, vocabulary values."""

from __future__ import annotations

#: Heading (plural), name of one member, and one-line description of each therapy class (DESIGN.md).
CLASS_TITLES: dict[str, tuple[str, str, str]] = {
    "checkpoint_inhibitor": (
        "Checkpoint inhibitors",
        "Checkpoint inhibitor",
        "Antibodies that block an immune checkpoint such as PD-1, PD-L1, CTLA-4 or LAG-3.",
    ),
    "monoclonal_antibody": (
        "Monoclonal antibodies and engagers",
        "Monoclonal antibody",
        "Other anti-tumour antibodies: naked antibodies, drug conjugates, bispecific T-cell engagers.",
    ),
    "vaccine": (
        "Cancer vaccines",
        "Cancer vaccine",
        "Therapeutic and preventive vaccines: cellular, bacterial, recombinant, peptide.",
    ),
    "car_t": (
        "CAR-T cell therapies",
        "CAR-T cell therapy",
        "T cells engineered with a chimeric antigen receptor against a tumour antigen.",
    ),
    "cytokine": (
        "Cytokines",
        "Cytokine",
        "Recombinant or engineered cytokines and cytokine fusions (IL-2, interferon-α).",
    ),
    "oncolytic_virus": (
        "Oncolytic viruses",
        "Oncolytic virus",
        "Replicating viruses that lyse tumour cells and prime immunity.",
    ),
    "adoptive_cell_therapy": (
        "Other adoptive cell therapies",
        "Adoptive cell therapy",
        "Tumour-infiltrating lymphocytes and TCR-engineered T cells.",
    ),
}

#: Colour of each class in the timeline and on class badges; each has at least 4.5:1 contrast on white.
CLASS_COLOURS: dict[str, str] = {
    "checkpoint_inhibitor": "#1d5fa6",
    "monoclonal_antibody": "#b4451c",
    "vaccine": "#22744a",
    "car_t": "#7a4a9e",
    "cytokine": "#8a6400",
    "oncolytic_virus": "#b0305f",
    "adoptive_cell_therapy": "#2c7380",
}
FALLBACK_COLOUR = "#555555"

#: Labels that a generic "replace underscores" would get wrong.
_SPECIAL = {
    "adcc": "ADCC",
    "cdc": "CDC",
    "adcp": "ADCP",
    "t_cell_redirection": "T-cell redirection",
    "car_t": "CAR-T",
    "anti_pd1": "anti-PD-1",
    "anti_pdl1": "anti-PD-L1",
    "anti_ctla4": "anti-CTLA-4",
    "anti_lag3": "anti-LAG-3",
    "cd19_directed": "CD19-directed",
    "bcma_directed": "BCMA-directed",
    "mrna": "mRNA",
    "dna": "DNA",
    "tcr_t": "TCR-T",
    "il15_superagonist": "IL-15 superagonist",
    "hla_restriction": "HLA restriction",
    "drugbank_id": "DrugBank",
    "chembl_id": "ChEMBL",
    "hgnc_id": "HGNC",
    "uniprot_id": "UniProt",
    "mesh_id": "MeSH",
}


def class_title(therapy_class: str) -> str:
    """The reader's name of a therapy class; unknown classes (a newer release) are spelled out."""
    return CLASS_TITLES.get(therapy_class, (label(therapy_class), "", ""))[0]


def class_member(therapy_class: str) -> str:
    """What one agent of the class is called: Checkpoint inhibitor."""
    return CLASS_TITLES.get(therapy_class, ("", label(therapy_class), ""))[1]


def class_blurb(therapy_class: str) -> str:
    """One sentence on what belongs to the class (empty for a class this package does not know)."""
    return CLASS_TITLES.get(therapy_class, ("", "", ""))[2]


def class_colour(therapy_class: str) -> str:
    """Colour of the class in charts and badges."""
    return CLASS_COLOURS.get(therapy_class, FALLBACK_COLOUR)


def humanize(value: object) -> str:
    """A code as words: second_line_or_later -> second line or later; lists joined by commas."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(humanize(item) for item in value)
    text = str(value)
    if text in _SPECIAL:
        return _SPECIAL[text]
    if "_" in text and text == text.lower():
        return text.replace("_", " ")
    return text


def label(column: str) -> str:
    """Label of a column for a facts list: costimulatory_domain -> Costimulatory domain."""
    words = humanize(column)
    return words[:1].upper() + words[1:]
