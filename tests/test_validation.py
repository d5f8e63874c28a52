"""Records against their model and across records: each bad record fails under its own code."""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

import pytest
import yaml
from conftest import MINIMAL_RECORD, RecordWriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immunoref.grounding import load_vocabularies
from immunoref.sources import SourceError, parse_source
from immunoref.validation import check_source, find_record_files, validate_paths

TODAY = dt.date(2026, 11, 22)


def edit(old: str, new: str, text: str = MINIMAL_RECORD) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def with_product(kind: str = "originator", agency: str = "FDA", day: str = "2011-03-25", copies: int = 1) -> str:
    """The minimal record with `copies` identical products Testvoy of that kind, agency and first approval day."""
    product = (
        f"  - {{brand_name: Testvoy, kind: {kind}, agency: {agency}, approval_date: {day},"
        " reference_ids: [testumab-label]}\n"
    )
    return edit("references:\n", "products:\n" + product * copies + "references:\n")


def codes(path: Path) -> list[tuple[str, str | None]]:
    return [(i.code, i.field) for i in validate_paths([path], today=TODAY)]


def test_minimal_record_is_valid(write_record: RecordWriter) -> None:
    assert validate_paths([write_record()], today=TODAY) == []


INVALID = {
    "unknown-class": (
        edit("therapy_class: checkpoint_inhibitor", "therapy_class: CAR-T"),
        ("unknown-therapy-class", "therapy_class"),
    ),
    "missing-class": (edit("therapy_class: checkpoint_inhibitor\n", ""), ("missing-field", "therapy_class")),
    "missing-field": (edit("name: testumab\n", ""), ("missing-field", "name")),
    "unknown-field": (edit("isotype: IgG1", "isotype: IgG1\nisotpye: IgG1"), ("unknown-field", "isotpye")),
    "nested-unknown-field": (
        edit("    target_type: protein", "    target_typ: protein"),
        ("unknown-field", "targets[0].target_typ"),
    ),
    "bad-subclass": (edit("subclass: anti_ctla4", "subclass: naked"), ("invalid-value", "subclass")),
    "bad-hgnc-form": (edit("HGNC:2505", "HGNC-2505"), ("invalid-format", "targets[0].hgnc_id")),
    "bad-date": (edit("2011-03-25", "2011-02-30"), ("wrong-type", "indications[0].approval_date")),
    "number-for-id": (edit("HGNC:2505", "2505"), ("wrong-type", "targets[0].hgnc_id")),
    "text-for-list": (edit("brand_names: [Testvoy]", "brand_names: Testvoy"), ("wrong-type", "brand_names")),
    "number-for-text": (edit("population: adults", "population: 12"), ("wrong-type", "indications[0].population")),
    "percent-over-100": (
        edit("incidence_pct: 32", "incidence_pct: 132"),
        ("out-of-range", "toxicities[0].incidence_pct"),
    ),
    "grade3-above-any": (
        edit("incidence_grade3plus_pct: 5", "incidence_grade3plus_pct: 50"),
        ("incidence-order", "toxicities[0]"),
    ),
    "boxed-flag": (
        edit("label_section: warnings_and_precautions", "label_section: boxed_warning"),
        ("boxed-warning-flag", "toxicities[0]"),
    ),
    "withdrawn-undated": (
        edit("    population: adults", "    population: adults\n    status: withdrawn"),
        ("undated-withdrawal", "indications[0].withdrawn_date"),
    ),
    "no-citation": (
        edit(
            "    combination_with: [carboplatin]\n    reference_ids: [testumab-label]",
            "    combination_with: [carboplatin]\n    reference_ids: []",
        ),
        ("too-short", "indications[0].reference_ids"),
    ),
    "pubmed-without-pmid": (edit("kind: label", "kind: pubmed"), ("missing-pmid", "references[0]")),
    "ungrounded-protein": (
        edit("  - symbol: CTLA4\n    hgnc_id: HGNC:2505\n", "  - name: CTLA-4\n"),
        ("ungrounded-target", "targets[0]"),
    ),
    "dangling-reference": (
        edit("reference_ids: [testumab-label]\ncheckpoints", "reference_ids: [testumab-lable]\ncheckpoints"),
        ("dangling-reference", "reference_ids[0]"),
    ),
    "unknown-hgnc-id": (edit("HGNC:2505", "HGNC:999999"), ("unknown-hgnc-id", "targets[0].hgnc_id")),
    "symbol-mismatch": (edit("symbol: CTLA4", "symbol: CTLA5"), ("hgnc-symbol-mismatch", "targets[0].symbol")),
    "uniprot-mismatch": (edit("P16410", "Q15116"), ("uniprot-mismatch", "targets[0].uniprot_id")),
    "unknown-mondo-id": (edit("MONDO:0005105", "MONDO:9999999"), ("unknown-mondo-id", "indications[0].disease_id")),
    "unknown-mesh-id": (edit("MESH:D003967", "MESH:D999999"), ("unknown-mesh-id", "toxicities[0].mesh_id")),
    "unknown-drugbank-id": (edit("DB06186", "DB99999"), ("unknown-drugbank-id", "drugbank_id")),
    "unpaired-chembl-id": (edit("CHEMBL1789844", "CHEMBL3137343"), ("unpaired-chembl-id", "chembl_id")),
    "future-approval": (edit("2011-03-25", "2030-01-01"), ("future-date", "indications[0].approval_date")),
    "before-the-agency": (
        edit("    agency: FDA", "    agency: EMA", edit("2011-03-25", "1994-12-31")),
        ("before-agency-existed", "indications[0].approval_date"),
    ),
    "unknown-partner": (
        edit("combination_with: [carboplatin]", "combination_with: [carboplatine]"),
        ("unknown-combination-partner", "indications[0].combination_with[0]"),
    ),
    "duplicate-product": (with_product(copies=2), ("duplicate-product", "products[1]")),
    "originator-after-approval": (
        with_product(day="2012-01-01"),
        ("originator-after-approval", "products[0].approval_date"),
    ),
    "duplicate-target": (
        edit(
            "targets:\n",
            "targets:\n  - symbol: CTLA4\n    hgnc_id: HGNC:2505\n    target_type: protein\n"
            "    action: blocker\n    reference_ids: [testumab-label]\n",
        ),
        ("duplicate-target", "targets[1]"),
    ),
}


