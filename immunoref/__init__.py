"""immunoref: a reference dataset of cancer immunotherapies, as typed tables and validated models.

Importing the package is cheap: pandas, pyarrow and pydantic load when a loader first needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

TABLES: tuple[str, ...] = ("agents", "targets", "indications", "toxicities", "references", "products")

__all__ = ["TABLES", "__version__", "approved_agents", "connect", "get", "load", "load_all", "read_therapies"]

if TYPE_CHECKING:
    from immunoref.loaders import approved_agents, connect, get, load, load_all, read_therapies

_LOADERS = {"approved_agents", "connect", "get", "load", "load_all", "read_therapies"}


def __getattr__(name: str) -> Any:
    if name in _LOADERS:
        from immunoref import loaders

        return getattr(loaders, name)
    if name == "__version__":
        from importlib.metadata import version

        return version("immunoref")
    raise AttributeError(f"module 'immunoref' has no attribute {name!r}")
