"""The README's promises: its two commands are what CI runs, and its table lists every column."""

from __future__ import annotations

import re

from conftest import REPO

from immunoref.tables import COLUMNS

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_commands() -> None:
    commands = re.search(r"```bash\n(.+?)\n```", README, re.S).group(1).splitlines()
    assert len(commands) == 2
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands:
        assert f"-c '{command}'" in ci


def test_readme_lists_every_column() -> None:
    for table, columns in COLUMNS.items():
        row = next(line for line in README.splitlines() if line.startswith(f"| `{table}` |"))
        assert [c.name for c in columns] == re.findall(r"`([a-z_0-9]+)`", row.split("|")[3]), table