@pytest.mark.parametrize("case", INVALID, ids=str)
def test_invalid_record_fails_with_its_code(case: str, write_record: RecordWriter) -> None:
    text, expected = INVALID[case]
    found = [c for c in codes(write_record(text)) if c[0] not in ("unused-reference",)]
    assert expected in found, found


def test_every_problem_is_reported_at_once_with_its_line(write_record: RecordWriter) -> None:
    text = edit("HGNC:2505", "HGNC:999999", edit("MONDO:0005105", "MONDO:9999999", edit("DB06186", "DB99999")))
    issues = validate_paths([write_record(text)], today=TODAY)
    assert [(i.code, i.line, i.column) for i in issues] == [
        ("unknown-drugbank-id", 7, 14),
        ("unknown-hgnc-id", 17, 14),
        ("unknown-mondo-id", 24, 17),
    ]


def test_model_errors_are_all_reported_too(write_record: RecordWriter) -> None:
    text = edit("status: approved", "status: aproved", edit("isotype: IgG1", "isotype: IgG9"))
    issues = validate_paths([write_record(text)], today=TODAY)
    assert {(i.code, i.field) for i in issues} == {("invalid-value", "status"), ("invalid-value", "isotype")}
    status = next(i for i in issues if i.field == "status")
    assert (status.line, status.column) == (5, 9)
    assert status.hint is not None and "did you mean 'approved'" in status.hint


@pytest.mark.parametrize(
    ("old", "new", "hint"),
    [
        ("population: adults", "population: yes", "YAML reads yes, no, on, off"),
        ("brand_names: [Testvoy]", "brand_names: Testvoy", "write a list"),
        ("approval_date: 2011-03-25", "approval_date: 25/03/2011", "YYYY-MM-DD"),
    ],
)
def test_wrong_types_come_with_a_hint(old: str, new: str, hint: str, write_record: RecordWriter) -> None:
    issues = validate_paths([write_record(edit(old, new))], today=TODAY)
    assert [i.code for i in issues] == ["wrong-type"]
    assert issues[0].hint is not None and hint in issues[0].hint


def test_misspelt_field_gets_a_suggestion(write_record: RecordWriter) -> None:
    issues = validate_paths([write_record(edit("mechanism:", "mechanizm:"))], today=TODAY)
    unknown = next(i for i in issues if i.code == "unknown-field")
    assert unknown.hint is not None and "did you mean 'mechanism'" in unknown.hint


def test_file_name_and_folder_must_match_the_record(write_record: RecordWriter) -> None:
    assert ("file-name-mismatch", "agent_id") in codes(write_record(name="other"))
    assert ("wrong-class-folder", "therapy_class") in codes(write_record(folder="car_t"))


