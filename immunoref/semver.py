"""Semantic versions of the dataset: parsing, the versions that may follow one, and which bump a change needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, TypeAlias

Bump: TypeAlias = Literal["patch", "minor", "major"]
#: Bumps from smallest to largest; a release may bump more than its changes need, never less.
BUMPS: tuple[Bump, ...] = ("patch", "minor", "major")

_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


@dataclass(frozen=True, order=True)
class Version:
    """MAJOR.MINOR.PATCH, no pre-release or build tags: a dataset release is final or not made."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        """The version written as text; ValueError saying the expected form otherwise."""
        match = _VERSION.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not a version of the form MAJOR.MINOR.PATCH, such as 1.2.0")
        return cls(*(int(part) for part in match.groups()))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    def next_versions(self) -> dict[Bump, Version]:
        """The only versions that may follow this one, by bump."""
        return {
            "patch": Version(self.major, self.minor, self.patch + 1),
            "minor": Version(self.major, self.minor + 1, 0),
            "major": Version(self.major + 1, 0, 0),
        }

    def bump_to(self, other: Version) -> Bump | None:
        """The bump that makes other from this version; None when other does not follow it directly."""
        return next((bump for bump, version in self.next_versions().items() if version == other), None)


def at_least(bump: Bump, needed: Bump) -> bool:
    """True when bump is as large as needed or larger."""
    return BUMPS.index(bump) >= BUMPS.index(needed)
