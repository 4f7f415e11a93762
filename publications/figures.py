"""The figures of the publication, declared once each, rendered to PNG and SVG.

Like a table, a figure is a SQL query (``publications/sql/abbildung_<name>.sql``) plus its
presentation; ``draw`` only formats and plots what the query returned. Rendering uses
matplotlib's Agg canvas through the object API (no pyplot), so it needs no display, keeps no
global figure state, and does not change the backend of a program (e.g. a notebook) that
imports this package.

Output is deterministic: fixed size and resolution, SVG ids from a fixed hash salt, no
dates in the metadata. Running twice gives byte-identical SVG and PNG files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape
from pathlib import Path
from typing import TYPE_CHECKING

from .english import t
from .files import atomic_path
from .german import Edition, format_number
from .queries import QueryResult
from .sqlfiles import load
from .tables import text_fields

if TYPE_CHECKING:  # matplotlib is imported where a figure is drawn (publications.drawing: maybe
    from matplotlib.axes import Axes  # in a process of its own), not by what only declares them

SIZE_INCHES = (8.0, 4.8)
PNG_DPI = 200
BAR_COLOUR = "#1F5A96"
WARNING_COLOUR = "#C00000"
RC = {
    "svg.hashsalt": "mint-census",  # stable ids inside the SVG
    "svg.fonttype": "none",  # text stays text: selectable, restylable, read by screen readers
    "font.family": "DejaVu Sans",  # shipped with matplotlib, has the German characters
    "font.size": 10,
}
SVG_METADATA = {"Date": None, "Creator": "mint-census"}
PNG_METADATA = {"Software": None}  # matplotlib writes no timestamp into PNG files

# draw(axes, query result) plots the data; the frame (title, notes) is added by render().
Draw = Callable[["Axes", QueryResult], None]


@dataclass(frozen=True)
class Figure:
    """Declaration of one publication figure."""

    name: str  # file stem, e.g. "wachstum" -> abbildungen/wachstum.png and .svg
    title: str  # German title (template with {year}, {base_year}, {period})
    sql: str | None  # the query; draw() receives its result
    draw: Draw
    # Instead of a query: the published (disclosure-controlled) result of this table.
    table: str | None = None
    size: tuple[float, float] = SIZE_INCHES
    left: float = 0.09  # left edge of the plot area (room for long labels)
    notes: tuple[str, ...] = ()  # extra lines above the source line (e.g. a credit)


def german_ticks(value: float, _position: int) -> str:
    return format_number(value)


def bar_chart(x: str, y: str, xlabel: str, ylabel: str) -> Draw:
    """A bar chart of column ``y`` over column ``x`` with a value label on each bar."""

    def draw(ax: Axes, result: QueryResult) -> None:
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        xs, ys = result.column(x), result.column(y)
        heights = [0 if v is None else v for v in ys]
        bars = ax.bar(xs, heights, color=BAR_COLOUR, width=0.7)
        ax.bar_label(
            bars,
            labels=["." if v is None else format_number(v) for v in ys],
            padding=2,
            fontsize=9,
        )
        ax.set_xticks(xs, [str(v) for v in xs])
        ax.set_xlabel(t(xlabel))
        ax.set_ylabel(t(ylabel))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(german_ticks))
        ax.set_ylim(0, max(heights + [1]) * 1.12)  # room for the value labels
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
        ax.set_axisbelow(True)

    return draw


def hbar_chart(label: str, value: str, xlabel: str, decimals: int = 0, limit: float | None = None) -> Draw:
    """Horizontal bars of column ``value`` per ``label`` (first row on top); None shows ".". """

    def draw(ax: Axes, result: QueryResult) -> None:
        from matplotlib.ticker import FuncFormatter

        labels, values = result.column(label), result.column(value)
        positions = list(range(len(labels)))[::-1]
        widths = [0 if v is None else v for v in values]
        bars = ax.barh(positions, widths, color=BAR_COLOUR, height=0.7)
        ax.bar_label(bars, labels=["." if v is None else format_number(v, decimals) for v in values],
                     padding=2, fontsize=8)
        ax.set_yticks(positions, [str(v) for v in labels], fontsize=8)
        ax.set_xlabel(t(xlabel))
        ax.xaxis.set_major_formatter(FuncFormatter(german_ticks))
        ax.set_xlim(0, limit if limit is not None else max(widths + [1]) * 1.15)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
        ax.set_axisbelow(True)

    return draw


def add_title_desc(svg: str, title: str, desc: str) -> str:
    """Put ``<title>`` and ``<desc>`` first inside the root ``<svg>`` element (for screen readers)."""
    start = svg.index("<svg")
    end = svg.index(">", start) + 1
    return f"{svg[:end]}\n <title>{escape(title)}</title>\n <desc>{escape(desc)}</desc>{svg[end:]}"


def render(figure: Figure, result: QueryResult, edition: Edition, outdir: Path,
           extra_notes: tuple[str, ...] = ()) -> list[Path]:
    """Draw ``figure`` and write ``<outdir>/<name>.png`` and ``.svg``; return both paths."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    title = t(figure.title).format(**text_fields(edition.year))
    figure = replace(figure, notes=tuple(extra_notes) + figure.notes)
    width, height = figure.size
    inch = 1.0 / height  # one inch in figure coordinates (vertical)
    with matplotlib.rc_context(RC):
        fig = MplFigure(figsize=figure.size)
        FigureCanvasAgg(fig)
        top = 1 - (0.86 if edition.fictitious else 0.66) * inch
        bottom = (0.8 + 0.16 * len(figure.notes)) * inch
        rect = (figure.left, bottom, 0.97 - figure.left, top - bottom)
        ax = fig.add_axes(rect)
        figure.draw(ax, result)
        fig.text(0.01, 1 - 0.24 * inch, title, fontsize=13, fontweight="bold", va="center")
        if edition.fictitious_note:
            fig.text(0.01, 1 - 0.53 * inch, edition.fictitious_note, color=WARNING_COLOUR,
                     fontweight="bold", va="center")
        for i, note in enumerate(figure.notes):
            fig.text(0.01, (0.12 + 0.16 * (len(figure.notes) - i)) * inch, note, fontsize=8, color="#444444")
        fig.text(0.01, 0.12 * inch, edition.source_line, fontsize=8, color="#444444")
        paths = []
        for suffix, options in (
            ("png", {"dpi": PNG_DPI, "metadata": PNG_METADATA}),
            ("svg", {"metadata": SVG_METADATA}),
        ):
            path = outdir / f"{figure.name}.{suffix}"
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=suffix, **options)
                if suffix == "svg":
                    desc = " ".join(figure.notes + (edition.source_line,))
                    tmp.write_text(add_title_desc(tmp.read_text(encoding="utf-8"), title, desc), encoding="utf-8")
            paths.append(path)
    return paths


