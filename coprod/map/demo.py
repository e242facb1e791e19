"""The demo ward's map: made-up outlines of Brookfield and its two halves, a few named
streets and places, community assets, barriers marked on the map and remedies' places."""

from sqlalchemy import select

from coprod.extensions import db
from coprod.map import operations as ops
from coprod.map.models import PUBLISHED
from coprod.models import Area, RemedyStatus, Round

# The line between north and south, west to east.
_MIDDLE = [(-1.913, 52.480), (-1.905, 52.4815), (-1.897, 52.4795), (-1.887, 52.4805)]
_NORTH_EDGE = [(-1.886, 52.4865), (-1.893, 52.4895), (-1.903, 52.4900), (-1.911, 52.4870)]
_SOUTH_EDGE = [(-1.889, 52.4725), (-1.897, 52.4700), (-1.908, 52.4705), (-1.914, 52.4745)]
LANDMARKS = {
    "brookfield-north": [
        ("Brookfield Library", -1.900, 52.4860),
        ("Stratford Road crossing", -1.893, 52.4835),
        ("Park Lane bus stop", -1.907, 52.4845),
    ],
    "brookfield-south": [
        ("Community Centre, Mill Street", -1.902, 52.4760),
        ("St Anne's Church hall", -1.894, 52.4745),
        ("Brookfield Primary School", -1.909, 52.4755),
    ],
}
ASSETS = [  # name, what it offers, landmark, published
    ("Community Centre hall", "Free on Tuesday evenings, room for 40 people.", 0, True),
    ("St Anne's kitchen", "A big kitchen groups can cook in on Saturdays.", 1, True),
    ("Library computers", "Twelve computers, free with a library card.", 2, True),
    ("Mosque meeting room", "Free for women's groups on weekday mornings.", 4, False),
]


def _ring(points: list[tuple[float, float]]) -> list[list[float]]:
    return [list(p) for p in points] + [list(points[0])]


def outlines() -> dict[str, dict]:
    """{area slug: GeoJSON MultiPolygon} for the ward and its two halves."""
    north = _ring(_MIDDLE + _NORTH_EDGE)
    south = _ring(_MIDDLE + _SOUTH_EDGE)
    ward = _ring([_MIDDLE[0], *reversed(_SOUTH_EDGE), _MIDDLE[-1], *_NORTH_EDGE])
    return {
        slug: {"type": "MultiPolygon", "coordinates": [[ring]]}
        for slug, ring in (
            ("brookfield", ward),
            ("brookfield-north", north),
            ("brookfield-south", south),
        )
    }


def load() -> None:
    """Outlines, landmarks and places for the demo (the caller commits)."""
    areas = {a.slug: a for a in db.session.scalars(select(Area))}
    everywhere: list[dict] = []
    for slug, outline in outlines().items():
        if slug in areas:
            areas[slug].boundary = outline
    for slug, places in LANDMARKS.items():
        marks = [{"name": n, "lon": lon, "lat": lat} for n, lon, lat in places]
        everywhere += marks
        if slug in areas:
            areas[slug].landmarks = marks
    areas["brookfield"].landmarks = sorted(everywhere, key=lambda p: p["name"])
    db.session.flush()

    ward = areas["brookfield"]
    made = []
    for name, about, at, published in ASSETS:
        place = everywhere[at]
        # Nudge each asset off its landmark, so both can be seen.
        where = (place["lon"] + 0.0012, place["lat"] - 0.0006)
        area = next(
            (areas[s] for s, ps in LANDMARKS.items() if s in areas and place["name"] in str(ps)),
            ward,
        )
        asset = ops.add_asset(name, about, "en", (*where, area))
        asset.status = PUBLISHED if published else asset.status
        made.append(asset)

    rounds = {r.slug: r for r in db.session.scalars(select(Round))}
    for slug in ("brookfield-2026", "brookfield-areas-2026", "brookfield-spring"):
        rnd = rounds.get(slug)
        if rnd is None:
            continue
        remedies = [r for r in rnd.remedies if r.status == RemedyStatus.PUBLISHED]
        for n, remedy in enumerate(remedies[:4]):
            place = everywhere[n % len(everywhere)]
            remedy.lon, remedy.lat = place["lon"] - 0.0015, place["lat"] + 0.0008
        if remedies:
            first = remedies[0]
            assert first.lon is not None and first.lat is not None
            ops.set_remedy_place(first, (first.lon, first.lat, ward), made[:1], None)
        barriers = {b.key: b for b in rnd.barriers}
        for key, note, at in (
            ("no-free-space", "The hall costs too much to hire for a small group.", 3),
            ("english-only", "The forms here are only in English.", 0),
        ):
            if key in barriers:
                place = everywhere[at]
                where = (place["lon"] + 0.0008, place["lat"] + 0.0010)
                area = ops.area_at(rnd, *where) or ward
                mark = ops.mark_barrier(rnd, barriers[key], note, "en", (*where, area))
                mark.status = PUBLISHED
    db.session.flush()
