"""People charts: real PNGs of the right size with ink on them, cached until new articles arrive."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from matplotlib.image import imread

from bot.charts import DPI, HEIGHT_IN, WIDTH_IN, mentions_chart
from bot.domain import Chart, WeeklyCount
from tests.services.conftest import OpenPeopleApp

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def pixels(chart: Chart) -> tuple[int, int, float]:
    """(width, height, share of pixels that are not the white background)."""
    assert chart.png.startswith(PNG_SIGNATURE)
    image = imread(io.BytesIO(chart.png), format="png")
    height, width = image.shape[:2]
    ink = (image[:, :, :3].min(axis=2) < 0.9).mean()
    return width, height, float(ink)


def test_the_mentions_chart_is_a_png_of_the_set_size_with_bars_on_it() -> None:
    weeks = [WeeklyCount(date(2026, 3, 2), 3), WeeklyCount(date(2026, 3, 9), 0)]
    weeks.append(WeeklyCount(date(2026, 3, 16), 5))
    chart = mentions_chart("Kim Jong Un", weeks)
    width, height, ink = pixels(chart)
    assert (width, height) == (int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI))
    assert ink > 0.02  # bars, axes and text, not a blank canvas
    assert "8 articles in 3 weeks" in chart.alt_text and "2026-03-16 (5)" in chart.alt_text
    empty = pixels(mentions_chart("Kim Jong Un", []))
    assert ink > empty[2]  # the bars add ink


async def test_who_and_timeline_charts_are_cached_until_a_new_article_names_the_person(
    open_people_app: OpenPeopleApp, tmp_path: Path
) -> None:
    app = await open_people_app()
    chart = await app.charts.mentions("Kim")
    assert chart.filename == "mentions.png" and "Kim Jong Un" in chart.alt_text
    width, height, ink = pixels(chart)
    assert width >= 600 and height >= 200 and ink > 0.02
    assert await app.charts.mentions("Kim Jong Un") is chart and app.charts.renders == 1
    timeline = await app.charts.timeline("Kim Jong Un")
    assert timeline.filename == "timeline.png" and pixels(timeline)[2] > 0.01
    assert app.charts.renders == 2
    # Another article naming him arrives: the cached chart is stale and is drawn again.
    # A report of its own (a copy of the seed would be folded into it as a link).
    body = (
        "\nPublished: 2026-03-10\n\nNorth Korean leader Kim Jong Un toured a tractor factory in "
        "Pyongyang on Monday, state media reported, and urged its workers to double output "
        "before the spring planting.\n\nKim also inspected a new housing block nearby, the "
        "report said, and praised the builders for finishing it ahead of schedule."
    )
    (tmp_path / "more.txt").write_text(
        "Kim Jong Un tours a tractor factory" + body, encoding="utf-8"
    )
    [outcome] = await app.articles.ingest_paths([tmp_path / "more.txt"])
    assert outcome.status == "added"
    fresh = await app.charts.mentions("Kim Jong Un")
    assert fresh is not chart and app.charts.renders == 3
    assert "2 articles" in fresh.alt_text
