"""The community map's drawing core: GeoJSON in, SVG coordinates and shapes out.

Plain Python, no Flask and no network: the server draws the whole map itself, so no page
asks another host for tiles. Longitude and latitude are projected flat (equirectangular,
with longitude shrunk by the cosine of the middle latitude), which is exact enough for a
ward or a city and can be turned back into longitude and latitude for a click on the map.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MAX_BYTES = 512 * 1024  # a ward's outline is a few kilobytes; a city's, a few hundred
MAX_POSITIONS = 20_000
NAME_MAX = 120

# Each kind of place has its own shape as well as its own colour, so a map printed in grey,
# or read by someone who does not tell red from green, still shows which is which.
KINDS = ("remedy", "barrier", "asset", "landmark")
COLOURS = {"remedy": "#1d4ed8", "barrier": "#b91c1c", "asset": "#166534", "landmark": "#4b5563"}


class GeoJSONError(ValueError):
    """A file that is not a usable map: `code` says why, `line` or `feature` says where."""

    def __init__(self, code: str, *, line: int | None = None, feature: int | None = None):
        super().__init__(code)
        self.code, self.line, self.feature = code, line, feature


@dataclass(frozen=True)
class Place:
    """A named point people can choose from a list instead of pressing on the map."""

    name: str
    lon: float
    lat: float


def _position(value, feature: int) -> tuple[float, float]:
    if (
        not isinstance(value, list)
        or len(value) < 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value[:2])
    ):
        raise GeoJSONError("bad_position", feature=feature)
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise GeoJSONError("out_of_range", feature=feature)
    return lon, lat


def _rings(value, feature: int) -> list[list[tuple[float, float]]]:
    if not isinstance(value, list) or not value:
        raise GeoJSONError("bad_polygon", feature=feature)
    rings = []
    for ring in value:
        if not isinstance(ring, list) or len(ring) < 4:
            raise GeoJSONError("bad_polygon", feature=feature)
        points = [_position(p, feature) for p in ring]
        if points[0] != points[-1]:
            raise GeoJSONError("open_ring", feature=feature)
        rings.append(points)
    return rings


def read_geojson(raw: bytes) -> tuple[dict, list[Place]]:
    """An uploaded file's outline (a MultiPolygon) and its named points, or GeoJSONError.

    Polygons and MultiPolygons make the outline; Points with a "name" are landmarks.
    """
    if len(raw) > MAX_BYTES:
        raise GeoJSONError("too_big")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise GeoJSONError("not_text") from None
    except json.JSONDecodeError as bad:
        raise GeoJSONError("not_json", line=bad.lineno) from None
    if not isinstance(data, dict):
        raise GeoJSONError("not_geojson")
    if data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise GeoJSONError("not_geojson")
    elif data.get("type") == "Feature":
        features = [data]
    elif data.get("type") in ("Polygon", "MultiPolygon"):
        features = [{"type": "Feature", "geometry": data, "properties": {}}]
    else:
        raise GeoJSONError("not_geojson")

    polygons: list = []
    places: list[Place] = []
    positions = 0
    for n, feature in enumerate(features, 1):
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            raise GeoJSONError("bad_feature", feature=n)
        geometry, props = feature["geometry"], feature.get("properties") or {}
        kind, coords = geometry.get("type"), geometry.get("coordinates")
        if kind == "Polygon":
            found = [_rings(coords, n)]
        elif kind == "MultiPolygon":
            if not isinstance(coords, list) or not coords:
                raise GeoJSONError("bad_polygon", feature=n)
            found = [_rings(p, n) for p in coords]
        elif kind == "Point":
            lon, lat = _position(coords, n)
            name = props.get("name") if isinstance(props, dict) else None
            if isinstance(name, str) and name.strip():
                places.append(Place(name.strip()[:NAME_MAX], lon, lat))
            continue
        else:
            continue  # lines and the like are not drawn; they do not spoil the rest
        positions += sum(len(r) for p in found for r in p)
        if positions > MAX_POSITIONS:
            raise GeoJSONError("too_detailed", feature=n)
        polygons += [[[list(pt) for pt in ring] for ring in p] for p in found]
    if not polygons:
        raise GeoJSONError("no_outline")
    return {"type": "MultiPolygon", "coordinates": polygons}, places


def polygons(geometry: dict | None) -> list:
    """The polygons of a Polygon or MultiPolygon, as lists of rings of [lon, lat]."""
    if not geometry:
        return []
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry.get("coordinates") or [])


def _positions(geometries: Iterable[dict | None]) -> Iterator[tuple[float, float]]:
    for geometry in geometries:
        for polygon in polygons(geometry):
            for ring in polygon:
                for lon, lat, *_ in ring:
                    yield lon, lat


@dataclass(frozen=True)
class Frame:
    """How longitude and latitude become SVG x and y on a map `width` by `height`."""

    west: float
    north: float
    scale: float  # SVG units per degree of latitude
    shrink: float  # cos(middle latitude): a degree of longitude is this much shorter
    width: int
    height: int

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        """SVG coordinates of a point, to one decimal."""
        x = (lon - self.west) * self.shrink * self.scale
        y = (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        """The point under SVG coordinates (a press on the map), to about a metre."""
        lon = self.west + x / (self.scale * self.shrink)
        lat = self.north - y / self.scale
        return round(lon, 6), round(lat, 6)

    def inside(self, x: float, y: float) -> bool:
        return 0 <= x <= self.width and 0 <= y <= self.height


def frame_for(geometries: Iterable[dict | None], width: int = 600, pad: int = 20) -> Frame | None:
    """A frame that shows every outline with `pad` units to spare; None with no outline."""
    found = list(_positions(geometries))
    if not found:
        return None
    lons, lats = [p[0] for p in found], [p[1] for p in found]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    shrink = math.cos(math.radians((north + south) / 2))
    span_x = max((east - west) * shrink, 1e-6)
    span_y = max(north - south, 1e-6)
    scale = (width - 2 * pad) / span_x
    height = round(span_y * scale + 2 * pad)
    if height > width * 1.5:  # a tall, thin place: fit its height instead
        height = round(width * 1.5)
        scale = (height - 2 * pad) / span_y
    # Centre the outline: move the west and north edges out by the padding.
    west -= (width - span_x * scale) / 2 / (scale * shrink)
    north += (height - span_y * scale) / 2 / scale
    return Frame(west, north, scale, shrink, width, height)


def path_d(geometry: dict | None, frame: Frame) -> str:
    """An SVG path's `d` for an outline, holes and all (drawn with fill-rule evenodd)."""
    parts = []
    for polygon in polygons(geometry):
        for ring in polygon:
            points = [frame.xy(p[0], p[1]) for p in ring]
            parts.append("M" + " L".join(f"{x:g} {y:g}" for x, y in points[:-1]) + " Z")
    return " ".join(parts)


