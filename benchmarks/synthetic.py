"""Seeded synthetic agent records in the shape of the real ones, for scale benchmarks.

Every record is valid: identifiers come from the vendored vocabularies, references are the record's own,
combination partners come from the partner list. Sizes follow the real data's spread (a few targets, a
handful of approvals, a dozen toxicities). Records are written as text from templates, not through a YAML
dumper, so generating a million of them takes minutes, not hours.

    python benchmarks/synthetic.py 10000 /tmp/immunoref-10k      # a project folder: pyproject.toml + data/
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOCAB = ROOT / "immunoref" / "_vocab"

#: Share of each class in the generated data, close to the real dataset's.
CLASS_WEIGHTS = {
    "checkpoint_inhibitor": 25,
    "monoclonal_antibody": 45,
    "vaccine": 6,
    "car_t": 12,
    "cytokine": 7,
    "oncolytic_virus": 3,
    "adoptive_cell_therapy": 2,
}
CLASS_FIELDS = {
    "checkpoint_inhibitor": "subclass: anti_pd1\ncheckpoints: [PD-1]\nisotype: IgG4\norigin: humanized\n",
    "monoclonal_antibody": "subclass: naked\nisotype: IgG1\norigin: chimeric\neffector_mechanisms: [adcc, cdc]\n",
    "vaccine": "subclass: virus_like_particle\nintent: preventive\nantigens: [HPV L1]\nroute: intramuscular\n",
    "car_t": "subclass: cd19_directed\ntarget_antigen: CD19\ncostimulatory_domain: 4-1BB\nvector: lentiviral\n"
    "cell_source: autologous\n",
    "cytokine": "subclass: interleukin\ncytokine: interleukin-2\nengineering: [recombinant]\nroute: intravenous\n",
    "oncolytic_virus": "subclass: herpes_simplex_virus\nvirus_family: Herpesviridae\nroute: intratumoral\n",
    "adoptive_cell_therapy": "subclass: tumor_infiltrating_lymphocytes\ncell_type: autologous T cells\n"
    "cell_source: autologous\n",
}
SETTINGS = ["metastatic", "adjuvant", "unresectable_or_metastatic", "relapsed_or_refractory", None]
LINES = ["first_line", "second_line_or_later", "third_line_or_later", None]
CATEGORIES = ["immune_mediated", "hematologic", "gastrointestinal", "constitutional", "dermatologic"]


@dataclass(frozen=True)
class Vocab:
    """The identifiers a synthetic record may use: all of them valid in the vendored vocabularies."""

    genes: list[tuple[str, str, str]]
    diseases: list[tuple[str, str]]
    mesh: list[tuple[str, str]]
    partners: list[str]


def load_vocab() -> Vocab:
    def rows(name: str) -> list[dict[str, str]]:
        with (VOCAB / f"{name}.tsv").open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh, delimiter="\t"))

    genes = [(r["symbol"], r["hgnc_id"], r["uniprot_ids"].split(",")[0]) for r in rows("hgnc") if r["uniprot_ids"]]
    return Vocab(
        genes=[g for g in genes if g[0] != "CD19"],
        diseases=[(r["mondo_id"], r["name"]) for r in rows("mondo")],
        mesh=[(r["mesh_id"], r["label"]) for r in rows("mesh")],
        partners=[r["name"] for r in rows("partners")],
    )


def record(index: int, rng: random.Random, vocab: Vocab) -> tuple[str, str, str]:
    """(therapy_class, agent_id, YAML text) of synthetic record number index."""
    therapy_class = rng.choices(list(CLASS_WEIGHTS), weights=list(CLASS_WEIGHTS.values()))[0]
    agent_id = f"synthetic-{index:07d}"
    refs = [f"{agent_id}-ref-{n}" for n in range(rng.randint(1, 4))]
    cite = f"[{', '.join(refs)}]"  # the agent-level facts cite every source, so none goes unused
    lines = [
        f"agent_id: {agent_id}\nname: synthetic agent {index}\ntherapy_class: {therapy_class}\n",
        CLASS_FIELDS[therapy_class],
        f"status: approved\nbrand_names: [Synthex{index}]\nsynonyms: [SYN-{index}]\ndrugbank_id: null\n"
        f"chembl_id: null\nmechanism: >-\n  A synthetic agent made for benchmarks; it binds its target and its\n"
        f"  effects are those of the class it belongs to, nothing more.\nreference_ids: {cite}\ntargets:\n",
    ]
    genes = rng.sample(vocab.genes, rng.randint(1, 3))
    if therapy_class == "car_t":
        genes = [("CD19", "HGNC:1633", "P15391")]
    for symbol, hgnc_id, uniprot in genes:
        lines.append(
            f"  - symbol: {symbol}\n    hgnc_id: {hgnc_id}\n    uniprot_id: {uniprot}\n"
            f"    target_type: protein\n    action: blocker\n    reference_ids: {cite}\n"
        )
    lines.append("indications:\n")
    for number, (mondo_id, disease) in enumerate(rng.sample(vocab.diseases, rng.randint(1, 6))):
        setting, line = rng.choice(SETTINGS), rng.choice(LINES)
        partners = rng.sample(vocab.partners, rng.randint(0, 2))
        lines.append(
            f"  - disease: {disease}\n    disease_id: {mondo_id}\n    agency: FDA\n"
            f"    approval_date: {2000 + rng.randint(0, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
            f"    approval_type: {rng.choice(['regular', 'accelerated'])}\n"
            f"    line_of_therapy: {line or 'null'}\n    setting: {setting or 'null'}\n"
            f"    combination_with: [{', '.join(partners)}]\n    population: adults\n"
            f"    pivotal_trial: SYN-{index}-{number}\n    reference_ids: [{rng.choice(refs)}]\n"
        )
    lines.append("toxicities:\n")
    for mesh_id, label in rng.sample(vocab.mesh, rng.randint(2, 10)):
        boxed = rng.random() < 0.05
        section = "boxed_warning" if boxed else rng.choice(["warnings_and_precautions", "adverse_reactions"])
        any_grade = round(rng.uniform(1, 60), 1)
        lines.append(
            f"  - term: {label}\n    mesh_id: {mesh_id}\n    category: {rng.choice(CATEGORIES)}\n"
            f"    boxed_warning: {str(boxed).lower()}\n    label_section: {section}\n"
            f"    incidence_pct: {any_grade}\n    incidence_grade3plus_pct: {round(any_grade / 4, 1)}\n"
            f"    reference_ids: [{rng.choice(refs)}]\n"
        )
    lines.append(
        f"products:\n  - brand_name: Synthex{index}\n    kind: originator\n    agency: FDA\n"
        f"    approval_date: 2000-01-03\n    reference_ids: {cite}\nreferences:\n"
    )
    for reference_id in refs:
        lines.append(
            f"  - reference_id: {reference_id}\n    kind: web\n    title: Synthetic source {reference_id}\n"
            f"    url: https://example.org/{reference_id}\n    accessed: 2026-01-02\n"
            f"    supports: the synthetic facts that cite it\n"
        )
    return therapy_class, agent_id, "".join(lines)


def generate(count: int, out: Path, *, seed: int = 20261122) -> Path:
    """Write a project folder with count synthetic records under out/data; return out."""
    if out.exists():
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    shutil.copy2(ROOT / "pyproject.toml", out / "pyproject.toml")
    for therapy_class in CLASS_WEIGHTS:
        (out / "data" / therapy_class).mkdir()
    rng = random.Random(seed)
    vocab = load_vocab()
    for index in range(count):
        therapy_class, agent_id, text = record(index, rng, vocab)
        (out / "data" / therapy_class / f"{agent_id}.yaml").write_text(text, encoding="utf-8")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    generate(args.count, args.out, seed=args.seed)
    print(f"wrote {args.count} records under {args.out / 'data'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
