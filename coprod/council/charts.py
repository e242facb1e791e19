"""Charts as SVG made on the server: no library, no JavaScript, no inline styles.

Every chart is `<svg role="img">` with a `<title>` and a `<desc>` that say what it shows;
pages put a real table of the same numbers next to it. Presentation is in attributes
(`fill=`, `width=`), which a Content-Security-Policy without 'unsafe-inline' allows.
The caller passes every word already translated, and a function to format percentages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

INK = "#1a1a1a"
LINE = "#767676"
BALLOTS = "#0b5d4b"  # the site's brand green
PEOPLE = "#5f5f5f"
# One colour per score, from "not at all" (red) through grey to "very much" (blue): red and
# blue stay apart for most colour-blind readers, and each has 3:1 or more against white.
SCORE_COLOURS = ("#a3222b", "#c1440e", "#6b6b6b", "#2f6fad", "#0b3d91")

Percent = Callable[[float], str]


def _percent(x: float) -> str:
    return f"{x:.0%}"


def _svg(ident: str, width: int, height: int, title: str, desc: str, body: str) -> Markup:
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{escape(ident)}-title {escape(ident)}-desc">'
        f'<title id="{escape(ident)}-title">{escape(title)}</title>'
        f'<desc id="{escape(ident)}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def _text(x: float, y: float, words: str, *, anchor: str = "start", size: int = 12) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{INK}" '
        f'text-anchor="{anchor}">{escape(words)}</text>'
    )


def swatch(colour: str) -> Markup:
    """A small square of colour for a legend; hidden from screen readers (the words say it)."""
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" aria-hidden="true" focusable="false" '
        f'class="swatch" width="14" height="14" viewBox="0 0 14 14">'
        f'<rect width="14" height="14" fill="{escape(colour)}"/></svg>'
    )


def spread_bar(counts: Sequence[int], *, ident: str, title: str, desc: str) -> Markup:
    """How many gave each score, as one small bar cut into five coloured parts."""
    width, height = 160, 18
    n = sum(counts)
    parts = [f'<rect width="{width}" height="{height}" fill="#ffffff" stroke="{LINE}"/>']
    x = 0.0
    for k, colour in zip(counts, SCORE_COLOURS, strict=True):
        if not k or not n:
            continue
        w = width * k / n
        # A white edge keeps two neighbouring parts apart even where the colours are close.
        parts.append(
            f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{height}" fill="{colour}" '
            'stroke="#ffffff" stroke-width="1"/>'
        )
        x += w
    return _svg(ident, width, height, title, desc, "".join(parts))


def day_bars(points: Sequence[tuple[str, int]], *, ident: str, title: str, desc: str) -> Markup:
    """Ballots per day as upright bars; the first and last day and the highest count marked."""
    width, height = 640, 220
    left, right, top, bottom = 44, 8, 12, 184
    plot_w, plot_h = width - left - right, bottom - top
    peak = max((v for _, v in points), default=0)
    parts = [
        f'<line x1="{left}" y1="{bottom}" x2="{width - right}" y2="{bottom}" stroke="{LINE}"/>',
        _text(left - 6, bottom + 4, "0", anchor="end"),
    ]
    if peak:
        parts.append(
            f'<line x1="{left}" y1="{top}" x2="{width - right}" y2="{top}" stroke="{LINE}" '
            'stroke-dasharray="4 4"/>'
        )
        parts.append(_text(left - 6, top + 4, str(peak), anchor="end"))
    if points:
        slot = plot_w / len(points)
        bar = max(1.0, slot * 0.8)
        for i, (_, value) in enumerate(points):
            h = plot_h * value / peak if peak else 0
            if h:
                x = left + i * slot + (slot - bar) / 2
                parts.append(
                    f'<rect x="{x:.2f}" y="{bottom - h:.2f}" width="{bar:.2f}" '
                    f'height="{h:.2f}" fill="{BALLOTS}"/>'
                )
        parts.append(_text(left, bottom + 22, points[0][0]))
        if len(points) > 1:
            parts.append(_text(width - right, bottom + 22, points[-1][0], anchor="end"))
    return _svg(ident, width, height, title, desc, "".join(parts))


def share_bars(
    rows: Sequence[tuple[str, float, float | None]],
    *,
    ident: str,
    title: str,
    desc: str,
    ballots_label: str,
    people_label: str,
    percent: Percent = _percent,
) -> Markup:
    """For each group, two bars: its share of ballots and (where known) of the population."""
    width, row_h, legend_h = 640, 50, 28
    bar_w = 520
    height = legend_h + row_h * len(rows) + 4
    peak = max([b for _, b, _ in rows] + [p for _, _, p in rows if p is not None] + [0.01])
    parts = [
        f'<rect x="0" y="2" width="14" height="14" fill="{BALLOTS}"/>',
        _text(20, 14, ballots_label),
        f'<rect x="{width // 2}" y="2" width="14" height="14" fill="{PEOPLE}"/>',
        _text(width // 2 + 20, 14, people_label),
    ]
    for i, (label, ballot_share, people_share) in enumerate(rows):
        y = legend_h + i * row_h
        parts.append(_text(0, y + 12, label, size=13))
        for j, (share, colour) in enumerate(((ballot_share, BALLOTS), (people_share, PEOPLE))):
            if share is None:
                continue
            w = bar_w * share / peak
            by = y + 17 + j * 15
            parts.append(f'<rect x="0" y="{by}" width="{w:.2f}" height="12" fill="{colour}"/>')
            parts.append(_text(w + 4, by + 11, percent(share), size=11))
    return _svg(ident, width, height, title, desc, "".join(parts))