def test_duplicate_agent_ids_across_files(write_record: RecordWriter, data_dir: Path) -> None:
    write_record()
    copy = edit("reference_id: testumab-label", "reference_id: testumab-label", MINIMAL_RECORD)
    (data_dir / "other").mkdir()
    (data_dir / "other" / "testumab.yaml").write_text(copy, encoding="utf-8")
    found = [(i.code, i.file, i.message) for i in validate_paths([data_dir], today=TODAY)]
    first = data_dir / "checkpoint_inhibitor" / "testumab.yaml"
    assert found == [
        ("duplicate-agent-id", str(data_dir / "other" / "testumab.yaml"), f"'testumab' is also the agent_id of {first}")
    ]


def test_shared_reference_must_be_identical(write_record: RecordWriter) -> None:
    write_record()
    other = edit("agent_id: testumab", "agent_id: otherumab", edit("name: testumab", "name: otherumab"))
    write_record(other, name="otherumab")
    assert validate_paths([write_record().parent], today=TODAY) == []
    write_record(other.replace("title: TESTVOY", "title: OTHER"), name="otherumab")
    found = [(i.code, i.message) for i in validate_paths([write_record().parent], today=TODAY)]
    first = write_record().parent / "otherumab.yaml"  # read first: files are read in agent_id order
    assert found == [("conflicting-reference", f"'testumab-label' is defined differently in {first}")]


