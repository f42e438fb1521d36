"""Charts drawn on the server as SVG (nothing from a CDN, no script): horizontal bars for counts by name, and
stacked columns for series by day or week. Presentation attributes only (the pages' CSP allows no inline
style); every label escaped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

COLOURS = ("#0b6e4f", "#2f81f7", "#bf8700", "#cf222e", "#8250df")
WIDTH = 640


def _svg(title: str, height: int, body: list[Markup]) -> Markup:
    return Markup('<svg viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
                  'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>').format(
        WIDTH, height, title, title, Markup("").join(body))


def _empty(title: str) -> Markup:
    return Markup('<p class="hint">{}: belum ada data.</p>').format(title)


def bars(title: str, rows: Sequence[tuple[str, float | int | None]], *, unit: str = "") -> Markup:
    """One horizontal bar per (label, value); the value written at the bar's end."""
    if not rows:
        return _empty(title)
    top = max((v or 0) for _, v in rows) or 1
    row_height, label_width = 26, 250
    body = []
    for n, (label, value) in enumerate(rows):
        y = n * row_height + 4
        width = (WIDTH - label_width - 70) * (value or 0) / top
        shown = "-" if value is None else f"{value:g}{unit}"
        body.append(Markup('<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#1b1f23">{}</text>'
                           '<rect x="{}" y="{}" width="{:.1f}" height="18" rx="3" fill="{}"/>'
                           '<text x="{:.1f}" y="{}" font-size="12" fill="#1b1f23">{}</text>').format(
            label_width - 6, y + 15, str(label)[:32], label_width, y, width, COLOURS[0], label_width + width + 6,
            y + 14, shown))
    return _svg(title, len(rows) * row_height + 8, body)


def columns(title: str, labels: Sequence[str], series: dict[str, Sequence[float | int | None]]) -> Markup:
    """Stacked columns: one per label, a colour per series (with a legend)."""
    if not labels:
        return _empty(title)
    totals = [sum((s[i] or 0) for s in series.values()) for i in range(len(labels))]
    top = max(totals) or 1
    plot_height, base, left = 160, 190, 30
    step = (WIDTH - left - 10) / len(labels)
    body: list[Markup] = [Markup('<text x="4" y="14" font-size="11" fill="#57606a">{}</text>'
                                 '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#8c959f"/>').format(
        f"{top:g}", left, base, WIDTH - 10, base)]
    for i, label in enumerate(labels):
        y = float(base)
        for colour, values in zip(COLOURS, series.values(), strict=False):
            height = plot_height * (values[i] or 0) / top
            y -= height
            if height:
                body.append(Markup('<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}">'
                                   '<title>{}: {}</title></rect>').format(
                    left + i * step + 2, y, max(step - 4, 1), height, colour, label, values[i]))
        body.append(Markup('<text x="{:.1f}" y="{}" font-size="10" text-anchor="middle" fill="#57606a">{}</text>')
                    .format(left + i * step + step / 2, base + 14, label[-5:]))
    for n, (name, colour) in enumerate(zip(series, COLOURS, strict=False)):
        body.append(Markup('<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
                           '<text x="{}" y="{}" font-size="11" fill="#1b1f23">{}</text>').format(
            left + n * 120, base + 24, colour, left + n * 120 + 14, base + 33, name))
    return _svg(title, base + 40, body)


def chart_for(key: str, title: str, rows: list[list[Any]], columns_names: list[str]) -> Markup:
    """The chart that suits each dashboard table."""
    if key == "pesan":
        return columns(title, [r[0] for r in rows], {name: [r[i] for r in rows]
                                                     for i, name in enumerate(columns_names[1:], 1)})
    if key == "sla":
        return bars(title, [(r[0], r[3]) for r in rows], unit="%")
    if key == "ikm":
        return bars(title, [(r[0], r[2]) for r in rows])
    if key == "tak-terjawab":
        return Markup("")
    return bars(title, [(r[0], r[1]) for r in rows])
