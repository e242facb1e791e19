"""Writes and sums for delivery: each write flushes; the caller commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from coprod.delivery.models import STAGES, CaseStudy, Delivery, DeliveryPhoto, DeliveryUpdate
from coprod.delivery.photos import Photo
from coprod.extensions import db
from coprod.following import operations as following
from coprod.models import Count, Remedy, Round, User
from coprod.operations import audit
from coprod.operations.content import new_content

CASE_FIELDS = ("before", "after", "who", "stories")


class DeliveryError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def funded_ids(rnd: Round) -> list[int]:
    """The remedies the latest count of each pot chose, in the order chosen."""
    latest: dict[int | None, Count] = {}
    for count in db.session.scalars(
        select(Count).where(Count.round_id == rnd.id).order_by(Count.id)
    ):
        latest[count.pot_id] = count
    return [int(i) for count in latest.values() for i in count.selected]


def is_funded(remedy: Remedy) -> bool:
    return remedy.id in funded_ids(remedy.round)


def of(remedy: Remedy) -> Delivery | None:
    return db.session.scalar(select(Delivery).where(Delivery.remedy_id == remedy.id))


def ensure(remedy: Remedy) -> Delivery:
    """The remedy's delivery record, made on first use with the money it was funded for."""
    found = of(remedy)
    if found is None:
        found = Delivery(remedy=remedy, money_promised=remedy.cost, stage="planned")
        db.session.add(found)
        db.session.flush()
    return found


def set_facts(
    delivery: Delivery,
    *,
    stage: str,
    responsible: str,
    money_promised: int,
    money_spent: int,
    start_promised: date | None,
    started_on: date | None,
    done_promised: date | None,
    done_on: date | None,
    actor: User,
) -> None:
    """Change the stage, dates, money and who is responsible; followers hear "started" and
    "finished" once, when the stage first gets there."""
    if stage not in STAGES:
        raise DeliveryError("unknown_stage")
    before = STAGES.index(delivery.stage)
    delivery.stage, delivery.responsible = stage, responsible.strip()
    delivery.money_promised, delivery.money_spent = money_promised, money_spent
    delivery.start_promised, delivery.started_on = start_promised, started_on
    delivery.done_promised, delivery.done_on = done_promised, done_on
    after = STAGES.index(stage)
    audit.record("delivery_changed", actor=actor, remedy=delivery.remedy, stage=stage)
    db.session.flush()
    if before < 1 <= after:
        following.tell("remedy", delivery.remedy_id, "started")
    if before < 2 <= after:
        following.tell("remedy", delivery.remedy_id, "finished")


def add_update(
    delivery: Delivery,
    note: str,
    lang: str,
    on: date,
    *,
    by_group: bool,
    photo_url: str = "",
    photo_alt: str = "",
    photo: Photo | None = None,
    actor: User,
) -> DeliveryUpdate:
    """A dated note, maybe with a photo: an uploaded one (`photo`, prepared by
    `coprod.delivery.photos`) or the address of one on the web; either needs its words."""
    if (photo_url or photo is not None) and not photo_alt.strip():
        raise DeliveryError("photo_needs_words")
    update = DeliveryUpdate(
        delivery=delivery,
        on=on,
        by_group=by_group,
        note=note.strip(),
        lang=lang,
        photo_url=photo_url.strip(),
        photo_alt=photo_alt.strip(),
    )
    if photo is not None:
        update.photo = DeliveryPhoto(
            media_type=photo.media_type, width=photo.width, height=photo.height, data=photo.data
        )
    db.session.add(update)
    audit.record("delivery_update", actor=actor, remedy=delivery.remedy)
    db.session.flush()
    return update


def case_study(remedy: Remedy) -> CaseStudy | None:
    return db.session.scalar(select(CaseStudy).where(CaseStudy.remedy_id == remedy.id))


def write_case_study(
    remedy: Remedy,
    lang: str,
    texts: dict[str, str],
    *,
    before_cost: int | None,
    after_cost: int | None,
    stories_consent: bool,
    actor: User,
) -> CaseStudy:
    """Write (or rewrite) a done remedy's case study; stories only with people's consent."""
    delivery = of(remedy)
    if delivery is None or delivery.stage != "done":
        raise DeliveryError("not_done")
    if texts.get("stories", "").strip() and not stories_consent:
        raise DeliveryError("no_consent")
    study = case_study(remedy)
    if study is None:
        study = CaseStudy(remedy=remedy, content=new_content(lang, {}))
        db.session.add(study)
    for field in CASE_FIELDS:
        study.content.set(field, lang, texts.get(field, "").strip(), reviewed=True)
    study.before_cost, study.after_cost = before_cost, after_cost
    study.stories_consent = stories_consent
    audit.record("case_study_written", actor=actor, remedy=remedy)
    db.session.flush()
    return study


def all_case_studies() -> list[CaseStudy]:
    return list(db.session.scalars(select(CaseStudy).order_by(CaseStudy.id)).unique())


def place_of(remedy: Remedy) -> str:
    """The area a remedy was for ("" for the whole place)."""
    area = remedy.area or remedy.round.area
    return area.name if area else ""


def theme_of(remedy: Remedy, lang: str) -> str:
    """The problem ("brick in the wall") a remedy answers, in `lang` ("" when none)."""
    title = remedy.barrier.t("title", lang) if remedy.barrier else None
    return title.text if title else ""


def case_studies_by(by: str, lang: str) -> list[tuple[str, list[CaseStudy]]]:
    """Case studies gathered by area ("area") or by the problem they answer ("theme"), in
    alphabetical order, the ones with neither last."""
    groups: dict[str, list[CaseStudy]] = {}
    for study in all_case_studies():
        key = theme_of(study.remedy, lang) if by == "theme" else place_of(study.remedy)
        groups.setdefault(key, []).append(study)
    return sorted(groups.items(), key=lambda item: (item[0] == "", item[0].casefold()))


@dataclass
class Glance:
    """A round's delivery in a line: how many funded, started, done and late; the money."""

    funded: int
    started: int
    done: int
    late: int
    promised: int
    spent: int


def glance(rnd: Round, today: date) -> Glance | None:
    ids = funded_ids(rnd)
    if not ids:
        return None
    found = {
        d.remedy_id: d
        for d in db.session.scalars(select(Delivery).where(Delivery.remedy_id.in_(ids)))
    }
    costs = dict(db.session.execute(select(Remedy.id, Remedy.cost).where(Remedy.id.in_(ids))).all())
    rows = [found.get(i) for i in ids]
    return Glance(
        funded=len(ids),
        started=sum(1 for d in rows if d and d.stage in ("started", "done")),
        done=sum(1 for d in rows if d and d.stage == "done"),
        late=sum(1 for d in rows if d and d.late(today)),
        promised=sum(
            d.money_promised if d else costs.get(i, 0) for i, d in zip(ids, rows, strict=True)
        ),
        spent=sum(d.money_spent for d in rows if d),
    )


def rows(rnd: Round, today: date) -> list[tuple[Remedy, Delivery | None]]:
    """Each funded remedy with its delivery record (None until someone writes one)."""
    ids = funded_ids(rnd)
    out = []
    for remedy_id in ids:
        remedy = db.session.get_one(Remedy, remedy_id)
        out.append((remedy, of(remedy)))
    return out
