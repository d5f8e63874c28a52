"""Reading ahead is only advice: it never changes which files come, in what order, or what they hold."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from immunoref import readahead
from immunoref.readahead import advise_will_need, read_ahead


@given(st.lists(st.integers(0, 9)), st.integers(0, 5))
def test_items_come_unchanged_and_in_order(names: list[int], depth: int) -> None:
    items = [(Path(f"/nowhere/{name}.yaml"), index) for index, name in enumerate(names)]
    assert list(read_ahead(iter(items), depth)) == items


def test_files_are_advised_before_they_are_yielded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    advised: list[Path] = []
    monkeypatch.setattr(readahead, "advise_will_need", advised.append)
    items = [(tmp_path / f"{n}.yaml", None) for n in range(5)]
    stream = read_ahead(items, depth=2)
    assert next(stream) == items[0]
    assert advised == [item[0] for item in items[:3]]  # the first file and the two after it
    assert list(stream) == items[1:]
    assert advised == [item[0] for item in items]


def test_without_fadvise_files_pass_straight_through(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(readahead, "_ADVISE", None)
    items = [(tmp_path / "a.yaml", 1), (tmp_path / "b.yaml", 2)]
    assert list(read_ahead(items)) == items


def test_advice_on_odd_paths_is_silent(tmp_path: Path) -> None:
    advise_will_need(tmp_path / "missing.yaml")
    advise_will_need(tmp_path)  # a folder
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.yaml")
        advise_will_need(tmp_path / "pipe.yaml")  # would block without O_NONBLOCK
    (tmp_path / "record.yaml").write_text("agent_id: x\n", encoding="utf-8")
    advise_will_need(tmp_path / "record.yaml")
    assert (tmp_path / "record.yaml").read_text(encoding="utf-8") == "agent_id: x\n"
