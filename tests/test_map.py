"""The community map in use: outlines uploaded, places marked without JavaScript, checked by
a moderator, shown as shapes and as a list, given as open data; the printable sheets."""

import io
import json

from sqlalchemy import select

from coprod.extensions import db
from coprod.map import draw
from coprod.map.models import Asset, BarrierMark
from coprod.models import Area, Phase, Role
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_people import sign_in

WARD = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[-1.92, 52.47], [-1.88, 52.47], [-1.88, 52.49], [-1.92, 52.49], [-1.92, 52.47]]]
    ],
}
LIBRARY = {"name": "The library", "lon": -1.9, "lat": 52.48}


def _mapped_round(phase=Phase.RATING):
    ward = Area(slug="ward", name="The Ward", boundary=WARD, landmarks=[LIBRARY])
    db.session.add(ward)
    db.session.commit()
    return make_round(phase, area_id=ward.id)


def test_an_organiser_uploads_an_outline_and_a_broken_file_is_refused_with_its_line(client):
    ward = Area(slug="ward", name="The Ward")
    db.session.add(ward)
    organiser = make_user(Role.ORGANISER)
    db.session.commit()
    sign_in(client, organiser.email, "correct horse battery")

    def send(raw: bytes):
        token = csrf_token(client, "/staff/map")
        data = {
            "csrf_token": token,
            "area": str(ward.id),
            "file": (io.BytesIO(raw), "ward.geojson"),
        }
        return client.post("/staff/map", data=data, content_type="multipart/form-data")

    broken = send(b'{"type": "FeatureCollection",\n "features": [,]}')
    assert broken.status_code == 400
    page = broken.get_data(as_text=True)
    assert "it is not JSON" in page and "Line 2." in page
    open_ring = {"type": "Polygon", "coordinates": [WARD["coordinates"][0][0][:-1]]}
    assert "does not end where it starts" in send(json.dumps(open_ring).encode()).get_data(
        as_text=True
    )
    assert db.session.get(Area, ward.id).boundary is None  # nothing kept from a bad file

    point = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-1.9, 52.48]},
        "properties": {"name": "The library"},
    }
    good = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": WARD, "properties": {}}, point],
    }
    assert send(json.dumps(good).encode()).status_code == 302
    db.session.expire_all()
    assert db.session.get(Area, ward.id).boundary == WARD
    assert db.session.get(Area, ward.id).landmarks == [LIBRARY]
    member = make_user(Role.MEMBER)
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, member.email, "correct horse battery")
    assert client.get("/staff/map").status_code == 403


def test_a_barrier_marked_by_a_press_on_the_map_shows_after_a_moderator_checks_it(client):
    rnd = _mapped_round()
    barrier = rnd.barriers[0]
    url = f"/rounds/{rnd.slug}/map/problem"
    form = client.get(url).get_data(as_text=True)
    assert 'type="image"' in form and f"/rounds/{rnd.slug}/map.svg" in form
    frame = draw.frame_for([WARD])
    x, y = frame.xy(-1.91, 52.485)
    data = {
        "csrf_token": csrf_token(client, url),
        "barrier": str(barrier.id),
        "note": "Cars go fast",
    }
    # A keyboard press on the picture sends 0, 0: the person is asked for a place, words kept.
    asked = client.post(url, data=data | {"at.x": "0", "at.y": "0"})
    assert asked.status_code == 400 and "Cars go fast" in asked.get_data(as_text=True)
    assert "Please choose a place from the list, or press on the map." in asked.get_data(
        as_text=True
    )
    corner = client.post(
        url, data=data | {"at.x": "3", "at.y": "3"}
    )  # inside the picture, off the ward
    assert "outside the area" in corner.get_data(as_text=True)
    sent = client.post(url, data=data | {"at.x": str(int(x)), "at.y": str(int(y))})
    assert sent.status_code == 302
    mark = db.session.scalar(select(BarrierMark))
    assert (
        mark.status == "waiting" and abs(mark.lon + 1.91) < 0.001 and abs(mark.lat - 52.485) < 0.001
    )
    assert "Cars go fast" not in client.get(f"/rounds/{rnd.slug}/map").get_data(as_text=True)

    moderator = make_user(Role.MODERATOR)
    sign_in(client, moderator.email, "correct horse battery")
    queue = client.get("/staff/moderate/").get_data(as_text=True)
    assert "Cars go fast" in queue
    token = csrf_token(client, "/staff/moderate/")
    client.post(f"/staff/moderate/map/problem/{mark.id}/publish", data={"csrf_token": token})
    page = client.get(f"/rounds/{rnd.slug}/map").get_data(as_text=True)
    assert f'href="#place-barrier-{mark.id}"' in page and "<polygon" in page  # the triangle
    assert f'id="place-barrier-{mark.id}"' in page and "Cars go fast" in page  # and the list
    feed = client.get(f"/api/v1/rounds/{rnd.slug}/map.geojson").get_json()
    kinds = [f["properties"]["kind"] for f in feed["features"]]
    assert kinds == ["barrier", "area"]


