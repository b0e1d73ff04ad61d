"""A candlestick chart with volume, drawn with plain matplotlib on the Agg backend.

Why by hand: mplfinance is one more dependency for thirty lines of bars and lines, and drawing
on a :class:`matplotlib.figure.Figure` with its own Agg canvas never touches pyplot's global
state or the user's display. The PNG has exactly the requested pixel size: the figure is
``width/dpi × height/dpi`` inches, saved at ``dpi`` with no tight bounding box.

Prices become floats here and only here: a chart is pixels, not money. The moving averages are
computed exactly (``Decimal`` means of closes) and only then drawn.

What a trader expects on a daily chart: simple moving averages of the close over 5, 20, 60 and
120 bars (``--ma`` picks others, ``--no-ma`` none), and the price axis on the right, next to the
latest bar. The caller may pass bars from before the visible range (``visible_from``) so that
every average is defined from the first visible bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.objects import Candle
from ..errors import ConfigurationError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

UP = "#d62728"  # red: Korean charts draw a rising bar red
DOWN = "#1f5fbf"  # blue: and a falling one blue
DPI = 100
DEFAULT_MAS = (5, 20, 60, 120)
#: Line colours of the averages, short to long (the usual HTS palette: fast lines warm).
MA_COLORS = ("#ff7f0e", "#2ca02c", "#9467bd", "#7f7f7f", "#8c564b", "#17becf")


def moving_average(closes: Sequence[Decimal], window: int) -> list[Decimal | None]:
    """The simple moving average of ``closes`` over ``window`` bars; ``None`` until defined."""
    out: list[Decimal | None] = []
    total = Decimal(0)
    for i, close in enumerate(closes):
        total += close
        if i >= window:
            total -= closes[i - window]
        out.append(total / window if i >= window - 1 else None)
    return out


def parse_mas(text: str) -> tuple[int, ...]:
    """``"5,20"`` → ``(5, 20)``; a usage error naming the option otherwise."""
    try:
        values = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        raise ValueError(f"--ma {text!r}: give bar counts separated by commas, e.g. 5,20,60")\
            from None
    if not values or any(v < 2 or v > 500 for v in values):
        raise ValueError(f"--ma {text!r}: each average needs 2 to 500 bars, e.g. 5,20,60,120")
    return tuple(dict.fromkeys(values))


def render_chart(candles: Sequence[Candle], path: Path, *, width: int, height: int,
                 title: str, mas: Sequence[int] = DEFAULT_MAS, visible_from: int = 0) -> None:
    """Draw ``candles`` (oldest first) to a PNG of ``width`` × ``height`` pixels."""
    fig = build_figure(candles, width=width, height=height, title=title, mas=mas,
                       visible_from=visible_from)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(str(path), dpi=DPI, format="png")


def build_figure(candles: Sequence[Candle], *, width: int, height: int, title: str,
                 mas: Sequence[int] = DEFAULT_MAS, visible_from: int = 0) -> Figure:
    """The chart as a figure: candles from ``visible_from`` on, averages over all ``candles``."""
    if width < 200 or height < 150:
        raise ValueError("--width must be at least 200 and --height at least 150 pixels")
    shown = list(candles[visible_from:])
    if not shown:
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
                            left=0.03, right=0.88, top=0.92, bottom=0.1)
    price_ax = fig.add_subplot(grid[0])
    volume_ax = fig.add_subplot(grid[1], sharex=price_ax)

    xs = list(range(len(shown)))
    colors = [UP if c.close >= c.open else DOWN for c in shown]
    lows = [float(c.low) for c in shown]
    highs = [float(c.high) for c in shown]
    bottoms = [float(min(c.open, c.close)) for c in shown]
    span = max(highs) - min(lows) or 1.0
    bodies = [max(float(abs(c.close - c.open)), span * 0.002) for c in shown]
    body_width = 0.7

    price_ax.vlines(xs, lows, highs, colors=colors, linewidth=0.8)
    price_ax.bar(xs, bodies, bottom=bottoms, width=body_width, color=colors, linewidth=0)
    volume_ax.bar(xs, [c.volume for c in shown], width=body_width, color=colors,
                  linewidth=0)

    closes = [c.close for c in candles]
    for n, color in zip(mas, MA_COLORS * (len(mas) // len(MA_COLORS) + 1), strict=False):
        values = moving_average(closes, n)[visible_from:]
        points = [(x, float(v)) for x, v in zip(xs, values, strict=True) if v is not None]
        if points:  # an average longer than the data has no point to draw
            price_ax.plot([p[0] for p in points], [p[1] for p in points], color=color,
                          linewidth=1.0, label=f"MA{n}", gid=f"ma{n}")
    if price_ax.get_lines():
        price_ax.legend(loc="upper left", fontsize=8, frameon=False, ncol=len(mas))

    price_ax.set_title(title, fontsize=11)
    price_ax.grid(True, linewidth=0.3, alpha=0.6)
    volume_ax.grid(True, linewidth=0.3, alpha=0.6)
    for ax in (price_ax, volume_ax):  # the scale next to the latest bar, as HTS draw it
        ax.yaxis.tick_right()
        ax.yaxis.set_label_position("right")
    price_ax.set_ylabel(str(shown[0].currency))
    volume_ax.set_ylabel("volume")
    price_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}" if v >= 100
                                                     else f"{v:,.2f}"))
    volume_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _short(v)))
    price_ax.tick_params(labelbottom=False)
    price_ax.set_xlim(-1, len(shown))

    step = max(1, len(shown) // 6)
    ticks = xs[::step]
    fmt = "%Y-%m-%d %H:%M" if shown[0].interval == "minute" else "%Y-%m-%d"
    volume_ax.set_xticks(ticks)
    volume_ax.set_xticklabels([shown[i].time.strftime(fmt) for i in ticks], fontsize=8)
    return fig


def _short(value: float) -> str:
    """``12.5M`` — volume axis labels that fit."""
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:.0f}"
