"""The geometry of a radar (spider) chart, drawn as inline SVG by a template.

Pure arithmetic, no Flask: the axes start at the top and go clockwise, a value of ``maximum`` reaches the
outer ring, and each axis has a label placed just outside the chart, anchored so it reads away from it.
The canvas is sized so the wrapped labels fit inside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

FONT_SIZE = 14
LINE_HEIGHT = 17
CHARACTER_WIDTH = 8.6
"""A generous average width of a (Cyrillic) character at ``FONT_SIZE``, to keep room for the labels."""
LABEL_GAP = 10


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Label:
    """An axis label: where its first line's baseline starts, how it is anchored, its wrapped lines."""

    x: float
    y: float
    anchor: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Ring:
    value: float
    points: str


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]
    vertices: tuple[Point, ...]

    @property
    def points(self) -> str:
        return polygon(self.vertices)


@dataclass(frozen=True)
class Radar:
    width: float
    height: float
    centre: Point
    radius: float
    axes: tuple[Point, ...]
    rings: tuple[Ring, ...]
    labels: tuple[Label, ...]
    series: tuple[Series, ...]
    font_size: int = FONT_SIZE
    line_height: int = LINE_HEIGHT

    @property
    def view_box(self) -> str:
        return f"0 0 {_fmt(self.width)} {_fmt(self.height)}"


def _fmt(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def polygon(points: Sequence[Point]) -> str:
    """The ``points`` attribute of an SVG polygon: ``"x,y x,y …"`` with one decimal."""
    return " ".join(f"{_fmt(p.x)},{_fmt(p.y)}" for p in points)


def angle(index: int, count: int) -> float:
    """The angle (radians) of axis ``index`` of ``count``: the first points up, the others follow clockwise."""
    return -math.pi / 2 + 2 * math.pi * index / count


def wrap(text: str, width: int) -> tuple[str, ...]:
    """Words in lines of at most ``width`` characters (a longer word gets a line of its own)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return tuple(lines) or ("",)


def _anchor(cos: float) -> str:
    if abs(cos) < 0.2:
        return "middle"
    return "start" if cos > 0 else "end"


def radar(
    axis_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    maximum: float = 100,
    rings: Sequence[float] = (25, 50, 75, 100),
    radius: float = 150,
    label_width: int = 13,
) -> Radar:
    """A radar chart of ``series`` (name, one value per axis) over the axes named ``axis_labels``.

    Values are clamped to 0…``maximum``. Needs at least three axes (fewer make no polygon).
    """
    count = len(axis_labels)
    if count < 3:
        raise ValueError("a radar chart needs at least three axes")
    for name, values in series:
        if len(values) != count:
            raise ValueError(f"series {name!r} has {len(values)} values for {count} axes")
    wrapped = [wrap(label, label_width) for label in axis_labels]
    widest = max(len(line) for lines in wrapped for line in lines) * CHARACTER_WIDTH
    tallest = max(len(lines) for lines in wrapped) * LINE_HEIGHT
    margin_x = LABEL_GAP + widest + 4
    margin_y = LABEL_GAP + tallest + 4
    centre = Point(margin_x + radius, margin_y + radius)
    directions = [(math.cos(angle(i, count)), math.sin(angle(i, count))) for i in range(count)]

    def at(index: int, value: float) -> Point:
        share = min(max(value, 0.0), maximum) / maximum
        cos, sin = directions[index]
        return Point(round(centre.x + radius * share * cos, 3), round(centre.y + radius * share * sin, 3))

    labels = []
    for (cos, sin), lines in zip(directions, wrapped, strict=True):
        x = centre.x + (radius + LABEL_GAP) * cos
        y = centre.y + (radius + LABEL_GAP) * sin
        block = len(lines) * LINE_HEIGHT
        if sin < -0.2:  # above the centre: the block ends just above the axis end
            top = y - block
        elif sin > 0.2:  # below: it starts just below
            top = y
        else:
            top = y - block / 2
        labels.append(Label(round(x, 3), round(top + LINE_HEIGHT * 0.8, 3), _anchor(cos), lines))
    return Radar(
        width=round(2 * centre.x, 3),
        height=round(2 * centre.y, 3),
        centre=centre,
        radius=radius,
        axes=tuple(at(i, maximum) for i in range(count)),
        rings=tuple(Ring(value, polygon([at(i, value) for i in range(count)])) for value in rings),
        labels=tuple(labels),
        series=tuple(
            Series(name, tuple(values), tuple(at(i, v) for i, v in enumerate(values))) for name, values in series
        ),
    )