def test_an_asset_typed_in_from_paper_by_a_group_member_is_marked_so(client):
    rnd = _mapped_round()
    member = make_user(Role.MEMBER, group=rnd.remedies[0].group)
    sign_in(client, member.email, "correct horse battery")
    url = f"/rounds/{rnd.slug}/map/asset"
    data = {
        "csrf_token": csrf_token(client, url),
        "name": "Church hall",
        "about": "Free on Tuesdays",
    }
    refused = client.post(url, data=data | {"name": "<b>hall</b>", "landmark": "The library"})
    assert refused.status_code == 400 and "without HTML tags" in refused.get_data(as_text=True)
    unknown = client.post(url, data=data | {"landmark": "Nowhere street"})
    assert unknown.status_code == 400
    assert (
        client.post(url, data=data | {"landmark": "The library", "from_paper": "y"}).status_code
        == 302
    )
    asset = db.session.scalar(select(Asset))
    assert (asset.lon, asset.lat, asset.from_paper, asset.group_id) == (
        -1.9,
        52.48,
        True,
        member.group_id,
    )
    assert asset.status == "waiting"

    # The group's idea names the asset once it is published, and takes its place.
    asset.status = "published"
    db.session.commit()
    remedy = rnd.remedies[0]
    place_url = f"/proposals/{remedy.id}/place"
    token = csrf_token(client, place_url)
    saved = client.post(
        place_url, data={"csrf_token": token, "landmark": "The library", "assets": [str(asset.id)]}
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert (remedy.lon, remedy.lat) == (-1.9, 52.48)
    assert [r.id for r in db.session.get(Asset, asset.id).remedies] == [remedy.id]
    page = client.get(f"/rounds/{rnd.slug}/map").get_data(as_text=True)
    assert f'href="#place-remedy-{remedy.id}"' in page and "<circle" in page and "<rect" in page
    public = client.get(f"/rounds/{rnd.slug}/remedies/{remedy.id}").get_data(as_text=True)
    assert "Church hall" in public and "Free on Tuesdays" in public


def test_the_printable_sheets_show_the_round_and_a_large_type_option(client):
    rnd = _mapped_round(Phase.VOTING)
    ballot = client.get(
        f"/toolkit/rounds/{rnd.slug}/ballot?size=large", headers={"Accept-Language": "pl"}
    )
    page = ballot.get_data(as_text=True)
    assert ballot.status_code == 200 and 'class="sheet large"' in page and 'lang="pl"' in page
    assert all(r.t("title", "en").text in page for r in rnd.remedies)
    sheet = client.get(f"/toolkit/rounds/{rnd.slug}/asset-sheet").get_data(as_text=True)
    assert "<svg" in sheet and "The library" in sheet
    assert client.get("/toolkit/guide").status_code == 200
    assert client.get("/toolkit/nothing").status_code == 404


def test_the_council_dashboard_counts_ideas_and_assets_in_each_area(client):
    rnd = _mapped_round()
    ward = rnd.area
    for remedy in rnd.remedies[:2]:
        remedy.area_id = ward.id
    hall = Asset(key="hall", name="Hall", lon=-1.9, lat=52.48, area_id=ward.id, status="published")
    waiting = Asset(key="kitchen", name="Kitchen", lon=-1.9, lat=52.48, area_id=ward.id)
    db.session.add_all([hall, waiting])
    commissioner = make_user(Role.COMMISSIONER)
    sign_in(client, commissioner.email, "correct horse battery")
    page = client.get(f"/staff/council/rounds/{rnd.slug}").get_data(as_text=True)
    row = page[page.index('id="by-area"') :]
    row = row[row.index("The Ward") :]
    assert row.split("</tr>")[0].count('class="num">2<') == 1  # two ideas
    assert row.split("</tr>")[0].count('class="num">1<') == 1  # one asset: the other waits


def test_an_idea_typed_in_from_the_paper_form_is_marked_as_from_paper(client):
    from tests.test_propose import post_proposal, remedies_of

    rnd = make_round(Phase.PROPOSING)
    group = rnd.remedies[0].group
    member = make_user(Role.MEMBER, group=group)
    sign_in(client, member.email, "correct horse battery")
    assert post_proposal(client, rnd, from_paper="y").status_code == 302
    assert [r.from_paper for r in remedies_of(group) if r.status.value == "draft"] == [True]
