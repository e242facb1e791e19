"""What a page needs to draw the community map: the kinds of place, named, and the
outlines, pins and landmarks in SVG units. Shared by the map's pages and the toolkit's
printed sheets."""

from flask_babel import lazy_gettext as _l

from coprod.map import draw
from coprod.map import operations as ops
from coprod.models import Area, Round

WIDTH = 600  # the map picture's width; a press on it is read in these units

KIND = {
    # i18n: the kinds of place on the community map, in its legend and list.
    "remedy": _l("Idea"),
    "barrier": _l("Problem"),
    "asset": _l("Something the community has"),
    "landmark": _l("Street or place"),
}


def drawing(rnd: Round | None, pins: list[ops.Pin] | None = None, width: int = WIDTH) -> dict:
    """What a template needs to draw the map: outlines, pins and landmarks in SVG units."""
    frame = ops.frame(rnd, width)
    if frame is None:
        return {}
    outer = ops.outer_area(rnd)
    areas = ops.round_areas(rnd)

    def label(area: Area) -> tuple[float, float] | None:
        found = draw.centre(area.boundary)
        return frame.xy(*found) if found else None

    return {
        "width": frame.width,
        "height": frame.height,
        "outer": draw.path_d(outer.boundary, frame) if outer else "",
        "areas": [(a, draw.path_d(a.boundary, frame), label(a)) for a in areas if a.boundary],
        "pins": [(p, draw.shape(p.kind, *frame.xy(p.lon, p.lat))) for p in pins or []],
        "landmarks": [
            (p, frame.xy(p.lon, p.lat), draw.shape("landmark", *frame.xy(p.lon, p.lat), size=6))
            for p in ops.landmarks(rnd)
        ],
    }
