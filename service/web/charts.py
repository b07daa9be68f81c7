"""Inline SVG charts drawn on the server (no JavaScript, no external library).

Each chart has ``role="img"``, a ``<title>`` and a ``<desc>`` for screen readers, and the page shows the
same figures in a table. The SVG scales with its container (``viewBox``, no fixed width).
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

PALETTE = ("#1d5fa8", "#2e8540", "#b3541e", "#6b3fa0", "#0f7b83", "#a0306e", "#6b6b00", "#444")


def _nice_max(value: int) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


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
    peak = max(_nice_max(max((v for _, v in series), default=0)), 4)
    n = max(len(series), 1)
    slot = plot_w / n
    bar = slot * 0.62
    fmt = _short_yen if unit == "円" else (lambda v: f"{v:,}{unit}")
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-t '
             f'{chart_id}-d" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{escape(title)}</title>',
             f'<desc id="{chart_id}-d">' + escape("、".join(f"{k}: {fmt(v)}" for k, v in series)) + "</desc>"]
    for i in range(5):
        value = peak * i // 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{escape(fmt(value))}</text>')
    for index, (label, value) in enumerate(series):
        x = left + slot * index + (slot - bar) / 2
        h = plot_h * value / peak if peak else 0
        y = top + plot_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{color}" rx="2">'
                     f'<title>{escape(label)}: {escape(fmt(value))}</title></rect>')
        if value:
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
        parts.append(f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" class="label">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row - 10}" fill="{color}" '
                     f'rx="2"><title>{escape(label)}: {value}{unit}</title></rect>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 19}" class="value">{value:,}{escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
