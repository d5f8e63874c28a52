"""Every agent the content issues name is curated, or excluded with a written reason (docs/scope.yaml)."""

from __future__ import annotations

import pytest
import yaml
from conftest import DATA, REPO

SCOPE = yaml.safe_load((REPO / "docs" / "scope.yaml").read_text(encoding="utf-8"))
EXCLUDED: dict[str, str] = SCOPE.pop("excluded") or {}
LISTED = [
    (therapy_class, agent_id)
    for groups in SCOPE.values()
    for therapy_class, agents in groups.items()
    for agent_id in agents
]


@pytest.mark.parametrize(("therapy_class", "agent_id"), LISTED, ids=[a for _, a in LISTED])
def test_listed_agent_is_curated_or_excluded_with_a_reason(therapy_class: str, agent_id: str) -> None:
    present = (DATA / therapy_class / f"{agent_id}.yaml").is_file()
    if agent_id in EXCLUDED:
        assert not present, f"{agent_id} is in data/ but still listed as excluded"
        assert len(EXCLUDED[agent_id].split()) >= 5, f"give the reason {agent_id} is excluded"
    else:
        assert present, f"data/{therapy_class}/{agent_id}.yaml is missing and not excluded in docs/scope.yaml"


def test_exclusions_name_listed_agents_only() -> None:
    assert set(EXCLUDED) <= {agent_id for _, agent_id in LISTED}


def test_scope_lists_each_agent_once() -> None:
    ids = [agent_id for _, agent_id in LISTED]
    assert len(ids) == len(set(ids))
