"""The map's writes and reads: outlines, places marked on the map, moderation, open data.

Each write flushes; the request commits once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select

from coprod.extensions import db
from coprod.map import draw
from coprod.map.models import PUBLISHED, REJECTED, WAITING, Asset, BarrierMark, remedy_asset
from coprod.models import Area, Barrier, Group, Remedy, RemedyStatus, Round, User
from coprod.operations import audit


class PlaceError(ValueError):
    """A place that cannot be used; `code` says why (see the routes' messages)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- Areas and their outlines ------------------------------------------------------------------


def set_outline(area: Area, raw: bytes, actor: User) -> int:
    """Store an uploaded GeoJSON file as the area's outline and landmarks; how many landmarks.

    Raises draw.GeoJSONError for a file that is not a usable map (nothing is changed).
    """
    outline, places = draw.read_geojson(raw)
    area.boundary = outline
    area.landmarks = [{"name": p.name, "lon": p.lon, "lat": p.lat} for p in places]
    audit.record("area_map_uploaded", actor=actor, area=area.slug, landmarks=len(places))
    db.session.flush()
    return len(places)


def round_areas(rnd: Round | None) -> list[Area]:
    """The areas a round's map draws: its pots' areas, else the round's own area; for the
    place as a whole (`rnd` None), every area with an outline that lies in no other."""
    if rnd is None:
        found = db.session.scalars(select(Area).order_by(Area.name)).all()
        with_outline = [a for a in found if a.boundary]
        ids = {a.id for a in with_outline}
        return [a for a in with_outline if a.parent_id not in ids]
    areas = [p.area for p in rnd.pots if p.area is not None]
    if not areas and rnd.area is not None:
        areas = [rnd.area]
    return areas


def outer_area(rnd: Round | None) -> Area | None:
    """The place the round is for, when it has an outline of its own (drawn underneath)."""
    if rnd is not None and rnd.area is not None and rnd.area.boundary and rnd.pots:
        return rnd.area
    return None


def frame(rnd: Round | None, width: int = 600) -> draw.Frame | None:
    outer = outer_area(rnd)
    areas = [outer] if outer else round_areas(rnd)
    return draw.frame_for([a.boundary for a in areas], width)


def landmarks(rnd: Round | None) -> list[draw.Place]:
    """Named places to choose from, sorted by name (the outer area's too)."""
    outer = outer_area(rnd)
    areas = round_areas(rnd) + ([outer] if outer else [])
    found = {(p["name"], p["lon"], p["lat"]) for a in areas for p in (a.landmarks or [])}
    return [draw.Place(*p) for p in sorted(found, key=lambda p: p[0].casefold())]


def area_at(rnd: Round | None, lon: float, lat: float) -> Area | None:
    """The round's area this point lies in, or None when it lies in none of them."""
    for area in round_areas(rnd):
        if draw.contains(area.boundary, lon, lat):
            return area
    outer = outer_area(rnd)
    if outer is not None and draw.contains(outer.boundary, lon, lat):
        return outer
    return None


def place_from(
    rnd: Round | None, landmark: str, x: str | None, y: str | None, width: int = 600
) -> tuple[float, float, Area]:
    """The point a person chose: a landmark by name, else a press at (x, y) on the map
    picture. Raises PlaceError("no_place") when neither names a place inside the area."""
    if landmark:
        for place in landmarks(rnd):
            if place.name == landmark:
                lon, lat = place.lon, place.lat
                break
        else:
            raise PlaceError("no_place")
    else:
        found = frame(rnd, width)
        try:
            px, py = int(x or ""), int(y or "")
        except ValueError:
            raise PlaceError("no_place") from None
        # A keyboard press on the picture sends 0, 0: no place was pointed at.
        if found is None or (px, py) == (0, 0) or not found.inside(px, py):
            raise PlaceError("no_place")
        lon, lat = found.lonlat(px, py)
    area = area_at(rnd, lon, lat)
    if area is None:
        raise PlaceError("outside")
    return lon, lat, area


# --- Places people add; moderators check them ---------------------------------------------------


def mark_barrier(
    rnd: Round,
    barrier: Barrier,
    note: str,
    lang: str,
    place: tuple[float, float, Area],
    *,
    from_paper: bool = False,
) -> BarrierMark:
    """A barrier marked on the round's map, waiting for a moderator."""
    lon, lat, area = place
    mark = BarrierMark(
        round_id=rnd.id,
        barrier_id=barrier.id,
        area_id=area.id,
        note=note.strip(),
        lang=lang,
        lon=lon,
        lat=lat,
        from_paper=from_paper,
    )
    db.session.add(mark)
    db.session.flush()
    return mark


def add_asset(
    name: str,
    about: str,
    lang: str,
    place: tuple[float, float, Area],
    *,
    group: Group | None = None,
    from_paper: bool = False,
) -> Asset:
    """A community asset, waiting for a moderator."""
    lon, lat, area = place
    asset = Asset(
        key=secrets.token_hex(8),
        name=name.strip(),
        about=about.strip(),
        lang=lang,
        lon=lon,
        lat=lat,
        area_id=area.id,
        group_id=group.id if group else None,
        from_paper=from_paper,
    )
    db.session.add(asset)
    db.session.flush()
    return asset


def waiting() -> tuple[list[BarrierMark], list[Asset]]:
    """Places waiting for a moderator's check, oldest first."""
    marks = db.session.scalars(
        select(BarrierMark).where(BarrierMark.status == WAITING).order_by(BarrierMark.id)
    ).all()
    assets = db.session.scalars(
        select(Asset).where(Asset.status == WAITING).order_by(Asset.id)
    ).all()
    return list(marks), list(assets)


def decide(item: BarrierMark | Asset, actor: User, publish: bool) -> None:
    """Publish a place, or keep it off the map for good."""
    item.status = PUBLISHED if publish else REJECTED
    outcome = "published" if publish else "rejected"
    if isinstance(item, Asset):
        audit.record(f"asset_{outcome}", actor=actor, asset=item.id)
    else:
        audit.record(f"barrier_mark_{outcome}", actor=actor, round=item.round, mark=item.id)
    db.session.flush()


def set_remedy_place(
    remedy: Remedy,
    place: tuple[float, float, Area] | None,
    assets: list[Asset],
    actor: User | None,
) -> None:
    """Where a remedy would happen (None: nowhere in particular) and the assets it would use."""
    remedy.lon, remedy.lat = (place[0], place[1]) if place else (None, None)
    db.session.execute(delete(remedy_asset).where(remedy_asset.c.remedy_id == remedy.id))
    if assets:
        db.session.execute(
            insert(remedy_asset), [{"remedy_id": remedy.id, "asset_id": a.id} for a in assets]
        )
    audit.record("remedy_place_set", actor=actor, remedy=remedy)
    db.session.flush()


def assets_of(remedy: Remedy) -> list[Asset]:
    """The assets a remedy would use."""
    return list(
        db.session.scalars(
            select(Asset)
            .join(remedy_asset, remedy_asset.c.asset_id == Asset.id)
            .where(remedy_asset.c.remedy_id == remedy.id)
            .order_by(Asset.name)
        ).all()
    )


def published_assets(areas: list[Area]) -> list[Asset]:
    ids = [a.id for a in areas]
    return list(
        db.session.scalars(
            select(Asset)
            .where(Asset.status == PUBLISHED, Asset.area_id.in_(ids))
            .order_by(Asset.name)
        ).all()
    )


# --- What the map shows ---------------------------------------------------------------------------


@dataclass
class Pin:
    kind: str
    id: int
    lon: float
    lat: float
    area_id: int | None
    title: str  # in the reader's language where there is one
    detail: str = ""
    lang: str = "en"
    href: str = ""


@dataclass
class MapData:
    areas: list[Area]
    outer: Area | None
    pins: list[Pin] = field(default_factory=list)


def map_data(rnd: Round | None, lang: str) -> MapData:
    """Every published place on a round's map (or the whole place's), as pins."""
    areas = round_areas(rnd)
    outer = outer_area(rnd)
    data = MapData(areas, outer)
    everywhere = areas + ([outer] if outer else [])
    if rnd is not None:
        for r in rnd.remedies:
            if r.status == RemedyStatus.PUBLISHED and r.lon is not None and r.lat is not None:
                title = r.t("title", lang)
                area = area_at(rnd, r.lon, r.lat)
                data.pins.append(
                    Pin(
                        "remedy",
                        r.id,
                        r.lon,
                        r.lat,
                        area.id if area else None,
                        str(title or ""),
                        lang=title.lang if title else lang,
                    )
                )
        marks = db.session.scalars(
            select(BarrierMark)
            .where(BarrierMark.round_id == rnd.id, BarrierMark.status == PUBLISHED)
            .order_by(BarrierMark.id)
        ).all()
        for m in marks:
            title = m.barrier.t("title", lang)
            data.pins.append(
                Pin(
                    "barrier",
                    m.id,
                    m.lon,
                    m.lat,
                    m.area_id,
                    str(title or ""),
                    m.note,
                    m.lang,
                )
            )
    for a in published_assets(everywhere):
        data.pins.append(Pin("asset", a.id, a.lon, a.lat, a.area_id, a.name, a.about, a.lang))
    return data


def geojson(rnd: Round, lang: str = "en") -> dict:
    """Open data: the round's published remedies, barriers and assets as a FeatureCollection."""
    data = map_data(rnd, lang)
    slugs = {a.id: a.slug for a in data.areas + ([data.outer] if data.outer else [])}
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "kind": p.kind,
                    "id": p.id,
                    "title": p.title,
                    "detail": p.detail,
                    "lang": p.lang,
                    "area": slugs.get(p.area_id) if p.area_id else None,
                },
            }
            for p in data.pins
        ]
        + [
            {
                "type": "Feature",
                "geometry": a.boundary,
                "properties": {"kind": "area", "area": a.slug, "name": a.name},
            }
            for a in data.areas
            if a.boundary
        ],
    }
