"""Bar charts as PNG, for the Word writer (Word has no reliable SVG support).

Drawn with matplotlib's Agg canvas directly (no pyplot state, so it is safe in
worker threads), at a fixed size and resolution, with no timestamp or other
varying metadata, so the same chart gives the same bytes. Colours, the hatch
and outline of the highlighted bar and the label suffix are the SVG writer's.
"""
from __future__ import annotations

import io
import textwrap
from functools import lru_cache

from ..model import BarChart
from .palette import COLOURS
from .svg import _fmt, bar_label, value_axis

DPI = 150
WIDTH_IN = 6.3           # fits an A4 page with 2.5 cm margins
FONT_SIZE = 8.5
FONT_FAMILY = ["Arial", "Liberation Sans", "Helvetica", "DejaVu Sans"]


@lru_cache(maxsize=1)
def _matplotlib():
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    return matplotlib, Figure, FigureCanvasAgg


def _bar_style(highlight: bool) -> dict:
    if highlight:
        style = dict(color=COLOURS["bar_highlight"], edgecolor=COLOURS["bar_outline"],
                     linewidth=1.5, hatch="///")
        return style
    return dict(color=COLOURS["bar"], edgecolor="none", linewidth=0)


def bar_chart_png(chart: BarChart, *, dpi: int = DPI, width_in: float = WIDTH_IN) -> bytes:
    """Draw ``chart`` as PNG bytes (deterministic)."""
    matplotlib, Figure, FigureCanvasAgg = _matplotlib()
    axis = value_axis(chart)
    n = max(len(chart.bars), 1)
    labels = chart.show_category_labels
    wrapped = ["\n".join(textwrap.wrap(bar_label(b), 38)) or " " for b in chart.bars]
    if chart.horizontal:
        lines = sum(w.count("\n") + 1 for w in wrapped) if labels else 0
        height_in = (max(1.6, 0.17 * lines + 0.12 * n) if labels else 4.2) + 0.9 + 0.2 * len(chart.reference_lines)
    else:
        height_in = 3.6 + (0.6 if labels else 0)
    rc = {
        "font.family": "sans-serif",
        "font.sans-serif": FONT_FAMILY,
        "font.size": FONT_SIZE,
        "text.color": COLOURS["chart_text"],
        "axes.edgecolor": COLOURS["axis"],
        "axes.labelcolor": COLOURS["chart_text"],
        "xtick.color": COLOURS["axis"],
        "ytick.color": COLOURS["axis"],
        "xtick.labelcolor": COLOURS["chart_text"],
        "ytick.labelcolor": COLOURS["chart_text"],
        "hatch.color": COLOURS["bar_highlight_hatch"],
        "hatch.linewidth": 1.4,
        "path.simplify": False,
    }
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor=COLOURS["background"])
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.set_facecolor(COLOURS["background"])
        positions = list(range(n))
        base = max(axis.lo, min(0.0, axis.hi))
        for pos, bar in zip(positions, chart.bars):
            extent = bar.value - base
            style = _bar_style(bar.highlight)
            if chart.horizontal:
                ax.barh(pos, extent, left=base, height=0.8 if n < 60 else 1.0, **style)
            else:
                ax.bar(pos, extent, bottom=base, width=0.8 if n < 60 else 1.0, **style)
        if chart.horizontal:
            ax.set_xlim(axis.lo, axis.hi)
            ax.set_xticks(list(axis.ticks), [_fmt(t) for t in axis.ticks])
            ax.set_ylim(n - 0.5, -0.5)  # first bar at the top
            ax.set_xlabel(chart.value_label, fontweight="bold")
            ax.set_ylabel(chart.category_label, fontweight="bold")
            if labels:
                ax.set_yticks(positions, wrapped)
                for tick, bar in zip(ax.get_yticklabels(), chart.bars):
                    if bar.highlight:
                        tick.set_fontweight("bold")
            else:
                ax.set_yticks([])
        else:
            ax.set_ylim(axis.lo, axis.hi)
            ax.set_yticks(list(axis.ticks), [_fmt(t) for t in axis.ticks])
            ax.set_xlim(-0.5, n - 0.5)
            ax.set_ylabel(chart.value_label, fontweight="bold")
            ax.set_xlabel(chart.category_label, fontweight="bold")
            if labels:
                narrow = n > 6
                short = ["\n".join(textwrap.wrap(bar_label(b), 16 if not narrow else 38)) for b in chart.bars]
                ax.set_xticks(positions, short, rotation=45 if narrow else 0,
                              ha="right" if narrow else "center")
                for tick, bar in zip(ax.get_xticklabels(), chart.bars):
                    if bar.highlight:
                        tick.set_fontweight("bold")
            else:
                ax.set_xticks([])
        # unlabelled categories: still name the highlighted bar, in bold
        if not labels:
            for pos, bar in zip(positions, chart.bars):
                if not bar.highlight:
                    continue
                if chart.horizontal:
                    ax.annotate(bar_label(bar), xy=(bar.value, pos), xytext=(axis.hi, pos),
                                textcoords="data", ha="right", va="center", fontweight="bold",
                                bbox=dict(boxstyle="square,pad=0.2", fc=COLOURS["background"], ec="none"),
                                arrowprops=dict(arrowstyle="-", color=COLOURS["bar_outline"], lw=0.8))
                else:
                    ax.annotate(bar_label(bar), xy=(pos, bar.value), xytext=(pos, axis.hi),
                                ha="center", va="top", fontweight="bold",
                                bbox=dict(boxstyle="square,pad=0.2", fc=COLOURS["background"], ec="none"),
                                arrowprops=dict(arrowstyle="-", color=COLOURS["bar_outline"], lw=0.8))
        for k, (value, label) in enumerate(sorted(chart.reference_lines, key=lambda r: r[0])):
            text = f"{label}: {_fmt(value)}"
            if chart.horizontal:
                ax.axvline(value, color=COLOURS["reference_line"], linestyle=(0, (5, 3)), linewidth=1.2)
                ax.annotate(text, xy=(value, 1.0), xycoords=("data", "axes fraction"),
                            xytext=(3, 4 + 12 * k), textcoords="offset points", ha="left", va="bottom")
            else:
                ax.axhline(value, color=COLOURS["reference_line"], linestyle=(0, (5, 3)), linewidth=1.2)
                ax.annotate(text, xy=(1.0, value), xycoords=("axes fraction", "data"),
                            xytext=(4, 0), textcoords="offset points", ha="left", va="center")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, facecolor=COLOURS["background"],
                    metadata={"Software": None})
    return buf.getvalue()
