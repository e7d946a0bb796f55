"""The loss curve over the descent steps: matplotlib SVG for HTML/PDF, plain TikZ for LaTeX.

Both draw ``sheet.history`` and only when it has more than two steps (otherwise they return
""). The y axis is logarithmic when the losses span more than two decades. matplotlib is
imported inside ``loss_plot_svg`` so that importing derive stays fast.
"""

from __future__ import annotations

import io
import math
import re
from html import escape

import numpy as np

from ...sheet.model import Worksheet

CURVE = "#2f6db3"
MAX_POINTS = 200
WIDTH_CM, HEIGHT_CM = 10.0, 3.6


def _series(sheet: Worksheet) -> tuple[list[int], list[float]]:
    """Steps and losses with finite losses only."""
    # a vector loss (one error per point) is plotted as its sum, which the tape minimises
    points = [(s.step, float(np.sum(s.loss))) for s in sheet.history if np.all(np.isfinite(s.loss))]
    return [p[0] for p in points], [p[1] for p in points]


def _log_scale(losses: list[float]) -> bool:
    """Log y when every loss is positive and they span more than two decades."""
    return bool(losses) and min(losses) > 0 and max(losses) / min(losses) > 100


def describe_plot(sheet: Worksheet) -> str:
    """The plot in words: its alternative text."""
    first, last = sheet.history[0], sheet.history[-1]
    return (f"Loss over {last.step} descent steps: {first.shown_loss} at step {first.step}, "
            f"{last.shown_loss} at step {last.step}.")


def loss_plot_svg(sheet: Worksheet) -> str:
    """The loss curve as an inline ``<svg>`` (no XML declaration, no ids), or "" for <= 2 steps."""
    if len(sheet.history) <= 2:
        return ""
    return _plot_svg(sheet, 'style="width:100%;max-width:{width}px;height:auto"')


def loss_plot_file(sheet: Worksheet) -> str:
    """The loss curve as an SVG file of its own (``<img src>`` beside a fragment), or "" for <= 2 steps."""
    if len(sheet.history) <= 2:
        return ""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _plot_svg(sheet, "")


