"""Malformed files: each gives one issue naming the file (and line), never an exception."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from conftest import MINIMAL_RECORD, RecordWriter
from hypothesis import given, settings
from hypothesis import strategies as st

from immunoref.sources import MAX_BYTES, MAX_DEPTH, parse_source, read_source
from immunoref.validation import validate_paths

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]
"""

BAD_FILES: dict[str, tuple[str | bytes, str, int | None]] = {
    # name: (content, expected code, expected line)
    "syntax": ("agent_id: x\nname: [unclosed\nstatus: approved\n", "yaml-syntax", 3),
    "alias-bomb": (BILLION_LAUGHS, "yaml-alias", 2),
    "deep-flow": ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "too-deep", 1),
    "deep-block": (
        "".join(f"{'  ' * i}k{i}:\n" for i in range(MAX_DEPTH + 2)) + "  " * (MAX_DEPTH + 2) + "v\n",
        "too-deep",
        MAX_DEPTH + 1,
    ),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary-file", None),
    "latin1": ("agent_id: x\nname: caf\xe9\n".encode("latin-1"), "not-utf8", 2),
    "tab": ("agent_id: x\ntargets:\n\t- symbol: CD19\n", "tab-indentation", 3),
    "duplicate-key": ("agent_id: x\nname: a\nname: b\n", "duplicate-key", 3),
    "two-documents": ("agent_id: x\n---\nagent_id: y\n", "multiple-documents", 2),
    "empty": ("", "empty-file", None),
    "only-comments": ("# nothing here\n\n", "empty-file", None),
    "top-level-list": ("- agent_id: x\n", "not-a-mapping", 1),
    "top-level-scalar": ("just text\n", "not-a-mapping", 1),
    "non-text-key": ("? [a, b]\n: 1\n", "invalid-key", 1),
    "python-tag": ("agent_id: !!python/object:os.system x\n", "yaml-value", 1),
}


@pytest.mark.parametrize("name", BAD_FILES, ids=str)
def test_bad_file_gives_one_clear_issue(name: str, write_record: RecordWriter) -> None:
    content, code, line = BAD_FILES[name]
    path = write_record(content)
    issues = validate_paths([path])
    assert [(i.code, i.line, i.file) for i in issues] == [(code, line, str(path))]
    assert issues[0].message


def test_oversized_file_is_refused_before_reading(write_record: RecordWriter) -> None:
    path = write_record(MINIMAL_RECORD + "# padding\n" * (MAX_BYTES // 10 + 1))
    assert [i.code for i in validate_paths([path])] == ["file-too-large"]


def test_symlink_out_of_the_data_folder_is_refused(data_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(MINIMAL_RECORD, encoding="utf-8")
    os.symlink(outside, data_dir / "checkpoint_inhibitor" / "testumab.yaml")
    issues = validate_paths([data_dir])
    assert [i.code for i in issues] == ["outside-data-folder"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_in_the_data_folder_is_refused_not_waited_on(data_dir: Path) -> None:
    fifo = data_dir / "checkpoint_inhibitor" / "testumab.yaml"
    os.mkfifo(fifo)  # reading it would wait for a writer forever, and so would opening it to read ahead
    issues = validate_paths([data_dir])
    assert [(i.code, i.file, i.message) for i in issues] == [("not-a-file", str(fifo), "not a regular file")]


def test_folder_named_like_a_record_is_refused(data_dir: Path) -> None:
    folder = data_dir / "checkpoint_inhibitor" / "testumab.yaml"
    folder.mkdir()
    issues = validate_paths([data_dir])
    assert [(i.code, i.file, i.message) for i in issues] == [("not-a-file", str(folder), "not a regular file")]


def test_positions_point_at_keys_and_values() -> None:
    record = parse_source(b"agent_id: x\ntargets:\n  - symbol: CD19\n    name: B4\n", Path("x.yaml"))
    assert record.locate(("targets", 0, "name")) == (4, 11)
    assert record.locate(("targets", 0, "name"), key=True) == (4, 5)
    assert record.locate(("targets", 0, "absent")) == (3, 5)  # nearest written ancestor
    assert record.locate(("nowhere",)) == (1, 1)


def test_dates_and_numbers_keep_their_yaml_types(write_record: RecordWriter) -> None:
    data = read_source(write_record()).data
    assert str(data["indications"][0]["approval_date"]) == "2011-03-25"
    assert data["toxicities"][0]["incidence_pct"] == 32


def test_anchor_without_alias_is_harmless() -> None:
    record = parse_source(b"agent_id: &id x\nname: y\n", Path("x.yaml"))
    assert record.data == {"agent_id": "x", "name": "y"}


def test_yml_files_are_reported_not_skipped(data_dir: Path) -> None:
    path = data_dir / "checkpoint_inhibitor" / "testumab.yml"
    path.write_text(MINIMAL_RECORD, encoding="utf-8")
    issues = validate_paths([data_dir])
    assert [(i.code, i.hint) for i in issues] == [("wrong-extension", "rename it to testumab.yaml")]


_TRICKY_TEXT = st.sampled_from(
    [
        "yes",
        "No",
        "on",
        "OFF",
        "null",
        "~",
        "",
        "1e3",
        "0x1F",
        "0o17",
        "017",
        "1_000",
        "+12",
        "-3.5",
        ".inf",
        "-.INF",
        ".NaN",
        "2020-01-02",
        "2020-02-30",
        "2001-12-14t21:59:43.10-05:00",
        "12:30:00",
        "<<",
        "=",
        "TODO later",
        "True",
        "n",
        "y",
        "Yes please",
        "off-label",
        "null-ish",
        "~x",
    ]
)
_SCALARS = (
    _TRICKY_TEXT
    | st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
    | st.integers()
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.none()
    | st.dates()
)
_TREES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(
    tree=st.dictionaries(st.text(min_size=1, max_size=8), _TREES, min_size=1, max_size=5),
    style=st.sampled_from([None, False, True]),
)
def test_reading_agrees_with_libyaml(tree: dict, style: bool | None) -> None:
    """The fast path for plain text must read every scalar exactly as PyYAML's safe loader does."""
    text = yaml.safe_dump(tree, default_flow_style=style, allow_unicode=True, sort_keys=False)
    assert parse_source(text.encode("utf-8"), Path("x.yaml")).data == yaml.load(text, Loader=yaml.CSafeLoader)


@pytest.mark.parametrize("word", ["yes", "No", "on", "null", "~", "1e3", "0x1F", ".inf", "2020-01-02", "12:30:00"])
def test_plain_words_yaml_reads_as_other_types_keep_yaml_meaning(word: str) -> None:
    text = f"a: {word}\nb: '{word}'\n"
    data = parse_source(text.encode("utf-8"), Path("x.yaml")).data
    assert data == yaml.load(text, Loader=yaml.CSafeLoader)
    assert data["b"] == word


def test_reading_keeps_nothing_of_the_records_read() -> None:
    """PyYAML's constructor remembers each node it built until the document ends; the reader must not let
    that grow with the number of records read."""
    from immunoref import sources

    data = parse_source(b"a: 4-1BB\nb: !!str 12\nc: 0x1F\nd: [x, 'y']\n", Path("record.yaml")).data
    assert data == {"a": "4-1BB", "b": "12", "c": 31, "d": ["x", "y"]}
    assert sources._CONSTRUCTOR.constructed_objects == {}
