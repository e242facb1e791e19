"""Delivery people can see: a funded remedy's stages, late promises, updates, case studies,
the round's glance and the open data."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from coprod.delivery import operations as deliveries
from coprod.extensions import db
from coprod.models import Count, Phase, Role
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in

TODAY = date.today()


def funded_round():
    """A counted round whose first two remedies got the money (a stored count says so)."""
    rnd = make_round(Phase.COUNTED)
    first, second, _third = rnd.remedies
    db.session.add(
        Count(
            round_id=rnd.id,
            rule="greedy",
            utility="cost",
            inputs_sha256="0" * 64,
            ballots=3,
            spent=first.cost + second.cost,
            selected=[str(first.id), str(second.id)],
            explanations={},
        )
    )
    db.session.commit()
    return rnd


def test_a_funded_remedy_moves_through_its_stages_and_late_promises_show(app, client):
    rnd = funded_round()
    remedy, other, unfunded = rnd.remedies
    base = f"/rounds/{rnd.slug}/remedies"
    assert client.get(f"{base}/{unfunded.id}/delivery").status_code == 404
    page = client.get(f"{base}/{remedy.id}/delivery").get_data(as_text=True)
    assert "Planned" in page and "Change the facts" not in page
    assert client.post(f"{base}/{remedy.id}/delivery/facts").status_code in (302, 400, 401)

    staff = app.test_client()
    sign_in(staff, make_user(Role.COUNCILLOR))
    url = f"{base}/{remedy.id}/delivery"
    token = csrf_token(staff, url)
    facts = {
        "csrf_token": token,
        "stage": "started",
        "responsible": "Parks team",
        "money_promised": "4000",
        "money_spent": "1,000",
        "start_promised": (TODAY - timedelta(days=20)).isoformat(),
        "started_on": (TODAY - timedelta(days=18)).isoformat(),
        "done_promised": (TODAY - timedelta(days=2)).isoformat(),
    }
    staff.post(f"{url}/facts", data=facts)
    page = client.get(url).get_data(as_text=True)
    assert "Started" in page and "Parks team" in page and "Late" in page
    glance = client.get(f"/rounds/{rnd.slug}").get_data(as_text=True)
    assert "2 ideas got money" in glance and "1 is late" in glance
    board = staff.get(f"/staff/council/rounds/{rnd.slug}").get_data(as_text=True)
    assert "1 is late" in board

    # A photo needs words for people who cannot see it.
    bad = staff.post(
        f"{url}/updates",
        data={"csrf_token": token, "note": "Spades in.", "photo_url": "https://example.org/a.jpg"},
    )
    assert bad.status_code == 400 and "Please say what the photo shows." in bad.get_data(
        as_text=True
    )
    staff.post(
        f"{url}/updates",
        data={
            "csrf_token": token,
            "note": "Spades in.",
            "photo_url": "https://example.org/a.jpg",
            "photo_alt": "A spade in soil",
        },
    )
    assert 'alt="A spade in soil"' in client.get(url).get_data(as_text=True)

    staff.post(
        f"{url}/facts",
        data=facts | {"stage": "done", "done_on": TODAY.isoformat(), "money_spent": "3900"},
    )
    page = client.get(url).get_data(as_text=True)
    assert "Done" in page and "Late" not in page
    data = client.get(f"/api/v1/rounds/{rnd.slug}/delivery").get_json()
    assert data["summary"] == {
        "funded": 2,
        "started": 1,
        "done": 1,
        "late": 0,
        "promised": 4000 + other.cost,
        "spent": 3900,
    }


def test_the_case_study_needs_consent_for_stories_and_prints_on_its_own_page(app, client):
    rnd = funded_round()
    remedy = rnd.remedies[0]
    member = make_user(Role.MEMBER, group=remedy.group)
    writer = app.test_client()
    sign_in(writer, member)
    url = f"/rounds/{rnd.slug}/remedies/{remedy.id}/case-study/write"
    said = writer.post(
        url,
        data={"csrf_token": csrf_token(writer, url), "before": "a", "after": "b", "who": "c"},
        follow_redirects=True,
    )
    assert "once the work is done" in said.get_data(as_text=True)
    deliveries.ensure(remedy).stage = "done"
    db.session.commit()
    form = {
        "csrf_token": csrf_token(writer, url),
        "before": "Each family found its own way.",
        "before_cost": "9000",
        "after": "Neighbours run it together.",
        "after_cost": "4000",
        "who": "Older people meet every week.",
        "stories": "I know the whole street now.",
    }
    refused = writer.post(url, data=form)
    assert refused.status_code == 400 and "leave the stories out" in refused.get_data(as_text=True)
    writer.post(url, data=form | {"consent": "y"})
    page = client.get(f"/case-studies/{remedy.id}").get_data(as_text=True)
    assert "We used to do" in page and "Neighbours run it together." in page
    assert "I know the whole street now." in page and "one A4 sheet" in page
    assert "Neighbours run it together." in client.get("/case-studies").get_data(as_text=True)
    # someone from another group cannot write it
    stranger = app.test_client()
    sign_in(stranger, make_user(Role.MEMBER))
    assert stranger.get(url).status_code == 403
    assert db.session.scalars(select(deliveries.CaseStudy)).one().stories_consent


def _photo(kind: str, size=(1600, 1000), *, gps: bool = False) -> bytes:
    from io import BytesIO

    from PIL import Image

    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (52.0, 28.0, 0.0)}  # where it was taken
        exif[0x0112] = 6  # turned on its side
    out = BytesIO()
    Image.new("RGB", size, "green").save(out, kind, exif=exif.tobytes())
    return out.getvalue()


def test_staff_and_the_group_upload_photos_checked_shrunk_and_without_location(app, client):
    from io import BytesIO

    from PIL import Image

    rnd = funded_round()
    remedy = rnd.remedies[0]
    url = f"/rounds/{rnd.slug}/remedies/{remedy.id}/delivery"
    staff = app.test_client()
    sign_in(staff, make_user(Role.COUNCILLOR))
    token = csrf_token(staff, url)
    assert 'enctype="multipart/form-data"' in staff.get(url).get_data(as_text=True)

    def send(who, raw: bytes, name: str, alt: str = "New trees by the path", **more):
        form = {"csrf_token": token, "note": "Planted.", "photo_alt": alt, **more}
        form["photo"] = (BytesIO(raw), name)
        return who.post(f"{url}/updates", data=form, content_type="multipart/form-data")

    # Refused, with the reason in the person's words and the note kept: not a photo (whatever
    # its name says), a kind we do not show, too big, or no words for people who cannot see.
    refusals = [
        (b"<?php evil(); ?>", "trees.jpg", {}, "not a photo we can show"),
        (_photo("GIF"), "trees.gif", {}, "not a photo we can show"),
        (b"\xff\xd8" + b"0" * (5 * 1024 * 1024), "big.jpg", {}, "bigger than 5 MB"),
        (_photo("PNG"), "trees.png", {"alt": ""}, "Please say what the photo shows."),
    ]
    for raw, name, more, reason in refusals:
        refused = send(staff, raw, name, **more)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 400 and reason in html and "Planted." in html, name
    polish = staff.post(
        f"{url}/updates",
        data={
            "csrf_token": token,
            "note": "x",
            "photo_alt": "y",
            "photo": (BytesIO(b"x"), "x.jpg"),
        },
        content_type="multipart/form-data",
        headers={"Accept-Language": "pl"},
    )
    assert polish.status_code == 400 and 'lang="pl"' in polish.get_data(as_text=True)
    assert "not a photo we can show" not in polish.get_data(as_text=True)

    # A phone's photo with its place in it: shrunk, turned upright, its EXIF gone.
    assert send(staff, _photo("JPEG", (2000, 1500), gps=True), "IMG_1.JPG").status_code == 302
    page = client.get(url).get_data(as_text=True)
    [src] = re.findall(r'src="(/delivery/photos/\d+\.jpg)"', page)
    assert 'alt="New trees by the path"' in page
    served = client.get(src)
    assert served.mimetype == "image/jpeg" and "max-age=31536000" in served.headers["Cache-Control"]
    with Image.open(BytesIO(served.data)) as shown:
        assert shown.size == (1200, 1600) and not dict(shown.getexif())  # upright, no place
    assert client.get(src, headers={"If-None-Match": served.headers["ETag"]}).status_code == 304
    assert client.get(src.replace(".jpg", ".png")).status_code == 404

    # The group that proposed it can add one too (a WebP), and a web address still works.
    group = app.test_client()
    sign_in(group, make_user(group=remedy.group))
    token = csrf_token(group, url)
    assert send(group, _photo("WEBP", (600, 400)), "p.webp").status_code == 302
    assert re.search(r'src="/delivery/photos/\d+\.webp"', client.get(url).get_data(as_text=True))
