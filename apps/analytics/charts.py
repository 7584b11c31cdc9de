"""Tiny server-side SVG charts for the admin dashboard: no JavaScript, no CDN.

Every label and title passes through ``escape`` before it reaches the markup, so a chart is safe
to embed with ``mark_safe`` even when a label is a shopper's text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_COLOR = "#417690"  # the stock admin's header blue: fits light and dark admin themes
LINE_COLOR = "#79aec8"
TEXT_COLOR = "currentColor"
FONT = 'font-family="system-ui, sans-serif" font-size="11"'

Series = Sequence[tuple[str, float]]
Formatter = Callable[[float], str]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _open(*, width: int, height: int, title: str, css_class: str) -> list[str]:
    t = escape(title)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" '
        f'aria-label="{t}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{t}</title>",
    ]


def _empty(*, width: int, height: int, title: str, css_class: str) -> SafeString:
    parts = _open(width=width, height=height, title=title, css_class=css_class)
    parts.append(
        f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" fill="{TEXT_COLOR}" {FONT}>'
        "No data in this period</text></svg>"
    )
    return mark_safe("".join(parts))  # noqa: S308 (only escaped text inside)


def bar_chart(
    *,
    data: Series,
    title: str,
    width: int = 640,
    height: int = 220,
    value_format: Formatter = _number,
    label_every: int = 1,
    max_value: float | None = None,
) -> SafeString:
    """Vertical bars, one per (label, value); the value is written above each bar."""
    if not data:
        return _empty(width=width, height=height, title=title, css_class="bar-chart")
    top, bottom, left, right = 18, 34, 8, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max_value if max_value is not None else max((v for _, v in data), default=0)
    peak = peak or 1
    slot = plot_w / len(data)
    bar_w = max(1.0, slot * 0.7)
    parts = _open(width=width, height=height, title=title, css_class="bar-chart")
    base_y = top + plot_h
    parts.append(
        f'<line x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" stroke="{TEXT_COLOR}" '
        'stroke-opacity="0.4"/>'
    )
    for i, (label, value) in enumerate(data):
        h = plot_h * max(0.0, float(value)) / peak
        x = left + i * slot + (slot - bar_w) / 2
        cx = left + i * slot + slot / 2
        text = escape(label)
        shown = escape(value_format(value))
        parts.append(
            f'<rect class="bar" x="{_fmt(x)}" y="{_fmt(base_y - h)}" '
            f'width="{_fmt(bar_w)}" height="{_fmt(h)}" '
            f'fill="{BAR_COLOR}"><title>{text}: {shown}</title></rect>'
        )
        if len(data) <= 16:  # beyond that the numbers would overlap; the tooltip has them
            parts.append(
                f'<text x="{_fmt(cx)}" y="{_fmt(base_y - h - 4)}" text-anchor="middle" fill="{TEXT_COLOR}" '
                f"{FONT}>{shown}</text>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text class="label" x="{_fmt(cx)}" y="{base_y + 14}" text-anchor="middle" '
                f'fill="{TEXT_COLOR}" {FONT}>{text}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (labels and values escaped above)


def hbar_chart(
    *,
    data: Series,
    title: str,
    width: int = 480,
    row_height: int = 26,
    label_width: int = 140,
    value_format: Formatter = _number,
    max_value: float | None = None,
) -> SafeString:
    """Horizontal bars: good for long category labels (escalation codes, routes)."""
    height = max(row_height * len(data), row_height) + 8
    if not data:
        return _empty(width=width, height=60, title=title, css_class="hbar-chart")
    value_w = 70
    plot_w = width - label_width - value_w
    peak = max_value if max_value is not None else max((v for _, v in data), default=0)
    peak = peak or 1
    parts = _open(width=width, height=height, title=title, css_class="hbar-chart")
    for i, (label, value) in enumerate(data):
        y = 4 + i * row_height
        w = plot_w * max(0.0, float(value)) / peak
        text = escape(label)
        shown = escape(value_format(value))
        mid = y + row_height / 2 + 4
        parts.append(
            f'<text class="label" x="{label_width - 6}" y="{_fmt(mid)}" text-anchor="end" '
            f'fill="{TEXT_COLOR}" '
            f"{FONT}>{text}</text>"
        )
        parts.append(
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{_fmt(w)}" height="{row_height - 6}" '
            f'fill="{BAR_COLOR}"><title>{text}: {shown}</title></rect>'
        )
        parts.append(
            f'<text x="{_fmt(label_width + w + 6)}" y="{_fmt(mid)}" fill="{TEXT_COLOR}" {FONT}>{shown}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (labels and values escaped above)


def line_chart(
    *,
    data: Series,
    title: str,
    width: int = 640,
    height: int = 220,
    value_format: Formatter = _number,
    label_every: int = 1,
) -> SafeString:
    """A line with a dot per point (for time series); the peak value is marked on the axis."""
    if not data:
        return _empty(width=width, height=height, title=title, css_class="line-chart")
    top, bottom, left, right = 18, 34, 40, 12
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for _, v in data), default=0) or 1
    step = plot_w / max(1, len(data) - 1)
    base_y = top + plot_h
    points = [
        (left + i * step if len(data) > 1 else left + plot_w / 2, base_y - plot_h * max(0.0, float(v)) / peak)
        for i, (_, v) in enumerate(data)
    ]
    parts = _open(width=width, height=height, title=title, css_class="line-chart")
    parts.append(
        f'<line x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" stroke="{TEXT_COLOR}" '
        'stroke-opacity="0.4"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base_y}" stroke="{TEXT_COLOR}" stroke-opacity="0.4"/>'
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" fill="{TEXT_COLOR}" {FONT}>'
        f"{escape(value_format(peak))}</text>"
        f'<text x="{left - 4}" y="{base_y}" text-anchor="end" fill="{TEXT_COLOR}" {FONT}>0</text>'
    )
    path = " ".join(f"{'M' if i == 0 else 'L'}{_fmt(x)},{_fmt(y)}" for i, (x, y) in enumerate(points))
    parts.append(f'<path class="line" d="{path}" fill="none" stroke="{LINE_COLOR}" stroke-width="2"/>')
    for i, ((label, value), (x, y)) in enumerate(zip(data, points, strict=True)):
        text = escape(label)
        parts.append(
            f'<circle class="point" cx="{_fmt(x)}" cy="{_fmt(y)}" r="3" fill="{BAR_COLOR}">'
            f"<title>{text}: {escape(value_format(value))}</title></circle>"
        )
        if i % label_every == 0:
            parts.append(
                f'<text class="label" x="{_fmt(x)}" y="{base_y + 14}" text-anchor="middle" '
                f'fill="{TEXT_COLOR}" '
                f"{FONT}>{text}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (labels and values escaped above)
