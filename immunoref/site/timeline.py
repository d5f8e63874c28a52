"""The home page's chart: approvals per year, stacked by therapy class, drawn as SVG at build time.

Coordinates are printed with fixed precision and iteration is ordered, so the same counts give the
same bytes. The counts are also returned as a table, the chart's text alternative.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from immunoref.site.words import class_colour, class_title

WIDTH, HEIGHT = 960, 320
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 20, 44


@dataclass(frozen=True)
class Timeline:
    """Approvals per (year, class), and the chart drawn from them."""

    years: tuple[int, ...]
    classes: tuple[str, ...]
    counts: dict[tuple[int, str], int]

    def total(self, year: int) -> int:
        return sum(self.counts.get((year, c), 0) for c in self.classes)

    def class_total(self, therapy_class: str) -> int:
        return sum(self.counts.get((year, therapy_class), 0) for year in self.years)

    @property
    def dated(self) -> int:
        return sum(self.counts.values())

    @property
    def busy_years(self) -> list[int]:
        """Years with at least one approval, for the text alternative."""
        return [year for year in self.years if self.total(year)]


def count_approvals(approvals: Iterable[tuple[int, str]], classes: Sequence[str]) -> Timeline:
    """A timeline from (year, therapy_class) pairs; years run without gaps from the first to the last."""
    counts = Counter(approvals)
    if not counts:
        return Timeline((), tuple(classes), {})
    first, last = min(year for year, _ in counts), max(year for year, _ in counts)
    present = {c for _, c in counts}
    ordered = tuple(c for c in classes if c in present) + tuple(sorted(present - set(classes)))
    return Timeline(tuple(range(first, last + 1)), ordered, dict(sorted(counts.items())))


def _step(peak: int) -> int:
    """A gridline step giving at most five lines above zero: 1, 2, 5, 10, 20, 50, …"""
    for magnitude in (10**k for k in range(8)):
        for factor in (1, 2, 5):
            if peak / (factor * magnitude) <= 5:
                return factor * magnitude
    return 10**8


def _f(value: float) -> str:
    """Fixed-precision coordinate; -0.0 and 0.0 print the same."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def render_svg(timeline: Timeline) -> str:
    """The stacked bar chart as an inline SVG element (empty string when nothing is dated)."""
    if not timeline.years:
        return ""
    peak = max(timeline.total(year) for year in timeline.years)
    step = _step(peak)
    top_value = max(step, math.ceil(peak / step) * step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = plot_w / len(timeline.years)
    bar = band * 0.72

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top_value

    first, last = timeline.years[0], timeline.years[-1]
    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="timeline-title timeline-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="timeline-title">Approvals by year and therapy class</title>',
        f'<desc id="timeline-desc">{timeline.dated} dated approvals from {first} to {last}, '
        "stacked by therapy class; the table below gives the same counts.</desc>",
        '<g class="grid">',
    ]
    for value in range(0, top_value + 1, step):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(y(value))}" y2="{_f(y(value))}"/>'
            f'<text x="{LEFT - 8}" y="{_f(y(value) + 4)}" text-anchor="end">{value}</text>'
        )
    parts.append("</g>")
    every = next(k for k in (1, 2, 5, 10, 20, 50) if len(timeline.years) / k <= 14)
    parts.append('<g class="years">')
    for index, year in enumerate(timeline.years):
        if year % every == 0:
            x = LEFT + band * index + band / 2
            parts.append(f'<text x="{_f(x)}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">{year}</text>')
    parts.append("</g>")
    parts.append('<g class="bars">')
    for index, year in enumerate(timeline.years):
        x = LEFT + band * index + (band - bar) / 2
        stacked = 0
        for therapy_class in timeline.classes:
            count = timeline.counts.get((year, therapy_class), 0)
            if not count:
                continue
            label = escape(f"{year}: {count} {class_title(therapy_class)}")
            parts.append(
                f'<rect x="{_f(x)}" y="{_f(y(stacked + count))}" width="{_f(bar)}" '
                f'height="{_f(y(stacked) - y(stacked + count))}" fill="{class_colour(therapy_class)}">'
                f"<title>{label}</title></rect>"
            )
            stacked += count
    parts.append("</g>")
    parts.append(
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(y(0))}" y2="{_f(y(0))}"/>'
        f'<text class="axis-label" x="{LEFT}" y="{TOP - 6}">approvals</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
