"""The week-by-week chart as plain geometry, drawn as SVG by the template (no script, no
inline style: colours come from classes in the stylesheet)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
HEIGHT = 200
MARGIN_LEFT = 36
MARGIN_BOTTOM = 24
MARGIN_TOP = 8


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass
class Chart:
    width: int
    height: int
    baseline: float
    planned: list[Bar]
    hours: list[Bar]
    done_marks: list[Bar]
    week_labels: list[tuple[float, int]]
    y_ticks: list[tuple[float, int]]


def week_chart(rows: list, *, budget: int) -> Chart:
    """Per week: planned hours (outline), checked-in hours (bar) and topics done (dots)."""
    top = max(
        [budget, *(r.planned_hours for r in rows), *((r.checked_in_hours or 0) for r in rows)]
    )
    top = max(top, 1)
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    slot = (WIDTH - MARGIN_LEFT) / max(len(rows), 1)
    bar_width = max(slot * 0.6, 2)
    baseline = HEIGHT - MARGIN_BOTTOM

    def bar(index: int, value: float, label: str, width: float = bar_width) -> Bar:
        height = plot_height * value / top
        x = MARGIN_LEFT + index * slot + (slot - width) / 2
        return Bar(
            round(x, 1), round(baseline - height, 1), round(width, 1), round(height, 1), label
        )

    planned, hours, marks = [], [], []
    for index, row in enumerate(rows):
        planned.append(
            bar(index, row.planned_hours, f"week {row.number}: {row.planned_hours} h planned")
        )
        if row.checked_in_hours:
            hours.append(
                bar(
                    index,
                    row.checked_in_hours,
                    f"week {row.number}: {row.checked_in_hours} h studied",
                    bar_width * 0.6,
                )
            )
        for n in range(row.topics_done):
            x = MARGIN_LEFT + index * slot + slot / 2 - 3
            marks.append(Bar(round(x, 1), round(baseline - 8 - n * 8, 1), 6, 6, ""))
    labels = [
        (round(MARGIN_LEFT + i * slot + slot / 2, 1), row.number)
        for i, row in enumerate(rows)
        if len(rows) <= 20 or row.number % 4 == 1
    ]
    ticks = [(round(baseline - plot_height * v / top, 1), v) for v in sorted({0, budget, top})]
    return Chart(WIDTH, HEIGHT, baseline, planned, hours, marks, labels, ticks)