# --- The figures ------------------------------------------------------------------------

GROWTH = Figure(
    name="wachstum",
    title="Entwicklung der MINT-Regionen {period}",
    sql=load("abbildung_wachstum"),
    draw=bar_chart(
        x="census_year", y="networks", xlabel="Erhebungsjahr", ylabel="Anzahl MINT-Regionen"
    ),
)

BY_LAND = Figure(
    name="bundeslaender",
    title="MINT-Regionen nach Bundesland {year}",
    sql=load("abbildung_bundeslaender"),
    # Land names, most networks on top.
    draw=hbar_chart(label="land_name", value="networks", xlabel="Anzahl MINT-Regionen"),
    left=0.25,
)


PARTNERS = Figure(
    name="partnerstruktur",
    title="Partnerstruktur der MINT-Regionen {year}",
    sql=None,
    table="05_partnerstruktur",  # the published table: suppressed shares stay "."
    draw=hbar_chart(label="partner_type", value="share_percent",
                    xlabel="Anteil der MINT-Regionen mit mindestens einem solchen Partner in %",
                    decimals=1, limit=115),
    left=0.27,
)

# The publication's figures, in order (the map is drawn separately, see publications.maps).
FIGURES: tuple[Figure, ...] = (GROWTH, BY_LAND, PARTNERS)