def test_files_are_read_in_agent_id_order_each_once(tmp_path: Path) -> None:
    """The on-disk file list orders as sorted() orders (file name, then path component by component), and
    a file reached twice is read once, with the folder it was first reached through."""
    from immunoref.validation import _FilesInAgentOrder

    names = ["car/b.yaml", "car-t/b.yaml", "car_t/b.yaml", "car/a.yaml", "x/ab.yaml", "x/a-b.yaml", "x/a.yml"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    paths = [tmp_path / "car", tmp_path, tmp_path / "x" / "ab.yaml"]
    files = _FilesInAgentOrder(paths)
    try:
        expected = sorted(find_record_files(paths), key=lambda item: (item[0].stem, item[0]))
        assert list(files) == expected
        assert files.count == len(names)
        assert (tmp_path / "car" / "a.yaml", tmp_path / "car") in expected
    finally:
        files.close()


def test_missing_date_and_mesh_are_warnings(write_record: RecordWriter) -> None:
    text = edit("approval_date: 2011-03-25", "approval_date: null", edit("MESH:D003967", "null"))
    issues = validate_paths([write_record(text)], today=TODAY)
    assert {(i.code, i.severity) for i in issues} == {
        ("missing-approval-date", "warning"),
        ("ungrounded-toxicity", "warning"),
    }


# Property-based: whatever a record looks like, validation returns issues and never raises.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.dates().map(str),
    st.sampled_from(["FDA", "car_t", "HGNC:2505", "MONDO:0005105"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
FIELDS = list(yaml.safe_load(MINIMAL_RECORD))


@st.composite
def mutated_records(draw: st.DrawFn) -> dict[str, object]:
    record = yaml.safe_load(MINIMAL_RECORD)
    for _ in range(draw(st.integers(1, 5))):
        action = draw(st.sampled_from(["set", "drop", "add", "nest"]))
        key = draw(st.sampled_from(FIELDS))
        if action == "set":
            record[key] = draw(values)
        elif action == "drop":
            record.pop(key, None)
        elif action == "add":
            record[draw(st.text(string.ascii_lowercase + "_", min_size=1, max_size=12))] = draw(values)
        elif isinstance(record.get(key), list) and record[key] and isinstance(record[key][0], dict):
            entry = record[key][0]
            entry[draw(st.sampled_from([*entry, "extra"]))] = draw(values)
    return record


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=mutated_records())
def test_validator_never_raises_on_malformed_records(record: dict[str, object]) -> None:
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
    try:
        source = parse_source(text.encode("utf-8"), Path("data/checkpoint_inhibitor/testumab.yaml"))
    except SourceError:
        return
    therapy, issues = check_source(source, load_vocabularies(), TODAY)
    if therapy is None:  # a record the model refuses always says why
        assert any(i.severity == "error" for i in issues)
    assert all(i.line is not None and i.line >= 1 and i.code and i.message for i in issues)


@settings(max_examples=500, deadline=None)
@given(raw=st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8")))
def test_arbitrary_bytes_never_raise(raw: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "testumab.yaml"
    path.write_bytes(raw)
    issues = validate_paths([path], today=TODAY)
    assert all(i.file == str(path) for i in issues)


def test_an_agency_may_approve_from_its_first_day(write_record: RecordWriter) -> None:
    text = edit("    agency: FDA", "    agency: EMA", edit("2011-03-25", "1995-01-26"))
    assert validate_paths([write_record(text)], today=TODAY) == []


def test_partner_may_be_another_agent_in_the_data_folder(write_record: RecordWriter) -> None:
    write_record(MINIMAL_RECORD.replace("testumab", "otherumab"), name="otherumab")
    text = edit("combination_with: [carboplatin]", "combination_with: [otherumab]")
    assert validate_paths([write_record(text)], today=TODAY) == []


def test_misspelt_partner_gets_a_suggestion(write_record: RecordWriter) -> None:
    issues = validate_paths([write_record(edit("[carboplatin]", "[carboplatine]"))], today=TODAY)
    assert [(i.hint, i.found, i.expected) for i in issues] == [
        ("did you mean 'carboplatin'?", "'carboplatine'", "an agent_id, or a name in immunoref/_vocab/partners.tsv")
    ]


def test_indication_without_pivotal_trial_is_a_warning(write_record: RecordWriter) -> None:
    issues = validate_paths([write_record(edit("    pivotal_trial: TEST-001\n", ""))], today=TODAY)
    assert [(i.code, i.severity, i.field) for i in issues] == [
        ("missing-pivotal-trial", "warning", "indications[0].pivotal_trial")
    ]


@pytest.mark.parametrize(
    ("old", "new", "found", "expected"),
    [
        ("status: approved", "status: aproved", "'aproved'", "one of approved, investigational, withdrawn"),
        ("HGNC:2505", "HGNC-2505", "'HGNC-2505'", "HGNC:8760"),
        ("incidence_pct: 32", "incidence_pct: 132", "132", "less than or equal to 100"),
        ("population: adults", "population: 12", "12", "a valid string"),
        ("MONDO:0005105", "MONDO:9999999", "'MONDO:9999999'", "a MONDO term in the vendored vocabulary"),
        ("name: testumab\n", "", None, "a value"),
    ],
)
def test_each_issue_says_what_was_found_and_what_was_expected(
    old: str, new: str, found: str | None, expected: str, write_record: RecordWriter
) -> None:
    issues = [i for i in validate_paths([write_record(edit(old, new))], today=TODAY) if i.severity == "error"]
    assert [(i.found, i.expected) for i in issues] == [(found, expected)]


def test_record_files_are_found_as_rglob_finds_them(tmp_path: Path) -> None:
    """The streaming walk finds what Path.rglob finds: nested and hidden files, .yml files, symlinked files,
    folders named like records; symlinked folders are not entered."""
    from immunoref.validation import _named_like_records

    root = tmp_path / "data"
    for name in ["a.yaml", "car_t/b.yaml", "car_t/deep/c.yml", "x/.hidden.yaml", "x/notes.txt", "odd.yaml/d.yaml"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "e.yaml").write_text("", encoding="utf-8")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "f.yaml").symlink_to(outside / "e.yaml")
    expected = set(root.rglob("*.yaml")) | set(root.rglob("*.yml"))
    assert len(expected) == 7
    assert sorted(_named_like_records(root)) == sorted(expected)


def test_originator_approved_after_the_agency_approved_the_agent(write_record: RecordWriter) -> None:
    issues = validate_paths([write_record(with_product(day="2012-01-01"))], today=TODAY)
    [issue] = [i for i in issues if i.code == "originator-after-approval"]
    assert (issue.field, issue.severity, issue.message) == (
        "products[0].approval_date",
        "error",
        "the originator 'Testvoy' is first approved on 2012-01-01, after the FDA approval of indications[0] on"
        " 2011-03-25",
    )


@pytest.mark.parametrize(
    ("kind", "agency", "day"),
    [
        ("originator", "FDA", "2011-03-25"),  # the same day: the first indication is the originator's
        ("originator", "EMA", "2012-01-01"),  # another agency's first approval may come later
        ("biosimilar", "FDA", "2019-06-13"),  # only the originator is the agency's first product
    ],
)
def test_originator_rule_leaves_consistent_products_alone(
    kind: str, agency: str, day: str, write_record: RecordWriter
) -> None:
    codes_found = codes(write_record(with_product(kind, agency, day)))
    assert all(code != "originator-after-approval" for code, _ in codes_found), codes_found
