"""A small server-rendered SVG chart of hits per year; a click on a bar filters by that year."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

WIDTH, HEIGHT, LABEL_HEIGHT = 640, 110, 18


def year_chart(years: list[tuple[str, int]], link: Callable[[str], str]) -> Markup:
    """Bars for the years that have hits, each a link; empty when there is nothing to show."""
    if len(years) < 2:
        return Markup("")
    first, last = int(years[0][0]), int(years[-1][0])
    counts = dict(years)
    span = list(range(first, last + 1))
    slot = WIDTH / len(span)
    top = max(counts.values())
    bars = []
    for i, year in enumerate(span):
        count = counts.get(str(year), 0)
        height = (HEIGHT - LABEL_HEIGHT) * count / top
        x, y = i * slot, HEIGHT - LABEL_HEIGHT - height
        label = f"{year}: {count} Dokument{'e' if count != 1 else ''}"
        bar = (
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{max(slot - 4, 1):.1f}" '
            f'height="{height:.1f}" fill="#1f5f99"><title>{escape(label)}</title></rect>'
        )
        if count:
            bar = f'<a href="{escape(link(str(year)))}" aria-label="{escape(label)}">{bar}</a>'
        if len(span) <= 30 or year % 5 == 0:
            bar += (
                f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - 4}" font-size="11" '
                f'text-anchor="middle" fill="#5b6675">{year}</text>'
            )
        bars.append(bar)
    return Markup(  # noqa: S704 - every value in the bars is escaped above
        f'<svg class="years" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="Treffer pro Jahr">{"".join(bars)}</svg>'
    )
