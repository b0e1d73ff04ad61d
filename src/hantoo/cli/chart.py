"""A candlestick chart with volume, drawn with plain matplotlib on the Agg backend.

Why by hand: mplfinance is one more dependency for thirty lines of bars and lines, and drawing
on a :class:`matplotlib.figure.Figure` with its own Agg canvas never touches pyplot's global
state or the user's display. The PNG has exactly the requested pixel size: the figure is
``width/dpi × height/dpi`` inches, saved at ``dpi`` with no tight bounding box.

Prices become floats here and only here: a chart is pixels, not money.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..domain.objects import Candle
from ..errors import ConfigurationError

UP = "#d62728"  # red: Korean charts draw a rising bar red
DOWN = "#1f5fbf"  # blue: and a falling one blue
DPI = 100


def render_chart(candles: Sequence[Candle], path: Path, *, width: int, height: int,
                 title: str) -> None:
    """Draw ``candles`` (oldest first) to a PNG of ``width`` × ``height`` pixels."""
    if width < 200 or height < 150:
        raise ValueError("--width must be at least 200 and --height at least 150 pixels")
    if not candles:
        raise ValueError("no candles in that range: nothing to draw")
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter
    except ImportError:
        raise ConfigurationError(
            "drawing charts needs matplotlib, which is not installed",
            hint='pip install "hantoo[chart]"',
        ) from None

    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 1, height_ratios=(3, 1), hspace=0.05,
                            left=0.13, right=0.98, top=0.92, bottom=0.1)
    price_ax = fig.add_subplot(grid[0])
    volume_ax = fig.add_subplot(grid[1], sharex=price_ax)

    xs = list(range(len(candles)))
    colors = [UP if c.close >= c.open else DOWN for c in candles]
    lows = [float(c.low) for c in candles]
    highs = [float(c.high) for c in candles]
    bottoms = [float(min(c.open, c.close)) for c in candles]
    span = max(highs) - min(lows) or 1.0
    bodies = [max(float(abs(c.close - c.open)), span * 0.002) for c in candles]
    body_width = 0.7

    price_ax.vlines(xs, lows, highs, colors=colors, linewidth=0.8)
    price_ax.bar(xs, bodies, bottom=bottoms, width=body_width, color=colors, linewidth=0)
    volume_ax.bar(xs, [c.volume for c in candles], width=body_width, color=colors,
                  linewidth=0)

    price_ax.set_title(title, fontsize=11)
    price_ax.grid(True, linewidth=0.3, alpha=0.6)
    volume_ax.grid(True, linewidth=0.3, alpha=0.6)
    price_ax.set_ylabel(str(candles[0].currency))
    volume_ax.set_ylabel("volume")
    price_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}" if v >= 100
                                                     else f"{v:,.2f}"))
    volume_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _short(v)))
    price_ax.tick_params(labelbottom=False)
    price_ax.set_xlim(-1, len(candles))

    step = max(1, len(candles) // 6)
    ticks = xs[::step]
    fmt = "%Y-%m-%d %H:%M" if candles[0].interval == "minute" else "%Y-%m-%d"
    volume_ax.set_xticks(ticks)
    volume_ax.set_xticklabels([candles[i].time.strftime(fmt) for i in ticks], fontsize=8)

    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(str(path), dpi=DPI, format="png")


def _short(value: float) -> str:
    """``12.5M`` — volume axis labels that fit."""
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:.0f}"
