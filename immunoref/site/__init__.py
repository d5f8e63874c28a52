"""The browsable catalogue: a static, self-contained HTML site of one release (`immunoref site OUT`).

Jinja2 is an optional extra (`pip install 'immunoref[site]'`); it is imported only when a site is rendered.
"""

from __future__ import annotations

from immunoref.site.builder import SiteError, SiteResult, build_site

__all__ = ["SiteError", "SiteResult", "build_site"]