def _in_ring(ring: list, lon: float, lat: float) -> bool:
    inside = False
    for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:], strict=False):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains(geometry: dict | None, lon: float, lat: float) -> bool:
    """True when the point lies inside the outline (and not in one of its holes)."""
    for outer, *holes in polygons(geometry):
        if _in_ring(outer, lon, lat) and not any(_in_ring(h, lon, lat) for h in holes):
            return True
    return False


def centre(geometry: dict | None) -> tuple[float, float] | None:
    """A point to write an area's name at: the middle of its largest polygon's corners."""
    best = max(polygons(geometry), key=lambda p: len(p[0]), default=None)
    if best is None:
        return None
    ring = best[0][:-1]
    return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)


def shape(kind: str, x: float, y: float, size: float = 9) -> dict:
    """One pin: an SVG element name and its attributes. Remedy: circle; barrier: triangle
    pointing up (a warning sign); asset: square; landmark: a small diamond."""
    colour = COLOURS[kind]
    common = {"fill": colour, "stroke": "#ffffff", "stroke-width": "2"}
    if kind == "remedy":
        return {"tag": "circle", "cx": x, "cy": y, "r": size} | common
    if kind == "barrier":
        h = size * 1.2
        points = f"{x:g},{y - h:g} {x + h:g},{y + h * 0.8:g} {x - h:g},{y + h * 0.8:g}"
        return {"tag": "polygon", "points": _tidy(points)} | common
    if kind == "asset":
        s = size * 0.9
        return {"tag": "rect", "x": x - s, "y": y - s, "width": 2 * s, "height": 2 * s} | common
    s = size * 0.6
    points = f"{x:g},{y - s:g} {x + s:g},{y:g} {x:g},{y + s:g} {x - s:g},{y:g}"
    return {"tag": "polygon", "points": _tidy(points)} | common


def _tidy(points: str) -> str:
    return " ".join(
        ",".join(f"{round(float(v), 1):g}" for v in pair.split(",")) for pair in points.split()
    )
