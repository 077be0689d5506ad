"""A target's chart for the period report, drawn on the server as SVG (the PDF has no script).

The figures come from `progress.period_selectors`; only the drawing's geometry is worked out here.
"""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.formats import number_format
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 520, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 40


def _y(value: Decimal, top: Decimal) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - float(value) / float(top or 1))


def target_chart(table, selected) -> str:
    """Bars: the actual in each period (the selected one darker); a line: the cumulative actual up to
    the selected period; dashes: the expected path (milestones, or the straight path); the target."""
    rows = table.rows
    if not rows:
        return ""
    target = table.target.value
    top = max([target, *(r.actual_cumulative for r in rows), *(r.expected or 0 for r in rows)]) or Decimal(1)
    step = (WIDTH - LEFT - RIGHT) / len(rows)
    base = _y(Decimal(0), top)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="period-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" '
        f"aria-label={quoteattr(table.target.get_indicator_display())}>",
        f'<line x1="{LEFT}" y1="{base:.1f}" x2="{WIDTH - RIGHT}" y2="{base:.1f}" '
        'stroke="#555" stroke-width="1"/>',
    ]
    target_y = _y(target, top)
    parts.append(
        f'<line x1="{LEFT}" y1="{target_y:.1f}" x2="{WIDTH - RIGHT}" y2="{target_y:.1f}" stroke="#b00" '
        f'stroke-width="1"/><text x="{LEFT - 4}" y="{target_y + 4:.1f}" font-size="10" text-anchor="end">'
        f"{escape(number_format(target.normalize()))}</text>"
    )
    cumulative, expected = [], []
    upto = [r.period.pk for r in rows].index(selected.period.pk)
    for i, row in enumerate(rows):
        x = LEFT + i * step
        bar_top = _y(row.actual_in_period, top)
        colour = "#0d3b66" if row.period.pk == selected.period.pk else "#8aa9c8"
        parts.append(
            f'<rect x="{x + step * 0.2:.1f}" y="{bar_top:.1f}" width="{step * 0.6:.1f}" '
            f'height="{max(base - bar_top, 0):.1f}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" text-anchor="middle">'
            f"{escape(row.period.code)}</text>"
        )
        centre = x + step / 2
        if i <= upto:
            cumulative.append(f"{centre:.1f},{_y(row.actual_cumulative, top):.1f}")
        if row.expected is not None:
            expected.append(f"{centre:.1f},{_y(row.expected, top):.1f}")
    if expected:
        parts.append(
            f'<polyline points="{" ".join(expected)}" fill="none" stroke="#777" stroke-width="1.5" '
            'stroke-dasharray="5,4"/>'
        )
    parts.append(f'<polyline points="{" ".join(cumulative)}" fill="none" stroke="#e07a00" stroke-width="2"/>')
    legend = [
        ("#8aa9c8", _("in the period")),
        ("#e07a00", _("cumulative")),
        ("#777", _("milestone") if any(not r.uses_straight_path for r in rows) else _("straight path")),
        ("#b00", _("target")),
    ]
    for i, (colour, label) in enumerate(legend):
        x = LEFT + i * 115
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 5}" font-size="10">{escape(str(label))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
