"""Where the report's chart puts things: a mean with its interval for each score band.

Pure geometry, with no Django import; templates/matching/includes/_report_chart.html draws
it as inline SVG with presentation attributes only (the Content-Security-Policy allows no
inline style or script). The vertical scale is the whole 0 to 10 of the questions, so a
small difference is not drawn as a large one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matching.report_figures import Figure

CHART_WIDTH = 320
CHART_HEIGHT = 220
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 34, 310, 14, 170
SCALE_MAX = 10
TICKS = (0, 2, 4, 6, 8, 10)
CAP_HALF_WIDTH = 6  # the short ends of an interval's line


def y_of(value: float) -> float:
    """The vertical position of a rating from 0 (bottom) to SCALE_MAX (top)."""
    share = min(max(value, 0.0), SCALE_MAX) / SCALE_MAX
    return round(PLOT_BOTTOM - share * (PLOT_BOTTOM - PLOT_TOP), 2)


@dataclass(frozen=True)
class ChartBand:
    label: str
    x: float
    shown: bool
    y: float | None = None
    y_low: float | None = None
    y_high: float | None = None
    value_text: str = ""
    count_text: str = ""

    @property
    def cap_left(self) -> float:
        return round(self.x - CAP_HALF_WIDTH, 2)

    @property
    def cap_right(self) -> float:
        return round(self.x + CAP_HALF_WIDTH, 2)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    ticks: tuple[tuple[float, str], ...]
    bands: tuple[ChartBand, ...]
    label_y: int
    count_y: int


def band_chart(bands: Sequence[tuple[str, Figure]]) -> Chart:
    """One column per band: the mean and its interval, or "too few" where held back."""
    step = (PLOT_RIGHT - PLOT_LEFT) / max(len(bands), 1)
    columns = []
    for index, (label, figure) in enumerate(bands):
        x = round(PLOT_LEFT + step * (index + 0.5), 2)
        count = f"n = {figure.intros}"
        if figure.shown and figure.value is not None:
            low, high = figure.interval or (figure.value, figure.value)
            columns.append(
                ChartBand(
                    label=label,
                    x=x,
                    shown=True,
                    y=y_of(figure.value),
                    y_low=y_of(low),
                    y_high=y_of(high),
                    value_text=figure.value_text,
                    count_text=count,
                )
            )
        else:
            columns.append(ChartBand(label=label, x=x, shown=False, count_text=count))
    return Chart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        left=PLOT_LEFT,
        right=PLOT_RIGHT,
        top=PLOT_TOP,
        bottom=PLOT_BOTTOM,
        ticks=tuple((y_of(tick), str(tick)) for tick in TICKS),
        bands=tuple(columns),
        label_y=PLOT_BOTTOM + 18,
        count_y=PLOT_BOTTOM + 34,
    )
