"""Inline SVG charts drawn on the server (no JavaScript, no external library).

Each chart has ``role="img"``, a ``<title>`` and a ``<desc>`` for screen readers, and the page shows the
same figures in a table. The SVG scales with its container (``viewBox``, no fixed width).
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

PALETTE = ("#1d5fa8", "#2e8540", "#b3541e", "#6b3fa0", "#0f7b83", "#a0306e", "#6b6b00", "#444")


def nice_ticks(value: int, *, most: int = 5) -> list[int]:
    """Round axis ticks from 0 to at least ``value``: steps of 1, 2 or 5 × 10ⁿ (never 1.25), at most
    ``most`` intervals, so every gridline carries a round whole number (0, 1, 2, 3, 4件; 0, 5, 10万円)."""
    value = max(int(value), 1)
    magnitude = 1
    while True:
        for base in (1, 2, 5):
            step = base * magnitude
            count = -(-value // step)
            if count <= most:
                return [step * i for i in range(count + 1)]
        magnitude *= 10


def text_width(text: str, size: float = 11.0) -> float:
    """An estimate of the drawn width: full-width characters are about one em, others about half."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.58 for ch in text)


def _fit(text: str, width: float, size: float = 11.0) -> str:
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _short_yen(value: int) -> str:
    if value >= 10_000:
        return f"{value / 10_000:,.0f}万円" if value % 10_000 == 0 or value >= 1_000_000 else \
            f"{value / 10_000:,.1f}万円"
    return f"{value:,}円"


def column_chart(title: str, series: list[tuple[str, int]], *, unit: str = "", color: str = PALETTE[0],
                 chart_id: str = "chart") -> Markup:
    """Vertical bars, one per label (months); value labels above the bars."""
    width, height = 640, 260
    left, right, top, bottom = 64, 12, 16, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(max((v for _, v in series), default=0), most=4)
    peak = ticks[-1]
    n = max(len(series), 1)
    slot = plot_w / n
    bar = slot * 0.62
    fmt = _short_yen if unit == "円" else (lambda v: f"{v:,}{unit}")
    # value labels only when every one fits its column: labels never overlap (the table has the figures)
    show_values = all(text_width(fmt(v), 11) <= slot - 2 for _, v in series)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-t '
             f'{chart_id}-d" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{escape(title)}</title>',
             f'<desc id="{chart_id}-d">' + escape("、".join(f"{k}: {fmt(v)}" for k, v in series)) + "</desc>"]
    for value in ticks:
        y = top + plot_h - plot_h * value / peak
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{escape(fmt(value))}</text>')
    for index, (label, value) in enumerate(series):
        x = left + slot * index + (slot - bar) / 2
        h = plot_h * value / peak if peak else 0
        y = top + plot_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{color}" rx="2">'
                     f'<title>{escape(label)}: {escape(fmt(value))}</title></rect>')
        if value and show_values:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" class="value">'
                         f'{escape(fmt(value))}</text>')
        short = label[5:].lstrip("0") + "月" if len(label) == 7 else label
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                     f'class="axis">{escape(short)}</text>')
        if len(label) == 7 and (index == 0 or label.endswith("-01")):
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 32}" text-anchor="middle" '
                         f'class="axis">{escape(label[:4])}年</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(title: str, series: list[tuple[str, int]], *, unit: str = "件", chart_id: str = "bars") -> Markup:
    """Horizontal bars with the label on the left, for categories (statuses, causes)."""
    row = 30
    label_w, width, right = 230, 640, 56
    height = max(row * len(series) + 12, 48)
    peak = max((v for _, v in series), default=0) or 1
    plot_w = width - label_w - right
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-t '
             f'{chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{escape(title)}</title>',
             f'<desc id="{chart_id}-d">' + escape("、".join(f"{k}: {v}{unit}" for k, v in series) or "データなし")
             + "</desc>"]
    if not series:
        parts.append(f'<text x="{width / 2}" y="28" text-anchor="middle" class="axis">該当するデータはありません</text>')
    for index, (label, value) in enumerate(series):
        y = 6 + index * row
        w = plot_w * value / peak
        color = PALETTE[index % len(PALETTE)]
        shown = _fit(label, label_w - 12, 12)
        parts.append(f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" class="label">{escape(shown)}'
                     f'<title>{escape(label)}</title></text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row - 10}" fill="{color}" '
                     f'rx="2"><title>{escape(label)}: {value}{unit}</title></rect>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 19}" class="value">{value:,}{escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
