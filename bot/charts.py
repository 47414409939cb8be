"""PNG charts of people: mentions per week and dated events, drawn with matplotlib's Agg backend.

Pure functions of plain data, CPU-bound: callers run them off the event loop (ChartService
uses a worker thread and a lock, since matplotlib's state is not thread-safe). Only the
object API is used (Figure + FigureCanvasAgg), never pyplot, so nothing global is touched.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.domain import Chart, EventView, WeeklyCount

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 3.0, 100  # an 800×300 image: readable in a Discord embed
BAR = "#2b6cb0"
LABEL_MAX = 40
EVENTS_MAX = 20


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _short(text: str, limit: int = LABEL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mentions_chart(name: str, weeks: Sequence[WeeklyCount]) -> Chart:
    """Bars of articles naming a person per week, with the total in the title."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
    axes = figure.add_subplot()
    total = sum(w.articles for w in weeks)
    if weeks:
        axes.bar(
            [w.week_start for w in weeks],  # type: ignore[arg-type]
            [w.articles for w in weeks],
            width=timedelta(days=5),  # type: ignore[arg-type]
            color=BAR,
            align="edge",
        )
        # Padding keeps a single week from being a zero-width range the date locator rejects.
        axes.set_xlim(
            weeks[0].week_start - timedelta(days=7),  # type: ignore[arg-type]
            weeks[-1].week_start + timedelta(days=14),  # type: ignore[arg-type]
        )
        locator = AutoDateLocator(maxticks=8)  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    else:
        axes.text(0.5, 0.5, "No articles yet", ha="center", va="center", transform=axes.transAxes)
    axes.set_ylabel("articles")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(f"{_short(name, 60)}: {total} article{'s' if total != 1 else ''}, by week")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    busiest = max(weeks, key=lambda w: w.articles) if weeks else None
    alt = f"Bar chart of articles naming {name} per week: {total} articles in {len(weeks)} weeks"
    if busiest is not None:
        alt += f", most in the week of {busiest.week_start.isoformat()} ({busiest.articles})"
    return Chart(_png(figure), _short(alt, 1000) + ".", "mentions.png")


def timeline_chart(name: str, events: Sequence[EventView]) -> Chart:
    """Dated events of a person on a time axis, labelled, in order."""
    dated = [e for e in events if e.when_start is not None][:EVENTS_MAX]
    figure = Figure(
        figsize=(WIDTH_IN, max(HEIGHT_IN, 0.35 * len(dated) + 1.2)), layout="constrained"
    )
    axes = figure.add_subplot()
    if dated:
        days = [e.when_start for e in dated if e.when_start is not None]
        rows = list(range(len(dated)))[::-1]
        axes.scatter(days, rows, color=BAR, zorder=3)  # type: ignore[arg-type]
        axes.hlines(rows, min(days), days, color="#cbd5e0", zorder=1)  # type: ignore[arg-type]
        axes.set_yticks(rows, [_short(e.name) for e in dated])
        pad = max(timedelta(days=7), (max(days) - min(days)) / 20)
        axes.set_xlim(min(days) - pad, max(days) + pad)  # type: ignore[arg-type]
        locator = AutoDateLocator(maxticks=8)  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    else:
        axes.text(0.5, 0.5, "No dated events", ha="center", va="center", transform=axes.transAxes)
        axes.set_yticks([])
    axes.set_title(f"Timeline of {_short(name, 60)}")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    parts = [f"{e.when_start.isoformat()} {_short(e.name)}" for e in dated if e.when_start]
    alt = f"Timeline of {name}: {len(dated)} dated events" + (
        ": " + "; ".join(parts) if parts else ""
    )
    return Chart(_png(figure), _short(alt, 1000) + ".", "timeline.png")
