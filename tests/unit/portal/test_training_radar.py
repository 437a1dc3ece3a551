"""The radar chart's geometry: axes from the top clockwise, values scaled to the radius, labels outside."""

from __future__ import annotations

import math

import pytest

from services.portal.radar import Point, angle, polygon, radar, wrap

SIX = ["Стратегия", "Готовност", "Хора", "Данни", "Автоматизация", "Зелена"]


def test_the_first_axis_points_up_and_the_others_follow_clockwise() -> None:
    assert angle(0, 6) == pytest.approx(-math.pi / 2)
    assert angle(1, 6) - angle(0, 6) == pytest.approx(math.pi / 3)
    chart = radar(SIX, [("T0", [100] * 6)], radius=100)
    top, right = chart.axes[0], chart.axes[1]
    assert top.x == pytest.approx(chart.centre.x)
    assert top.y == pytest.approx(chart.centre.y - 100)
    assert right.x > chart.centre.x  # clockwise: the second axis is to the right
    assert right.y < chart.centre.y


def test_a_value_is_its_share_of_the_maximum_along_its_axis() -> None:
    chart = radar(SIX, [("T1", [50, 0, 100, 25, 75, 10])], radius=100)
    vertices = chart.series[0].vertices
    for i, value in enumerate([50, 0, 100, 25, 75, 10]):
        distance = math.dist((vertices[i].x, vertices[i].y), (chart.centre.x, chart.centre.y))
        assert distance == pytest.approx(value, abs=0.01)


def test_values_outside_zero_to_maximum_are_clamped() -> None:
    chart = radar(SIX, [("T1", [150, -20, 100, 0, 0, 0])], radius=80)
    first, second = chart.series[0].vertices[:2]
    assert math.dist((first.x, first.y), (chart.centre.x, chart.centre.y)) == pytest.approx(80)
    assert (second.x, second.y) == (pytest.approx(chart.centre.x), pytest.approx(chart.centre.y))


def test_rings_are_regular_hexagons_at_their_values() -> None:
    chart = radar(SIX, [], radius=100, rings=(50, 100))
    assert [r.value for r in chart.rings] == [50, 100]
    inner = [tuple(map(float, pair.split(","))) for pair in chart.rings[0].points.split()]
    assert len(inner) == 6
    for x, y in inner:
        assert math.dist((x, y), (chart.centre.x, chart.centre.y)) == pytest.approx(50, abs=0.1)


def test_labels_sit_outside_the_chart_anchored_away_from_it() -> None:
    chart = radar(SIX, [], radius=100)
    top, upper_right, lower_right, bottom, lower_left, upper_left = chart.labels
    assert top.anchor == "middle" and top.y < chart.centre.y - 100
    assert bottom.anchor == "middle" and bottom.y > chart.centre.y + 100
    assert upper_right.anchor == lower_right.anchor == "start"
    assert upper_left.anchor == lower_left.anchor == "end"
    assert upper_right.x > chart.centre.x + 100 * math.cos(math.pi / 6)


def test_the_canvas_holds_the_chart_and_its_labels() -> None:
    chart = radar(["Дигитализация, ориентирана към човека", *SIX[1:]], [("T0", [10] * 6)], radius=120)
    assert [float(n) for n in chart.view_box.split()] == [0, 0, pytest.approx(chart.width), pytest.approx(chart.height)]
    assert chart.centre.x == pytest.approx(chart.width / 2)
    assert chart.centre.y == pytest.approx(chart.height / 2)
    for label in chart.labels:
        assert 0 <= label.y <= chart.height
        assert 0 <= label.x <= chart.width
    assert chart.labels[0].lines == ("Дигитализация,", "ориентирана", "към човека")


def test_long_labels_are_wrapped_by_words() -> None:
    assert wrap("Управление и свързаност на данните", 16) == ("Управление и", "свързаност на", "данните")
    assert wrap("Автоматизация", 5) == ("Автоматизация",)
    assert wrap("", 10) == ("",)


def test_polygon_points_are_written_with_one_decimal() -> None:
    assert polygon([Point(1, 2.26), Point(3.04, 4)]) == "1,2.3 3,4"


def test_a_series_must_have_a_value_per_axis_and_a_chart_three_axes() -> None:
    with pytest.raises(ValueError, match="3 values for 6 axes"):
        radar(SIX, [("T0", [1, 2, 3])])
    with pytest.raises(ValueError, match="at least three axes"):
        radar(["a", "b"], [])
