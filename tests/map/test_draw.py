"""The map's drawing core, on its own: GeoJSON read with reasons, projection, shapes."""

import json

import pytest

from coprod.map import draw

SQUARE = [[[-1.92, 52.47], [-1.88, 52.47], [-1.88, 52.49], [-1.92, 52.49], [-1.92, 52.47]]]
HOLE = [[-1.905, 52.475], [-1.895, 52.475], [-1.895, 52.485], [-1.905, 52.485], [-1.905, 52.475]]


def _file(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _feature(kind, coordinates, **props) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": kind, "coordinates": coordinates},
        "properties": props,
    }


def test_an_outline_and_its_named_points_are_read():
    outline, places = draw.read_geojson(
        _file(
            _feature("Polygon", SQUARE),
            _feature("Point", [-1.9, 52.48], name="  The library "),
            _feature("Point", [-1.9, 52.48]),  # no name: nothing to choose it by
            _feature("LineString", [[-1.9, 52.48], [-1.89, 52.48]]),
        )
    )
    assert outline == {"type": "MultiPolygon", "coordinates": [SQUARE]}
    assert places == [draw.Place("The library", -1.9, 52.48)]


@pytest.mark.parametrize(
    "raw,code,line,feature",
    [
        (b'{"type": "FeatureCollection",\n "features": [\n}', "not_json", 3, None),
        (b"\xff\xfe", "not_text", None, None),
        (b"[1, 2]", "not_geojson", None, None),
        (_file(_feature("Polygon", SQUARE), {"type": "Feature"}), "bad_feature", None, 2),
        (_file(_feature("Polygon", [SQUARE[0][:-1]])), "open_ring", None, 1),
        (_file(_feature("Polygon", [[[0, 0], [1, 1], [0, 0]]])), "bad_polygon", None, 1),
        (_file(_feature("Polygon", [[[0, 0], [200, 0], [1, 1], [0, 0]]])), "out_of_range", None, 1),
        (_file(_feature("Point", ["a", 1])), "bad_position", None, 1),
        (_file(_feature("Point", [0, 0], name="x")), "no_outline", None, None),
        (b" " * (draw.MAX_BYTES + 1), "too_big", None, None),
    ],
)
def test_a_file_that_is_no_map_is_refused_with_the_reason_and_where(raw, code, line, feature):
    with pytest.raises(draw.GeoJSONError) as refused:
        draw.read_geojson(raw)
    assert (refused.value.code, refused.value.line, refused.value.feature) == (code, line, feature)


def test_a_press_on_the_map_comes_back_as_the_point_drawn_there():
    geometry = {"type": "Polygon", "coordinates": SQUARE}
    frame = draw.frame_for([geometry], width=600)
    assert frame is not None and frame.width == 600
    # A square in degrees is wider than tall on the ground at 52° north.
    assert frame.height < frame.width
    x, y = frame.xy(-1.9, 52.48)
    assert frame.inside(x, y)
    lon, lat = frame.lonlat(x, y)
    assert lon == pytest.approx(-1.9, abs=1e-4) and lat == pytest.approx(52.48, abs=1e-4)
    # North is up: a point further north is drawn higher.
    assert frame.xy(-1.9, 52.489)[1] < y
    assert draw.frame_for([None]) is None


def test_a_point_in_a_hole_is_not_inside_the_area():
    with_hole = {"type": "Polygon", "coordinates": [SQUARE[0], HOLE]}
    assert draw.contains(with_hole, -1.915, 52.48)
    assert not draw.contains(with_hole, -1.9, 52.48)
    assert not draw.contains(with_hole, -1.8, 52.48)
    frame = draw.frame_for([with_hole])
    assert draw.path_d(with_hole, frame).count("M") == 2  # the hole is drawn too


def test_every_kind_has_its_own_shape_not_only_its_own_colour():
    shapes = {kind: draw.shape(kind, 10, 10) for kind in draw.KINDS}
    outlines = {(s["tag"], s.get("points", "").count(" ")) for s in shapes.values()}
    assert len(outlines) == len(draw.KINDS)
    assert len({s["fill"] for s in shapes.values()}) == len(draw.KINDS)
