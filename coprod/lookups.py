"""Finding the round a URL names, and loading what a reader's page shows, for every blueprint."""

import functools
from typing import TYPE_CHECKING

from flask import abort
from flask_babel import get_locale
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from coprod.extensions import db
from coprod.i18n import readable
from coprod.models import Content, ContentText, Phase, Remedy, RemedyStatus, Round

if TYPE_CHECKING:  # the type SQLAlchemy's loader functions return
    from sqlalchemy.orm.strategy_options import _AbstractLoad


def round_or_404(slug: str, *, drafts: bool = False, options: tuple = ()) -> Round:
    """The round with this slug; 404 when there is none, or it is a draft the public can't see.

    `options` are loader options, so a busy page loads what it shows in one query.
    """
    found = db.session.execute(select(Round).where(Round.slug == slug).options(*options))
    rnd = found.unique().scalar_one_or_none()
    if rnd is None or (rnd.phase == Phase.DRAFT and not drafts):
        abort(404)
    return rnd


@functools.cache
def texts_read_in(lang: str):
    """`Content.texts`, only in `lang` (and the languages its readers also read) and in the
    language each was written in: all that `Content.text` can show a reader in `lang`.

    For pages that only show content: a remedy has six fields in every language, and a
    ballot page loaded all of them, nine rows for each one it shows. A collection loaded
    this way is not whole, so a page that writes content must load it without this.

    Made once per language: the option is an immutable part of a statement, and building
    its subquery took half a millisecond of every page.
    """
    wanted = sorted(readable(lang))
    own = aliased(Content)
    written_in = select(own.original_lang).where(own.id == ContentText.content_id)
    return Content.texts.and_(
        or_(ContentText.lang.in_(wanted), ContentText.lang == written_in.scalar_subquery())
    )


def with_texts(relationship) -> "_AbstractLoad":
    """Loader option: `relationship` (a `content`) joined in, with its texts in the reader's
    language only (`texts_read_in`). For pages that show content and write none."""
    return _with_texts_in(relationship, str(get_locale()))


@functools.cache
def _with_texts_in(relationship, lang: str) -> "_AbstractLoad":
    # Immutable, like texts_read_in's option, and 0.7 ms to build: made once per language.
    return joinedload(relationship).joinedload(texts_read_in(lang))


def published_remedies(rnd: Round, only: set[str] | None = None) -> list[Remedy]:
    """The round's published remedies (or `only` those ids), with their texts in the
    reader's language, in one query."""
    query = (
        select(Remedy)
        .where(Remedy.round_id == rnd.id, Remedy.status == RemedyStatus.PUBLISHED)
        .options(with_texts(Remedy.content))
        .order_by(Remedy.id)
    )
    if only is not None:
        query = query.where(Remedy.id.in_([int(i) for i in only]))
    return list(db.session.scalars(query).unique())


def with_remedies_texts() -> tuple:
    """Loader options for a round and all its remedies, with their texts in the reader's
    language: for read-only pages that list every remedy (results, answers)."""
    return (
        with_texts(Round.content),
        selectinload(Round.remedies).options(with_texts(Remedy.content)),
    )