def _plot_svg(sheet: Worksheet, root_style: str) -> str:
    """matplotlib's SVG of the curve, its size in CSS px and ``root_style`` (``{width}`` filled in)
    on the root element. Tick marks are left out (the grid shows where the ticks are): matplotlib
    draws them as ``<use>`` of an ``id``, and two sheets on one page would share those ids."""
    import matplotlib  # lazily: matplotlib costs start-up time
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    steps, losses = _series(sheet)
    style = {"svg.hashsalt": "derive", "svg.fonttype": "none", "svg.id": None, "path.simplify": False,
             "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"], "font.size": 9.0,
             "axes.linewidth": 0.8}
    with matplotlib.rc_context(style):
        figure = Figure(figsize=(6.0, 2.6), layout="constrained")
        axes = figure.add_subplot()
        line, = axes.plot(steps, losses, color=CURVE, linewidth=1.6)
        line.set_clip_on(False)  # no clip path, so no id to reference
        axes.set_xlabel("step")
        axes.set_ylabel("loss")
        if _log_scale(losses):
            axes.set_yscale("log")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
        axes.tick_params(which="both", length=0)
        for grid_line in (*axes.get_xgridlines(), *axes.get_ygridlines()):
            grid_line.set_clip_on(False)  # no clip path, so no id to reference
        axes.spines[["top", "right"]].set_visible(False)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg",
                       metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]  # no XML declaration or DOCTYPE: it is inlined in HTML
    # A <style> inside inline SVG would style the whole HTML page: keep its rules on the root.
    svg = re.sub(r"\s*<style[^>]*>.*?</style>", "", svg, flags=re.S).replace("<defs>\n </defs>", "")
    used = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', svg))  # keep only ids something refers to
    svg = re.sub(r'\s+id="([^"]*)"', lambda m: m[0] if m[1] in used else "", svg)
    svg = "\n".join(line for line in svg.splitlines() if line.strip())  # no blank line: Markdown keeps it
    width, height = (float(v) for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    about = escape(describe_plot(sheet))
    sizing = root_style.format(width=f"{width * 4 / 3:.0f}")
    return svg.replace(
        f'width="{width:g}pt" height="{height:g}pt"',
        f'width="{width * 4 / 3:.0f}" height="{height * 4 / 3:.0f}" role="img" aria-label="{about}" '
        'stroke-linejoin="round" stroke-linecap="butt"' + (f" {sizing}" if sizing else ""), 1).rstrip() + "\n"


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round numbers (1, 2 or 5 times a power of ten) covering [low, high]."""
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9) * step
    return [round(first + i * step, 12) for i in range(int(math.ceil((high - first) / step - 1e-9)) + 1)]


def _tick_tex(value: float) -> str:
    """A tick value as TeX: ``0.25``, ``$-1$`` or ``$10^{-3}$`` style."""
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        head = "" if mantissa == "1" else rf"{mantissa} \times "
        return rf"${head}10^{{{int(exponent)}}}$"
    return f"${text}$"


def _subsample(count: int, limit: int = MAX_POINTS) -> list[int]:
    """At most ``limit`` indices spread evenly over ``range(count)``, first and last kept."""
    if count <= limit:
        return list(range(count))
    return sorted({round(i * (count - 1) / (limit - 1)) for i in range(limit)})


def loss_plot_tikz(sheet: Worksheet) -> str:
    """The loss curve in plain TikZ (no pgfplots), or "" for <= 2 steps."""
    steps, losses = _series(sheet)
    if len(sheet.history) <= 2 or not steps:
        return ""
    log = _log_scale(losses)
    values = [math.log10(v) for v in losses] if log else losses
    if log:
        low, high = math.floor(min(values)), math.ceil(max(values))
        stride = max(1, math.ceil((high - low) / 7))  # at most about eight decade labels
        yticks = [float(k) for k in range(low, high + stride, stride)]
        ylabels = [rf"$10^{{{int(k)}}}$" for k in yticks]
    else:
        yticks = _nice_ticks(min(values), max(values))
        ylabels = [_tick_tex(v) for v in yticks]
    xticks = [v for v in _nice_ticks(steps[0], steps[-1]) if v == int(v)]
    x0, x1, y0, y1 = xticks[0], xticks[-1], yticks[0], yticks[-1]

    def at(x: float, y: float) -> str:
        return f"({(x - x0) / ((x1 - x0) or 1) * WIDTH_CM:.3f},{(y - y0) / ((y1 - y0) or 1) * HEIGHT_CM:.3f})"

    out = [r"\begingroup\setbox0=\hbox{%",
           r"\begin{tikzpicture}[font=\scriptsize,line cap=round,line join=round]"]
    for x in xticks:
        out.append(rf"\draw[black!15] {at(x, y0)} -- {at(x, y1)};")
        out.append(rf"\draw {at(x, y0)} -- ++(0,-0.08) node[below] {{${int(x)}$}};")
    for y, label in zip(yticks, ylabels, strict=True):
        out.append(rf"\draw[black!15] {at(x0, y)} -- {at(x1, y)};")
        out.append(rf"\draw {at(x0, y)} -- ++(-0.08,0) node[left] {{{label}}};")
    out.append(rf"\draw {at(x0, y1)} -- {at(x0, y0)} -- {at(x1, y0)};")
    points = " ".join(at(steps[i], values[i]) for i in _subsample(len(steps)))
    colour = "{{rgb,255:red,{};green,{};blue,{}}}".format(*(int(CURVE[i:i + 2], 16) for i in (1, 3, 5)))
    out.append(rf"\draw[line width=0.9pt,draw={colour}] plot coordinates {{{points}}};")
    out.append(rf"\node at ({WIDTH_CM / 2:.3f},-0.65) {{step}};")
    out.append(rf"\node[rotate=90] at (-1.15,{HEIGHT_CM / 2:.3f}) {{loss}};")
    out += [r"\end{tikzpicture}}%",
            r"\ifdim\wd0>\linewidth\setbox0=\hbox{\resizebox{\linewidth}{!}{\box0}}\fi",
            r"\par\noindent\makebox[\linewidth]{\box0}\par\endgroup", ""]
    return "\n".join(out)
