"""Hostile text in every box people type into: stored or refused cleanly, always shown as text.

Two guards at the end walk the code: every typed field (text, numbers and dates typed as
text) of every form built on `coprod.forms.Form` must belong to a form a test here posts
to, and every place a view reads the request's text itself must be named by a test here.
The strategy `filled` draws a value for *every* typed field of a form, so a new field gets
hostile text from the day it exists.

Each example goes through the real route with a CSRF token and checks what a person meets:
never a server error; either the text is stored (control characters dropped as the base
form drops them, spaces trimmed where the operation trims) and shown, or the form comes back
with a message by the box and everything else typed still in its box; and wherever text is
shown, the page is parsed as a browser would and no element or attribute came from it.
"""

import ast
import csv
import importlib
import io
import json
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from html.parser import HTMLParser
from itertools import count
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import email_validator
import pytest
from flask_wtf import FlaskForm
from flask_wtf.file import FileField as UploadField
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from wtforms import BooleanField, FieldList, FileField, FormField, SubmitField
from wtforms.fields.choices import SelectFieldBase
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.validators import Optional as OptionalField

import coprod
from coprod import i18n, mail, tally
from coprod.accounts import groups, second_factor
from coprod.accounts.forms import AppCodeForm, InviteForm, LoginForm
from coprod.admin.forms import ClearSheetForm, CodesForm, ImportForm, PaperForm
from coprod.admin.settings import ReplaceCodeForm, SettingsForm
from coprod.admin.setup_forms import AreasForm, BallotForm, DatesForm, MoneyForm, NameForm
from coprod.conversation import operations as conversation
from coprod.conversation.forms import PaperForm as SpokenPaperForm
from coprod.conversation.forms import (
    StartAloneForm,
    StartForm,
    StatementForm,
    ThemeCountsForm,
    ThemeForm,
    ThemeTargetForm,
)
from coprod.conversation.models import Mark, Statement, StatementStatus, Theme, ThemeCount
from coprod.council.forms import AnswerForm, ContactForm, SendForm, UpdateForm
from coprod.delivery.forms import CaseStudyForm, FactsForm
from coprod.delivery.forms import UpdateForm as DeliveryUpdateForm
from coprod.extensions import db, limiter
from coprod.following.forms import FollowForm
from coprod.forms import Form
from coprod.ideas.forms import (
    CodeSupportForm,
    EmailSupportForm,
    IdeaAnswerForm,
    IdeaChangeForm,
    IdeaForm,
    PaperSupportForm,
    RuleForm,
    TranslateAnswerForm,
)
from coprod.map.forms import AssetForm, BarrierMarkForm
from coprod.map.models import Asset, BarrierMark
from coprod.models import (
    AuditEvent,
    Ballot,
    Contact,
    ContentText,
    CouncilSettings,
    Eligibility,
    Offer,
    PanelDraw,
    PaperEntry,
    Phase,
    Rating,
    Remedy,
    RemedyReport,
    RemedyStatus,
    ResponseUpdate,
    Role,
    Round,
    TranslationSuggestion,
    User,
    VoterCode,
)
from coprod.moderate.forms import ChangesForm, RejectForm, ReviewForm
from coprod.offers.forms import OfferForm, RoundOfferForm
from coprod.operations import ballots, codes, offers, proposals, responses, workshops
from coprod.operations.counting import count_round
from coprod.operations.glossary import load_seed
from coprod.operations.phase import change_phase
from coprod.panels.forms import DrawForm
from coprod.participate.forms import CodeForm, ReceiptForm
from coprod.propose.forms import (
    ForgotPasswordForm,
    MaxLength,
    MinLength,
    NewPasswordForm,
    NoMarkup,
    ProposalForm,
    ReportForm,
    Required,
    SignUpForm,
    TranslationForm,
)
from coprod.toolkit.routes import RatingSheetForm
from coprod.translate.forms import SuggestionForm
from coprod.workshop.forms import (
    EntryForm,
    SeatForm,
    SeatingForm,
    SignInForm,
    TableCodeForm,
)
from coprod.workshop.forms import StartForm as WorkshopStartForm
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_council import sent_round, signed_in
from tests.test_staff import PASSWORD, SECRET, sign_in


@pytest.fixture
def app(app, monkeypatch):
    """The shared test app without rate limits: many posts here."""
    monkeypatch.setattr(limiter, "enabled", False)
    return app


# --- Hostile text -------------------------------------------------------------------------

MARKUP = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea></title><b class=hostile>hi</b>",
    "<!-- ",
)
BREAKERS = (
    "'",
    '"',
    "&",
    "&amp;",
    "&lt;b&gt;",
    "\\",
    "`",
    '" autofocus onfocus="alert(1)" x="',
    "' onmouseover='alert(1)' x='",
    "javascript:alert(1)",
    "{{ 7*7 }}",
    "%(name)s",
    "%s",
    "=1+1",
    "' OR 1=1 --",
    "12/3",
    "../",
    "?a=1#b",
    "%2F%00",
)
BIDI = ("\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f", "\u061c")
CONTROLS = ("\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\r\n", "\t")
ODD_BREAKS = ("\x85", "\u2028", "\u2029")  # line breaks to Python and email, kept by forms
ASTRAL = ("🙂", "👩🏽‍🚀", "𝕏", "🇺🇦", "\U00010348", "\ufeff")
COMBINING = ("e\u0301", "Z\u0334\u0322\u0347\u0344", "\u0300", "\u0e49\u0e49\u0e49")
WORDS = ("مرحبا بكم", "বাংলা", "中文", "ਪੰਜਾਬੀ", "stakeholder", "PB", "co-production")
PIECES = (*BREAKERS, *BIDI, *CONTROLS, *ODD_BREAKS, *ASTRAL, *COMBINING, *WORDS)

_random = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="<"), min_size=1, max_size=12
)
# Hostile text with no markup in it: everything here must be stored when it is short enough.
PLAIN = st.lists(st.one_of(st.sampled_from(PIECES), _random), min_size=1, max_size=8).map("".join)
WITH_MARKUP = st.tuples(PLAIN | st.just(""), st.sampled_from(MARKUP), PLAIN | st.just("")).map(
    "".join
)
HOSTILE = st.one_of(PLAIN, WITH_MARKUP)
# About 10 KB of one piece, for every box that has a limit (and one that should).
LONG = st.sampled_from((*PIECES, *MARKUP)).map(lambda p: (p * (10_240 // len(p) + 1))[:10_240])
# Ways out of a site that a "go back to" parameter may try.
ESCAPES = (
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "/\t/evil.example",
    "/\r\nSet-Cookie: x=1",
    "javascript:alert(1)",
    "/" + "x" * 10_000,
)
TARGETS = st.one_of(st.sampled_from(ESCAPES), HOSTILE, HOSTILE.map(lambda s: "/" + s))
BLANK = st.sampled_from(("", " ", "\x00\x07", " \t\r\n ", "\u3000"))
# Never a number or a date: a letter is always in it.
NOT_A_NUMBER = HOSTILE.map(lambda s: s[:300] + " x")

# The characters the base form drops: C0 controls but tab, line feed and carriage return; DEL.
_DROPPED = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def clean(text: str) -> str:
    """What a form keeps of typed text."""
    return text.translate(_DROPPED)


def kept(text: str) -> str:
    """What an operation stores of typed text: cleaned, without spaces at the ends."""
    return clean(text).strip()


EXAMPLES = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
FEW = settings(EXAMPLES, max_examples=6)


# --- The typed fields of a form and the rules they check ------------------------------------

NOT_TYPED = (SelectFieldBase, BooleanField, FileField, UploadField, SubmitField, FormField)
NOT_TYPED += (FieldList,)


def typed_fields(form_cls: type) -> dict[str, UnboundField]:
    """The fields a person fills by typing (text, numbers, dates), in the form's order."""
    found = {
        name: value
        for name in dir(form_cls)
        if isinstance(value := getattr(form_cls, name, None), UnboundField)
        and not issubclass(value.field_class, NOT_TYPED)
    }
    return dict(sorted(found.items(), key=lambda item: item[1].creation_counter))


def _validators(field: UnboundField) -> list:
    return list(field.kwargs.get("validators") or (field.args[1] if len(field.args) > 1 else ()))


@dataclass(frozen=True)
class Rules:
    """What a field's validators ask of typed text."""

    required: bool = False
    limit: int | None = None  # most characters
    limit_trims: bool = False  # the limit counts the text without spaces at the ends
    least: int = 0
    plain_only: bool = False  # no HTML tags
    optional: bool = False  # nothing but spaces counts as left empty, and passes


def rules(field: UnboundField) -> Rules:
    found = {}
    for v in _validators(field):
        if isinstance(v, Required | DataRequired | InputRequired):
            found["required"] = True
        elif isinstance(v, MaxLength):
            found["limit"], found["limit_trims"] = v.most, getattr(v, "trim", True)
        elif isinstance(v, Length) and v.max >= 0:
            found["limit"], found["limit_trims"] = v.max, False
        elif isinstance(v, MinLength):
            found["least"] = v.least
        elif isinstance(v, NoMarkup):
            found["plain_only"] = True
        elif isinstance(v, OptionalField):
            found["optional"] = True
    return Rules(**found)


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?]")


def breaks_rules(field: UnboundField, value: str) -> bool:
    """True when the field's own rules must refuse this text."""
    r, text = rules(field), clean(value)
    if r.optional and not text.strip():
        return False  # WTForms' Optional stops checking a box of only spaces and line ends
    return (
        (r.required and not text.strip())
        or (r.limit is not None and len(text.strip() if r.limit_trims else text) > r.limit)
        or len(text) < r.least
        or (r.plain_only and bool(_TAG.search(text)))
    )


def acceptable(field: UnboundField) -> st.SearchStrategy[str]:
    """Hostile text the field has no reason to refuse (mostly)."""
    r = rules(field)
    text = PLAIN if r.plain_only else HOSTILE
    if r.least:
        text = text.map(lambda s: s + " long enough")
    if r.limit is not None:
        text = text.map(lambda s: s[: r.limit])
    if r.required:
        text = text.filter(lambda s: clean(s).strip())
    return text


def refusable(field: UnboundField) -> st.SearchStrategy[str]:
    """Hostile text the field should refuse: 10 KB (refused when there is a limit), with
    tags where they are not allowed, or empty where something is needed."""
    r = rules(field)
    options = [LONG]
    if r.plain_only:
        options.append(WITH_MARKUP)
    if r.required:
        options.append(BLANK)
    if r.least:
        options.append(st.just("short"))
    return st.one_of(options)


# A special strategy takes "spoil this field?" and gives (text, verdict): verdict "ok" (kept),
# "field" (refused with a message by this box) or "form" (refused, with a message elsewhere).
Special = Callable[[bool], st.SearchStrategy[tuple[str, str]]]


@dataclass
class Filled:
    """A value for every typed field of a form, and what the form must do with them."""

    values: dict[str, str]
    refused: set[str]  # boxes that must come back with their own message
    failing: bool  # the form must come back, with a message somewhere on the page
    spoilt: str | None

    @property
    def accepted(self) -> bool:
        return not self.refused and not self.failing


@st.composite
def filled(draw, form_cls: type, **special: Special) -> Filled:
    """Hostile text for every typed field of a form; now and then one field must be refused."""
    fields = typed_fields(form_cls)
    assert set(special) <= set(fields), f"{form_cls.__name__} has no {set(special) - set(fields)}"
    # One example in three spoils a field; in the others every box should be taken.
    spoil = draw(st.sampled_from((False, False, True)))
    spoilt = draw(st.sampled_from(list(fields))) if spoil else None
    values, refused, failing = {}, set(), False
    for name, field in fields.items():
        if name in special:
            value, verdict = draw(special[name](name == spoilt))
        else:
            value = draw(refusable(field) if name == spoilt else acceptable(field))
            verdict = "field" if breaks_rules(field, value) else "ok"
        values[name] = value
        refused |= {name} if verdict == "field" else set()
        failing = failing or verdict == "form"
    return Filled(values, refused, failing, spoilt)


def email_ok(text: str) -> bool:
    """Whether an email address passes the form (the same library and settings as WTForms)."""
    try:
        email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return False
    return len(text) <= 254


_n = count(1)
LOCALS = ("ada", "O'Brien", "zoë", "アリス", "a+b", "x_y")


def good_emails() -> st.SearchStrategy[str]:
    """A new, valid address each time, some of them written in other scripts."""
    return st.sampled_from(LOCALS).map(lambda local: f"{local}.{next(_n)}@Example.org")


def emails(*, trims: bool = False) -> Special:
    def draw(spoil: bool):
        if not spoil:
            return good_emails().map(lambda s: (s, "ok"))
        prepared = (lambda s: kept(s)) if trims else clean
        return HOSTILE.map(lambda s: (s, "ok" if email_ok(prepared(s)) else "field"))

    return draw


def numbers(good: tuple[str, ...], *, blank_ok: bool = False) -> Special:
    """Amounts typed in many ways; spoilt, text with a letter in it."""
    good = (*good, "") if blank_ok else good
    return lambda spoil: (
        NOT_A_NUMBER.map(lambda s: (s, "field")) if spoil else st.sampled_from(good).map(_ok)
    )


def dates(*days: date) -> Special:
    return lambda spoil: (
        NOT_A_NUMBER.map(lambda s: (s, "field"))
        if spoil
        else st.sampled_from([d.isoformat() for d in days]).map(_ok)
    )


def _ok(value: str) -> tuple[str, str]:
    return value, "ok"


AMOUNTS = {"1500": 1500, "1,500": 1500, " £1 500 ": 1500, "١٥٠٠": 1500, "\u00a0250": 250}
# Characters a voter code or receipt may carry around it that are not letters or digits.
DECOR = (*BIDI, *CONTROLS, "🙂", "👩🏽‍🚀", "🇺🇦", "\ufeff", "\u0301", "'", '"', "&", "<>", " ", "-")


def decorated(code: str, room: int = 40) -> st.SearchStrategy[str]:
    """A real code written sloppily: lower case, with hostile characters around its letters."""
    spare = max(0, room - len(code))
    return st.tuples(
        st.lists(st.sampled_from(DECOR), max_size=4).map("".join),
        st.lists(st.sampled_from(DECOR), max_size=4).map("".join),
        st.booleans(),
    ).map(lambda t: (t[0] + (code.lower() if t[2] else code) + t[1])[: len(code) + spare])


# --- Reading a page the way a browser builds it ---------------------------------------------


class Page(HTMLParser):
    """Every element and attribute of a page, its visible text, and what each box holds."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.elements: list[tuple[str, dict]] = []
        self.comments: list[str] = []
        self.scripts: list[str] = []
        self.boxes: dict[str, str] = {}
        self.forms: list[dict] = []
        self.error_ids: set[str] = set()
        self.has_error = False
        self._text: list[str] = []
        self._in: str | None = None  # "script", "tip" or a textarea's name
        self._buffer: list[str] = []
        self._form: dict | None = None
        self.feed(html)
        self.close()

    @property
    def text(self) -> str:
        return "".join(self._text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a))
        classes = a.get("class", "").split()
        if {"error-message", "problems"} & set(classes) or {"flash", "error"} <= set(classes):
            self.has_error = True
            self.error_ids.add(a.get("id", ""))
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get")}
            self._form["inputs"] = {}
            self.forms.append(self._form)
        elif tag == "input" and "name" in a:
            self.boxes.setdefault(a["name"], a.get("value", ""))
            if self._form is not None:
                self._form["inputs"][a["name"]] = a.get("value", "")
        elif tag in ("script", "style") or (tag == "span" and "tip" in classes):
            self._in, self._buffer = "script" if tag == "script" else "tip", []
        elif tag == "textarea":
            self._in, self._buffer = "box:" + a.get("name", ""), []

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        if self._in is None:
            return
        if self._in == "script" and tag in ("script", "style"):
            self.scripts.append("".join(self._buffer))
        elif self._in.startswith("box:") and tag == "textarea":
            # A browser drops the one line break right after <textarea>.
            value = re.sub(r"^\r?\n", "", "".join(self._buffer))
            self.boxes.setdefault(self._in[4:], value)
            if self._form is not None:
                self._form["inputs"][self._in[4:]] = value
        elif not (self._in == "tip" and tag == "span"):
            return
        self._in = None

    def handle_data(self, data):
        (self._buffer if self._in else self._text).append(data)

    def handle_comment(self, data):
        self.comments.append(data)


def assert_inert(page: Page, where: str) -> None:
    """No element, attribute, script or comment on the page came from typed text."""
    assert "<script>alert" not in page.html, where
    for tag, attrs in page.elements:
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"{where}: <{tag}> got {handlers} from typed text"
        assert not (tag == "img" and attrs.get("src") == "x"), f"{where}: an <img> was made"
        assert "hostile" not in attrs.get("class", ""), f"{where}: <{tag} class=hostile> was made"
    assert not any("alert" in s for s in page.scripts), f"{where}: a script came from typed text"
    assert not page.comments, f"{where}: a comment came from typed text: {page.comments[:1]}"


def shows(response, *texts: str, where: str = "", status: int = 200) -> Page:
    """The page answered, is inert, and shows each text as text."""
    assert response.status_code == status, f"{where}: {response.status_code}"
    page = Page(response.get_data(as_text=True))
    assert_inert(page, where)
    for text in texts:
        assert text in page.text, f"{where}: {text[:80]!r} is not shown as typed"
    return page


def assert_stored(response) -> None:
    """The form was taken: the person is sent on."""
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def assert_kept(response, filled_: Filled, *, secret=(), where: str = "") -> Page:
    """The form came back: a message says what to fix and every box keeps what was typed."""
    assert response.status_code in (200, 400), f"{where}: {response.status_code}"
    page = shows(response, where=where, status=response.status_code)
    assert page.has_error, f"{where}: refused without a message"
    for name in filled_.refused:
        assert f"{name}-error-1" in page.error_ids, f"{where}: no message by the {name} box"
    for name, value in filled_.values.items():
        if name not in secret:
            shown = page.boxes.get(name)
            assert shown is not None, f"{where}: the {name} box is gone"
            assert clean(shown).strip() == clean(value).strip(), f"{where}: {name} was lost"
    return page


def is_same_site(location: str) -> bool:
    """A redirect a browser follows to this site only (it drops tabs, breaks; reads \\ as /)."""
    seen = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    parts = urlsplit(seen)
    return seen.startswith("/") and not seen.startswith("//") and not parts.netloc


def csv_rows(response) -> list[dict]:
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def in_csv(text: str) -> str:
    """How a text sits in a CSV export: a spreadsheet formula is made harmless."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def latest(model, *where):
    db.session.expire_all()
    return db.session.scalars(select(model).where(*where).order_by(model.id.desc())).first()


FORMS_POSTED: set[type] = set()
READS_COVERED: set[tuple[str, str, str]] = set()


def examples(name: str, values) -> Callable:
    """Hypothesis's @example, once for each value: cases that must always be tried."""

    def add(test):
        for value in values:
            test = example(**{name: value})(test)
        return test

    return add


def posts_to(*form_classes: type):
    """Mark a test as posting hostile text to every typed field of these forms."""
    FORMS_POSTED.update(form_classes)
    return lambda test: test


def reads(*places: tuple[str, str, str]):
    """Mark a test as sending hostile text to these direct reads of the request."""
    READS_COVERED.update(places)
    return lambda test: test


# --- Accounts -------------------------------------------------------------------------------


def _person(**values: str) -> dict[str, str]:
    """What a person typed to sign up, but for the given boxes."""
    typed = {"name": "Ada", "new_group": f"Group {next(_n)}", "email": f"ada.{next(_n)}@ex.org"}
    return typed | {"password": "correct horse battery"} | values


@posts_to(SignUpForm)
def test_sign_up_keeps_names_as_typed_and_the_typed_password_signs_in(app):
    organiser, _ = signed_in(app, Role.ORGANISER)
    values = filled(SignUpForm, email=emails())

    @EXAMPLES
    @given(f=values)
    @example(f=Filled(_person(password="p" * 10_240), {"password"}, False, "password"))
    def check(f):
        v = f.values
        group_name, email = kept(v["new_group"]), clean(v["email"]).strip().lower()
        if not group_name:
            f.refused.add("new_group")  # a new group needs a name when none is chosen
        if f.accepted and groups.email_taken(email):
            f.refused.add("email")  # checked after the form passes: the email first...
        elif f.accepted and groups.group_named(group_name) is not None:
            f.refused.add("new_group")  # ...then the group's name
        client = app.test_client()
        token = csrf_token(client, "/sign-up")
        data = v | {"group": "", "lang": "en", "csrf_token": token}
        response = client.post("/sign-up", data=data)
        if not f.accepted:
            assert_kept(response, f, secret=("password",), where="sign-up")
            return
        assert_stored(response)
        user = latest(User, User.email == email)
        assert (user.name, user.group.name) == (kept(v["name"]), group_name)
        shows(client.get(response.headers["Location"]), user.name, group_name, where="my group")
        shows(organiser.get("/staff/members"), user.name, group_name, email, where="members")
        shows(organiser.get("/staff/moderate/"), group_name, where="groups waiting for approval")
        shows(organiser.get("/staff/audit"), where="audit log")
        again = app.test_client()
        token = csrf_token(again, "/sign-in")
        signed = again.post(
            "/sign-in", data={"email": v["email"], "password": v["password"], "csrf_token": token}
        )
        assert signed.status_code == 302, "the password typed at sign-up does not sign in"

    check()


@posts_to(LoginForm)
def test_sign_in_refuses_hostile_text_with_a_message_and_keeps_the_email(app):
    user = make_user()
    client = app.test_client()
    token = csrf_token(client, "/sign-in")

    def email(spoil: bool):
        return (HOSTILE if spoil else st.just(user.email)).map(_ok)

    def password(spoil: bool):  # never the right one
        return st.one_of(HOSTILE, LONG).map(_ok)

    @EXAMPLES
    @given(f=filled(LoginForm, email=email, password=password))
    def check(f):
        limiter.reset()  # every try is a wrong password: start each one unslowed
        response = client.post("/sign-in", data=f.values | {"csrf_token": token})
        f.failing = True
        assert_kept(response, f, secret=("password",), where="sign-in")

    check()


@posts_to(AppCodeForm)
def test_the_app_code_step_refuses_hostile_text_with_a_message(app):
    user = make_user(Role.ORGANISER)
    second_factor.turn_on(user, second_factor.new_secret())
    db.session.commit()
    client = app.test_client()
    token = csrf_token(client, "/sign-in")
    login = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/sign-in", data=login).headers["Location"].endswith("/sign-in/code")

    @EXAMPLES
    @given(f=filled(AppCodeForm))
    def check(f):
        limiter.reset()  # every try is a wrong code: start each one unslowed
        response = client.post("/sign-in/code", data=f.values | {"csrf_token": token})
        f.failing = True
        assert_kept(response, f, secret=("code",), where="app code")

    check()


@posts_to(ForgotPasswordForm)
def test_forgot_password_takes_any_text_and_mails_only_the_owner(app, monkeypatch):
    app.config["MAIL_SERVER"] = "smtp.invalid"
    outbox = []
    monkeypatch.setattr(mail, "send", outbox.extend)
    name = "Zoë \u202e<script>alert(1)</script> 🙂"
    user = make_user(name=name)
    client = app.test_client()
    token = csrf_token(client, "/forgot-password")

    def email(spoil: bool):
        if spoil:
            return HOSTILE.map(lambda s: (s, "ok" if email_ok(clean(s)) else "field"))
        return st.sampled_from([user.email, user.email.upper(), "nobody@example.org"]).map(_ok)

    @EXAMPLES
    @given(f=filled(ForgotPasswordForm, email=email))
    def check(f):
        outbox.clear()
        response = client.post("/forgot-password", data=f.values | {"csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, where="forgot password")
            return
        assert_stored(response)
        assert is_same_site(response.headers["Location"])
        owner = kept(f.values["email"]).lower() == user.email
        assert [m["To"] for m in outbox] == ([user.email] if owner else [])
        assert all(name in m.get_content() for m in outbox)

    check()


@posts_to(NewPasswordForm)
def test_a_new_password_is_exactly_the_one_typed(app):
    user = make_user()
    client = app.test_client()
    token = None

    long = "p" * 10_240  # more than the sign-in form takes

    @EXAMPLES
    @given(f=filled(NewPasswordForm))
    @example(f=Filled({"password": long, "again": long}, {"password"}, False, "password"))
    def check(f):
        nonlocal token
        if f.spoilt != "again":
            f.values["again"] = f.values["password"]
            f.refused.discard("again")
        elif clean(f.values["again"]) != clean(f.values["password"]):
            f.refused.add("again")
        db.session.refresh(user)
        url = f"/new-password/{user.id}/{groups.reset_token(SECRET, user)}"
        token = token or csrf_token(client, url)
        response = client.post(url, data=f.values | {"csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, secret=("password", "again"), where="new password")
            return
        assert_stored(response)
        again = app.test_client()
        login = {"email": user.email, "password": f.values["password"]}
        signed = again.post("/sign-in", data=login | {"csrf_token": csrf_token(again, "/sign-in")})
        assert signed.status_code == 302, "the new password typed does not sign in"

    check()


# --- Proposals, translations, reports, moderation -------------------------------------------

PROPOSAL_TEXTS = ("title", "summary", "now", "proposal", "who_helps", "offer")


@posts_to(ProposalForm)
def test_a_proposal_is_stored_as_typed_and_shown_as_text_everywhere(app):
    load_seed()  # glossary words in the text get links and tips: still text around them
    db.session.commit()
    rnd = make_round(Phase.PROPOSING)
    member = make_user(group=rnd.remedies[0].group)
    writer = app.test_client()
    sign_in(writer, member)
    moderator, moderator_user = signed_in(app, Role.MODERATOR)
    reader = app.test_client()
    url = f"/rounds/{rnd.slug}/propose"
    token = csrf_token(writer, url)
    asked, known = numbers(tuple(AMOUNTS)), numbers(tuple(AMOUNTS), blank_ok=True)

    @EXAMPLES
    @given(
        f=filled(
            ProposalForm,
            cost=asked,
            now_cost=known,
            proposal_cost=known,
            helpers_wanted=known,
            helper_hours=known,
        )
    )
    def check(f):
        v = f.values
        if f.accepted:  # sending needs every part written, checked once the boxes pass
            f.refused |= {name for name in PROPOSAL_TEXTS if not kept(v[name])}
        data = v | {"barrier": rnd.barriers[0].id, "area": "", "lang": "en", "action": "send"}
        response = writer.post(url, data=data | {"csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, where="proposal form")
            return
        assert_stored(response)
        remedy_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        db.session.expire_all()
        remedy = db.session.get(Remedy, remedy_id)
        texts = [kept(v[name]) for name in PROPOSAL_TEXTS]
        assert [remedy.t(name, "en").text for name in PROPOSAL_TEXTS] == texts
        costs = [AMOUNTS.get(v[name]) for name in ("cost", "now_cost", "proposal_cost")]
        assert [remedy.cost, remedy.now_cost, remedy.proposal_cost] == costs
        asks = [AMOUNTS.get(v[name]) for name in ("helpers_wanted", "helper_hours")]
        assert [remedy.helpers_wanted, remedy.helper_hours] == asks
        shows(writer.get(f"/proposals/{remedy_id}"), *texts, where="the group's page")
        shows(moderator.get(f"/staff/moderate/remedies/{remedy_id}"), *texts, where="moderator")
        proposals.publish(remedy, moderator_user)
        db.session.commit()
        public = f"/rounds/{rnd.slug}/remedies/{remedy_id}"
        shows(reader.get(public), *texts, where="public page")
        shows(reader.get(f"/rounds/{rnd.slug}"), *texts[:2], where="round page")
        api = reader.get(f"/api/v1/rounds/{rnd.slug}").get_json()
        listed = {r["id"]: r for r in api["remedies"]}[str(remedy_id)]
        assert (listed["title"], listed["summary"]) == tuple(texts[:2])

    check()


@posts_to(TranslationForm)
def test_a_translation_is_stored_as_typed_and_shown_as_text(app):
    rnd = make_round(Phase.PROPOSING)
    remedy = rnd.remedies[0]
    translator = app.test_client()
    sign_in(translator, make_user())
    moderator, _ = signed_in(app, Role.MODERATOR)
    url = f"/rounds/{rnd.slug}/remedies/{remedy.id}/translate"
    token = csrf_token(translator, url + "?to=ur")

    @EXAMPLES
    @given(f=filled(TranslationForm))
    def check(f):
        v = f.values
        if not any(kept(v[name]) for name in TranslationForm.FIELDS):
            f.refused.add("title")  # at least one part
        response = translator.post(url, data=v | {"to": "ur", "csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, where="translation form")
            return
        assert_stored(response)
        db.session.expire_all()
        stored = {
            t.field: t.body
            for t in db.session.scalars(
                select(ContentText).where(
                    ContentText.content_id == remedy.content_id, ContentText.lang == "ur"
                )
            )
        }
        wanted = {name: kept(v[name]) for name in TranslationForm.FIELDS if kept(v[name])}
        assert stored == wanted
        public = f"/rounds/{rnd.slug}/remedies/{remedy.id}?lang=ur"
        shows(translator.get(public), *wanted.values(), where="public page in Urdu")
        page = moderator.get(f"/staff/moderate/remedies/{remedy.id}?lang=en")
        shows(page, *wanted.values(), where="moderator's check")

    check()


@posts_to(ReportForm)
def test_a_report_reaches_moderators_as_text(app):
    rnd = make_round(Phase.VOTING)
    remedy = rnd.remedies[0]
    moderator, _ = signed_in(app, Role.MODERATOR)
    citizen = app.test_client()
    public = f"/rounds/{rnd.slug}/remedies/{remedy.id}"
    token = csrf_token(citizen, public)

    @EXAMPLES
    @given(f=filled(ReportForm))
    def check(f):
        response = citizen.post(f"{public}/report", data=f.values | {"csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, where="report form")
            return
        assert_stored(response)
        reason = kept(f.values["reason"])
        assert latest(RemedyReport).reason == reason
        shows(moderator.get("/staff/moderate/"), reason, where="moderators' queue")
        shows(moderator.get(f"/staff/moderate/remedies/{remedy.id}"), reason, where="moderator")

    check()


@posts_to(ChangesForm, RejectForm, ReviewForm)
def test_a_moderators_message_reaches_the_group_as_text(app):
    rnd = make_round(Phase.PROPOSING)
    remedy = rnd.remedies[0]
    group = app.test_client()
    sign_in(group, make_user(group=remedy.group))
    organiser, _ = signed_in(app, Role.ORGANISER)  # moderates, and reads the audit log
    token = csrf_token(organiser, "/staff/moderate/")

    def lang(spoil: bool):
        if not spoil:
            return st.sampled_from(("ur", "ar", "bn")).map(_ok)
        return HOSTILE.map(lambda s: (s, "ok" if clean(s) in i18n.languages() else "form"))

    decisions = st.sampled_from([("ask-for-changes", ChangesForm), ("reject", RejectForm)])

    @EXAMPLES
    @given(
        decision=decisions.flatmap(lambda d: st.tuples(st.just(d[0]), filled(d[1]))),
        review=filled(ReviewForm, lang=lang),
    )
    def check(decision, review):
        action, f = decision
        remedy.status = RemedyStatus.SUBMITTED
        db.session.commit()
        url = f"/staff/moderate/remedies/{remedy.id}"
        response = organiser.post(f"{url}/{action}", data=f.values | {"csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, where=action)
        else:
            assert_stored(response)
            [typed] = f.values.values()
            message = kept(typed)
            db.session.expire_all()
            assert db.session.get(Remedy, remedy.id).moderator_message == message
            assert latest(AuditEvent).detail["message"] == clean(typed)
            shows(organiser.get(url), message, where="moderator's page")
            shows(group.get(f"/proposals/{remedy.id}"), message, where="the group's idea")
            shows(group.get("/my-group"), message, where="the group's list")
            shows(organiser.get("/staff/audit"), where="audit log")
        before = db.session.scalar(select(func.count(AuditEvent.id)))
        data = review.values | {"csrf_token": token}
        response = organiser.post(f"{url}/review-translation", data=data)
        assert response.status_code == 302 and is_same_site(response.headers["Location"])
        after = db.session.scalar(select(func.count(AuditEvent.id)))
        assert after == before + review.accepted, "a hidden language box changed the record"

    check()


# --- Staff typing: paper ballots, imports, numbers and dates --------------------------------


@posts_to(PaperForm, ClearSheetForm)
def test_paper_ballots_take_any_sheet_number_and_a_sloppily_typed_code(app):
    organiser, _ = signed_in(app, Role.ORGANISER)
    moderator, _ = signed_in(app, Role.MODERATOR)
    tokens = {client: csrf_token(client, "/staff/") for client in (organiser, moderator)}
    field = typed_fields(PaperForm)["code"]

    def code(made: str) -> Special:
        def draw(spoil: bool):
            if spoil:  # not a code of this round, unless the box refuses it first
                return HOSTILE.map(lambda s: (s, "field" if breaks_rules(field, s) else "form"))
            return decorated(made).map(lambda s: (s, "field" if breaks_rules(field, s) else "ok"))

        return draw

    def round_with_a_code() -> tuple[Round, str]:
        # A round each time: a sheet number typed before stays taken in its round.
        rnd = make_round(Phase.VOTING, paper_double_entry=True)
        [code] = codes.make_codes(SECRET, rnd, 1)
        db.session.commit()
        return rnd, code

    def type_twice_and_clear(rnd: Round, f: Filled) -> None:
        first, second = (str(r.id) for r in rnd.remedies[:2])
        url = f"/staff/rounds/{rnd.slug}/paper"
        typed = f.values | {"choices": [first]}
        response = organiser.post(url, data=typed | {"csrf_token": tokens[organiser]})
        if not f.accepted:
            assert_kept(response, f, where="paper ballot")
            return
        assert_stored(response)
        sheet = clean(f.values["sheet"])
        entry = latest(PaperEntry, PaperEntry.round_id == rnd.id)
        assert (entry.sheet, entry.status) == (sheet, "waiting")
        shows(organiser.get(url), sheet, where="the saved sheet's message")
        second_typing = typed | {"choices": [second], "csrf_token": tokens[moderator]}
        assert moderator.post(url, data=second_typing).status_code == 302
        page = shows(organiser.get(url), sheet, where="sheets that did not match")
        [clear] = [form for form in page.forms if form["action"].endswith("/clear")]
        cleared = organiser.post(clear["action"], data=clear["inputs"])
        assert cleared.status_code == 302, f"clearing sheet {sheet!r}: {cleared.status_code}"
        left = select(func.count(PaperEntry.id)).where(PaperEntry.round_id == rnd.id)
        assert db.session.scalar(left) == 0, "the sheet that did not match is still there"

    @EXAMPLES
    @given(data=st.data())
    def check(data):
        rnd, made = round_with_a_code()
        type_twice_and_clear(rnd, data.draw(filled(PaperForm, code=code(made))))

    rnd, made = round_with_a_code()  # first, a sheet number with a slash in it
    type_twice_and_clear(rnd, Filled({"sheet": "12/3", "code": made.lower()}, set(), False, None))
    check()


def _election(name: str) -> bytes:
    return (
        "META\nkey;value\nbudget;100\nnum_projects;2\nnum_votes;2\nvote_type;approval\n"
        f"PROJECTS\nproject_id;cost;name\n1;60;{name}\n2;50;Mural\n"
        "VOTES\nvoter_id;vote\n1;1\n2;1,2\n"
    ).encode()


@posts_to(ImportForm)
def test_an_imported_round_needs_a_plain_web_address_and_shows_names_as_text(app):
    client, _ = signed_in(app, Role.ORGANISER)
    token = csrf_token(client, "/staff/import")
    name = "<script>alert(1)</script> \u202e🙂 & 'Bench'"

    def slug(spoil: bool):
        if not spoil:
            return st.just(None).map(lambda _: (f"imported-{next(_n)}", "ok"))
        return HOSTILE.map(lambda s: (s, "ok" if _free_slug(clean(s)) else "field"))

    @FEW
    @given(f=filled(ImportForm, slug=slug))
    def check(f):
        upload = {"file": (io.BytesIO(_election(name)), "round.pb")}
        response = client.post(
            "/staff/import",
            data=f.values | upload | {"csrf_token": token},
            content_type="multipart/form-data",
        )
        if not f.accepted:
            assert_kept(response, f, where="import")
            return
        assert_stored(response)
        shows(client.get(response.headers["Location"]), name, where="imported results")

    check()


def _free_slug(text: str) -> bool:
    taken = db.session.scalar(select(Round.id).where(Round.slug == text))
    return bool(re.fullmatch(r"[a-z0-9-]{1,80}", text)) and taken is None


@posts_to(CodesForm, SendForm)
def test_numbers_and_dates_typed_by_staff_are_refused_with_a_message(app):
    councillor = make_user(Role.COUNCILLOR)
    other = make_round(Phase.COUNTED)
    organiser, _ = signed_in(app, Role.ORGANISER)
    token = csrf_token(organiser, f"/staff/rounds/{other.slug}")
    how_many = numbers(("1", " 2 ", "٢"))
    soon = dates(date.today() + timedelta(days=30))

    @FEW
    @given(codes_=filled(CodesForm, count=how_many), send=filled(SendForm, due_on=soon))
    def check(codes_, send):
        before = db.session.scalar(select(func.count(VoterCode.id)))
        url = f"/staff/rounds/{other.slug}/codes"
        response = organiser.post(url, data=codes_.values | {"lang": "en", "csrf_token": token})
        if codes_.accepted:  # the letters come back as a file
            assert "attachment" in response.headers.get("Content-Disposition", "")
            made = db.session.scalar(select(func.count(VoterCode.id))) - before
            assert made == int(codes_.values["count"])
        else:  # back to the round's page, with a message
            assert response.status_code == 302
            assert shows(organiser.get(response.headers["Location"]), where="codes").has_error
        rnd = make_round(Phase.RESPONDING)  # not sent yet: the form is on its page
        data = send.values | {"decision_maker": councillor.id, "csrf_token": token}
        response = organiser.post(f"/staff/council/rounds/{rnd.slug}/top-5", data=data)
        if send.accepted:
            assert_stored(response)  # sent, or "nothing to send": both said plainly
        else:
            assert_kept(response, send, where="sending the top five")

    check()


# --- Citizens: translation suggestions, codes, receipts, contacts ----------------------------

LOCAL_PAGES = ("/", "/rounds/demo", "/glossary?lang=ur", "/how-it-works#votes")


@posts_to(SuggestionForm)
def test_a_translation_suggestion_is_stored_as_text_with_a_safe_way_back(app):
    organiser, _ = signed_in(app, Role.ORGANISER)
    citizen = app.test_client()
    url = "/suggest-translation?template=public/home.html"
    token = csrf_token(citizen, url)

    def page(spoil: bool):
        if not spoil:
            return st.sampled_from(LOCAL_PAGES).map(_ok)
        return st.one_of(HOSTILE, LONG, TARGETS).map(_ok)

    @EXAMPLES
    @given(f=filled(SuggestionForm, page=page))
    @example(f=Filled({"page": "/" + "x" * 400, "suggestion": "Hi"}, set(), False, "page"))
    @example(f=Filled({"page": "/\r\nX: 1", "suggestion": "Hi"}, set(), False, "page"))
    def check(f):
        response = citizen.post(url, data=f.values | {"msgid": "Home", "csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, where="suggestion form")
            return
        assert_stored(response)
        assert is_same_site(response.headers["Location"]), response.headers["Location"]
        stored = latest(TranslationSuggestion)
        assert stored.suggestion == kept(f.values["suggestion"])
        typed_page = clean(f.values["page"])
        if typed_page in LOCAL_PAGES:
            assert stored.page == typed_page
        else:
            assert stored.page in (typed_page, "/")
        shows(organiser.get("/staff/translations"), stored.suggestion, where="suggestions")

    check()


@posts_to(RatingSheetForm)
def test_a_rating_sheet_typed_by_a_group_member_takes_any_code_text(app):
    rnd = make_round(Phase.RATING)
    typist, member = signed_in(app, Role.MEMBER)
    member.group_id = rnd.remedies[0].group_id
    db.session.commit()
    url = f"/toolkit/rounds/{rnd.slug}/type-ratings"
    barrier = f"barrier-{rnd.barriers[0].id}"
    field = typed_fields(RatingSheetForm)["code"]

    def code(spoil: bool):
        if spoil:  # not a code of this round, unless the box refuses it first
            return HOSTILE.map(lambda s: (s, "field"))
        [made] = codes.make_codes(SECRET, rnd, 1)
        db.session.commit()
        return decorated(made).map(lambda s: (s, "field" if breaks_rules(field, s) else "ok"))

    @EXAMPLES
    @given(sheet=filled(RatingSheetForm, code=code))
    def check(sheet):
        data = sheet.values | {barrier: "3", "csrf_token": csrf_token(typist, url)}
        response = typist.post(url, data=data)
        if sheet.accepted:
            assert_stored(response)
        else:
            assert_kept(response, sheet, where="rating sheet")

    check()


@posts_to(CodeForm, ReceiptForm)
@reads(("coprod/participate/routes.py", "args", "code"))
def test_code_and_receipt_boxes_take_any_text_and_forgive_sloppy_typing(app):
    rnd = make_round(Phase.VOTING)
    chosen = rnd.remedies[0]
    [voted] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    receipt = ballots.cast(SECRET, rnd, voted, [str(chosen.id)])
    db.session.commit()
    title = chosen.t("title", "en").text
    code_field = typed_fields(CodeForm)["code"]
    receipt_field = typed_fields(ReceiptForm)["receipt"]

    def code(spoil: bool):
        if spoil:
            return HOSTILE.map(lambda s: (s, "field"))
        [made] = codes.make_codes(SECRET, rnd, 1)
        db.session.commit()
        return decorated(made).map(lambda s: (s, "field" if breaks_rules(code_field, s) else "ok"))

    def receipt_(spoil: bool):
        if spoil:
            return HOSTILE.map(lambda s: (s, "field"))  # not a receipt of this round
        field = receipt_field
        return decorated(receipt).map(lambda s: (s, "field" if breaks_rules(field, s) else "ok"))

    @EXAMPLES
    @given(code_=filled(CodeForm, code=code), check_=filled(ReceiptForm, receipt=receipt_))
    def check(code_, check_):
        voter = app.test_client()
        url = f"/rounds/{rnd.slug}/take-part"
        typed = code_.values["code"]
        scanned = voter.get(url, query_string={"code": typed}, follow_redirects=True)
        prefilled = shows(scanned, where="code in a link")
        assert prefilled.boxes["code"] == clean(typed[:40])  # a code's length at most
        token = prefilled.boxes["csrf_token"]
        response = voter.post(url, data=code_.values | {"csrf_token": token})
        if code_.accepted:
            assert_stored(response)
            assert response.headers["Location"].endswith("/ballot")
        else:
            assert_kept(response, code_, where="code box")
        response = _check_receipt(voter, rnd, check_.values["receipt"])
        if check_.accepted:
            shows(response, "Your ballot is in the count.", title, where="receipt found")
        else:
            assert_kept(response, check_, where="receipt box")

    check()


def _check_receipt(client, rnd: Round, typed: str):
    """Send the 'check my ballot' form the way its page says: by GET or by POST."""
    url = f"/rounds/{rnd.slug}/check"
    page = Page(client.get(url).get_data(as_text=True))
    [form] = [f for f in page.forms if "receipt" in f["inputs"]]
    data = form["inputs"] | {"receipt": typed}
    if form["method"].lower() == "post":
        return client.post(form["action"] or url, data=data)
    return client.get(form["action"] or url, query_string=data)


@posts_to(ContactForm)
def test_a_contact_address_is_stored_as_typed_or_refused_with_a_message(app):
    councillor = make_user(Role.COUNCILLOR)
    rnd, _sent = sent_round(councillor, answered=0, overdue=False)
    organiser, _ = signed_in(app, Role.ORGANISER)
    citizen = app.test_client()
    url = f"/rounds/{rnd.slug}/you-said-we-did"
    token = csrf_token(citizen, url)

    @EXAMPLES
    @given(f=filled(ContactForm, address=emails(trims=True)))
    def check(f):
        response = citizen.post(url, data=f.values | {"csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, where="contact form")
            return
        assert_stored(response)
        address = kept(f.values["address"]).lower()
        assert latest(Contact).address == address
        rows = csv_rows(organiser.get(f"/staff/council/rounds/{rnd.slug}/contacts.csv"))
        assert in_csv(address) in [row["email"] for row in rows]

    check()


# --- The council: answers, later steps, titles in every report and export -------------------


@posts_to(AnswerForm, UpdateForm)
def test_council_answers_are_stored_as_typed_and_shown_as_text_in_every_report(app, monkeypatch):
    councillor = make_user(Role.COUNCILLOR)
    rnd, sent = sent_round(councillor, answered=0, overdue=False)
    priority = sent[0]
    responses.add_contact(rnd, "waiting@example.org", "en")
    db.session.commit()
    app.config["MAIL_SERVER"] = "smtp.invalid"
    outbox = []
    monkeypatch.setattr(mail, "send", outbox.extend)
    organiser, _ = signed_in(app, Role.ORGANISER)
    public = app.test_client()
    staff = f"/staff/council/answers/{priority.id}"
    token = csrf_token(organiser, staff)
    past = dates(date.today(), date.today() - timedelta(days=3))
    titles = HOSTILE.map(kept).filter(bool).map(lambda s: s[:120].strip()).filter(bool)

    today = date.today().isoformat()
    answered = Filled({"reason": "Yes.", "next_step": "", "decided_on": today}, set(), False, None)
    noted = Filled({"note": "Begun.", "on": today}, set(), False, None)

    @EXAMPLES
    @given(
        title=titles,
        answer=filled(AnswerForm, decided_on=past),
        update=filled(UpdateForm, on=past),
    )
    @example(title="Line one\r\nBcc: x@example.org\u2028two", answer=answered, update=noted)
    def check(title, answer, update):
        priority.remedy.content.set("title", "en", title, reviewed=True)
        priority.decision, priority.decided_on = None, None  # every answer is the first
        db.session.commit()
        outbox.clear()
        data = answer.values | {"decision": "yes", "csrf_token": token}
        response = organiser.post(staff, data=data)
        if not answer.accepted:
            assert_kept(response, answer, where="answer form")
            return
        assert_stored(response)
        reason, next_step = kept(answer.values["reason"]), kept(answer.values["next_step"])
        db.session.expire_all()
        assert (priority.t("reason", "en").text, _text(priority, "next_step")) == (
            reason,
            next_step,
        )
        [note_to_contact] = outbox
        assert "\n" not in note_to_contact["Subject"]
        assert " ".join(note_to_contact["Subject"].split()) == " ".join(
            f"The council has answered: {title}".split()
        )
        data = update.values | {"status": "started", "csrf_token": token}
        response = organiser.post(f"{staff}/updates", data=data)
        if not update.accepted:
            assert_kept(response, update, where="update form")
            return
        assert_stored(response)
        note = kept(update.values["note"])
        assert _text(latest(ResponseUpdate), "note") == note
        shown = [t for t in (title, reason, next_step, note) if t]
        shows(organiser.get(staff), *shown, where="the answer page")
        shows(organiser.get(f"/staff/council/rounds/{rnd.slug}/top-5"), *shown, where="top 5")
        shows(public.get(f"/rounds/{rnd.slug}/you-said-we-did"), *shown, where="you said, we did")
        _check_exports(organiser, public, rnd, title, reason, next_step, note)

    check()


def _text(row, field: str) -> str:
    found = row.t(field, "en")
    return found.text if found else ""


def _check_exports(staff, public, rnd: Round, title, reason, next_step, note) -> None:
    """The same words, exactly, in every file the council and the public download."""
    base = f"/staff/council/rounds/{rnd.slug}"
    [row] = [r for r in csv_rows(staff.get(f"{base}/answers.csv")) if r["rank"] == "1"]
    assert (row["priority"], row["reason"], row["next_step"]) == tuple(
        map(in_csv, (title, reason, next_step))
    )
    answers = staff.get(f"{base}/answers.json").get_json()["answers"]
    [first] = [a for a in answers if a["rank"] == 1]
    assert (first["priority"], first["reason"], first["next_step"]) == (title, reason, next_step)
    assert note in [step["note"] for step in first["timeline"]]
    dashboard = json.dumps(staff.get(f"{base}/results.json").get_json(), ensure_ascii=False)
    assert json.dumps(title, ensure_ascii=False) in dashboard
    names = [r["name"] for r in csv_rows(staff.get(f"{base}/results.csv"))]
    assert in_csv(title) in names
    election = tally.parse_pb(public.get(f"/rounds/{rnd.slug}/ballots.pb").get_data(as_text=True))
    assert title in [p.name for p in election.projects.values()]
    projects = json.loads(public.get(f"/rounds/{rnd.slug}/ballots.json").get_data())["projects"]
    assert title in [p["name"] for p in projects]


# --- Text the views read from the request themselves ----------------------------------------


@reads(
    ("coprod/public/routes.py", "args", "next"),
    ("coprod/accounts/routes.py", "args", "next"),
)
def test_go_back_links_stay_on_this_site_whatever_they_say(app):
    user = make_user()
    chooser, person = app.test_client(), app.test_client()
    token = csrf_token(person, "/sign-in")
    login = {"email": user.email, "password": PASSWORD, "csrf_token": token}

    @EXAMPLES
    @given(target=TARGETS)
    @examples("target", ESCAPES)
    def check(target):
        response = chooser.get("/language/ur", query_string={"next": target})
        assert response.status_code == 302 and is_same_site(response.headers["Location"])
        response = person.post("/sign-in", query_string={"next": target}, data=login)
        assert response.status_code == 302 and is_same_site(response.headers["Location"])

    check()


@reads(
    ("coprod/templating.py", "args", "*"),
    ("coprod/i18n.py", "args", "lang"),
    ("coprod/i18n.py", "cookies", "*"),
    ("coprod/translate/routes.py", "args", "template"),
    ("coprod/translate/routes.py", "args", "page"),
)
def test_an_address_full_of_hostile_text_comes_back_as_text(app):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    ballots.cast(SECRET, rnd, code, [str(rnd.remedies[0].id)])
    db.session.commit()
    change_phase(rnd, Phase.COUNTED)
    db.session.commit()
    count_round(rnd)
    db.session.commit()
    client = app.test_client()
    names = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=10)

    @EXAMPLES
    @given(key=names, text=st.one_of(HOSTILE, LONG))
    def check(key, text):
        client.set_cookie("lang", text[:200])  # a browser keeps at most 4 KB
        args = {key: text, "x": text, "lang": text}
        page = shows(client.get("/", query_string=args), where="home page")
        switches = [href for tag, a in page.elements if "/language/" in (href := a.get("href", ""))]
        assert switches, "no language switcher"
        for href in switches:
            back = dict(parse_qsl(urlsplit(href).query))["next"]
            assert dict(parse_qsl(urlsplit(back).query)).get("x") == text
        query = {"template": text, "page": text}
        page = shows(client.get("/suggest-translation", query_string=query), where="suggest")
        assert page.boxes["page"] in ("/", clean(text))
        results = f"/rounds/{rnd.slug}/results"
        posted = {"receipt": text, "csrf_token": csrf_token(client, results)}
        shows(client.post(results, data=posted), where="results")

    check()


@reads(("coprod/results/routes.py", "args", "pot"))
def test_a_download_asked_for_a_pot_by_any_text_is_that_pot_or_not_found(app):
    from coprod.operations.counting import count_pots
    from tests.factories import make_pot_round

    rnd = make_pot_round()
    for pot in rnd.pots:
        [code] = codes.make_codes(SECRET, rnd, 1, area_id=pot.area_id)
        ballots.cast(SECRET, rnd, code, [str(r.id) for r in rnd.remedies if r.pot_id == pot.id][:1])
    change_phase(rnd, Phase.COUNTED)
    count_pots(rnd)
    db.session.commit()
    pots = {str(p.id) for p in rnd.pots}
    client = app.test_client()

    @EXAMPLES
    @given(text=st.one_of(HOSTILE, LONG))
    @examples("text", sorted(pots))
    def check(text):
        for kind in ("pb", "csv", "json"):
            got = client.get(f"/rounds/{rnd.slug}/ballots.{kind}", query_string={"pot": text})
            assert got.status_code == (200 if text in pots else 404), (kind, text)

    check()


@reads(
    ("coprod/participate/forms.py", "form", "*"),
    ("coprod/participate/routes.py", "form", "add"),
    ("coprod/participate/routes.py", "form", "remove"),
    ("coprod/participate/routes.py", "form", "review"),
    ("coprod/participate/routes.py", "form", "choice"),
)
def test_ballot_and_rating_buttons_ignore_hostile_values(app):
    voting = make_round(Phase.VOTING)
    rating = make_round(Phase.RATING)
    voter, rater = app.test_client(), app.test_client()
    tokens = {}
    for client, rnd in ((voter, voting), (rater, rating)):
        [code] = codes.make_codes(SECRET, rnd, 1)
        db.session.commit()
        tokens[client] = csrf_token(client, f"/rounds/{rnd.slug}/take-part")
        data = {"code": code, "csrf_token": tokens[client]}
        assert client.post(f"/rounds/{rnd.slug}/take-part", data=data).status_code == 302
    remedy = str(rating.remedies[0].id)
    text = st.one_of(HOSTILE, LONG)

    @EXAMPLES
    @given(add=text, remove=text, choices=st.lists(text, max_size=3), junk=text)
    def check(add, remove, choices, junk):
        url = f"/rounds/{voting.slug}"
        token = tokens[voter]
        buttons = {"add": add, "remove": remove, "review": junk, "csrf_token": token}
        response = voter.post(f"{url}/ballot", data=buttons)
        assert response.status_code == 302 and is_same_site(response.headers["Location"])
        shows(voter.get(f"{url}/ballot"), where="ballot")
        response = voter.post(f"{url}/cast", data={"choice": choices, "csrf_token": token})
        assert response.status_code == 302
        # A browser drops a cookie over 4 KB, and the voter's session with it.
        assert all(len(c) < 4000 for c in response.headers.getlist("Set-Cookie"))
        assert db.session.scalar(select(func.count(Ballot.id))) == 0
        shows(voter.get(response.headers["Location"]), where="ballot after a refused cast")
        scores = {junk: junk, f"remedy-{remedy}": "4", f"barrier-x{junk}": junk, "remedy-x": junk}
        data = scores | {"csrf_token": tokens[rater]}
        response = rater.post(f"/rounds/{rating.slug}/rate", data=data)
        assert response.status_code == 302
        db.session.expire_all()
        saved = db.session.scalars(select(Rating).where(Rating.round_id == rating.id)).all()
        assert [(r.remedy_id, r.score) for r in saved] == [(int(remedy), 4)]

    check()


@reads(
    ("coprod/propose/routes.py", "form", "action"),
    ("coprod/propose/routes.py", "values", "to"),
)
def test_a_hostile_button_or_language_saves_a_draft_in_a_real_language(app):
    rnd = make_round(Phase.PROPOSING)
    remedy = rnd.remedies[0]
    member = app.test_client()
    sign_in(member, make_user(group=remedy.group))
    url = f"/rounds/{rnd.slug}/propose"
    token = csrf_token(member, url)
    idea = {"title": "Benches", "barrier": rnd.barriers[0].id, "area": "", "lang": "en"}

    @FEW
    @given(text=st.one_of(HOSTILE, LONG).filter(lambda s: s not in ("check", "send")))
    def check(text):
        response = member.post(url, data=idea | {"action": text, "csrf_token": token})
        assert response.status_code == 302
        assert latest(Remedy).status == RemedyStatus.DRAFT
        translate = f"/rounds/{rnd.slug}/remedies/{remedy.id}/translate"
        shows(member.get(translate, query_string={"to": text}), where="translate page")
        data = {"to": text, "title": "Bancs", "csrf_token": token}
        assert member.post(translate, data=data).status_code == 302
        db.session.expire_all()
        langs = {t.lang for t in remedy.content.texts if t.field == "title"}
        assert langs <= set(i18n.languages())

    check()


@reads(
    ("coprod/api/routes.py", "args", "lang"),
    ("coprod/api/routes.py", "get_json", "*"),
)
def test_the_api_answers_hostile_json_with_json(app):
    rnd = make_round(Phase.VOTING)
    ids = [str(r.id) for r in rnd.remedies]
    client = app.test_client()
    text = st.one_of(HOSTILE, LONG)

    def new_code(_) -> str:
        [made] = codes.make_codes(SECRET, rnd, 1)
        db.session.commit()
        return made

    code = st.just(None).map(new_code).flatmap(lambda c: decorated(c, room=60))
    bodies = st.one_of(
        st.fixed_dictionaries(
            {
                "code": st.one_of(text, code),
                "choices": st.lists(st.one_of(st.sampled_from(ids), text), max_size=3),
                "lang": st.one_of(st.sampled_from(["ur", "en"]), text),
            }
        ),
        st.sampled_from([[], "x", None, {"code": 1, "choices": "x"}, {"code": "x"}]),
    )

    @EXAMPLES
    @given(body=bodies, lang=text)
    def check(body, lang):
        before = db.session.scalar(select(func.count(Ballot.id)))
        response = client.post(f"/api/v1/rounds/{rnd.slug}/ballots", json=body)
        assert response.status_code in (201, 404, 409, 422), response.status_code
        assert response.mimetype == "application/json" and response.get_json() is not None
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        stored = db.session.scalar(select(func.count(Ballot.id))) - before
        assert stored == (response.status_code == 201)
        if stored:
            ballot = latest(Ballot)
            assert ballot.lang == (body["lang"] if body["lang"] in i18n.languages() else "en")
        detail = client.get(f"/api/v1/rounds/{rnd.slug}", query_string={"lang": lang})
        assert detail.status_code == 200 and len(detail.get_json()["remedies"]) == 3

    check()


# --- The council's settings and replacing a lost code ---------------------------------------


def _optional_email(spoil: bool):
    """A good address; spoilt, hostile text, taken only when it is blank or a real address."""
    if not spoil:
        return good_emails().map(_ok)
    # A box left blank (spaces only, as typed) is taken: the council may have no email.
    return HOSTILE.map(lambda s: (s, "ok" if not s.strip() or email_ok(clean(s)) else "field"))


@posts_to(SettingsForm)
def test_the_councils_settings_are_stored_as_typed_and_shown_as_text(app):
    organiser, _ = signed_in(app, Role.ORGANISER)
    citizen = app.test_client()
    token = csrf_token(organiser, "/staff/settings")
    tested = dates(date(2026, 3, 27))

    @EXAMPLES
    @given(f=filled(SettingsForm, email=_optional_email, accessibility_tested=tested))
    def check(f):
        response = organiser.post("/staff/settings", data=f.values | {"csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, where="council settings")
            return
        assert_stored(response)
        saved = latest(CouncilSettings)
        typed = {k: kept(f.values[k]) for k in ("name", "email", "phone", "address", "controller")}
        assert {k: getattr(saved, k) for k in typed} == typed
        shown = [v for k, v in typed.items() if v and k != "controller"]
        shows(citizen.get("/contact"), *shown, where="the contact page")
        shows(citizen.get("/privacy"), typed["name"], typed["controller"], where="privacy")

    check()


@posts_to(ReplaceCodeForm)
def test_a_lost_code_box_takes_any_text_and_forgives_sloppy_typing(app):
    rnd = make_round(Phase.VOTING)
    organiser, _ = signed_in(app, Role.ORGANISER)
    token = csrf_token(organiser, f"/staff/rounds/{rnd.slug}")
    field = typed_fields(ReplaceCodeForm)["old_code"]

    def old_code(spoil: bool):
        if spoil:  # not a code of this round, unless the box refuses it first
            return HOSTILE.map(lambda s: (s, "field" if breaks_rules(field, s) else "form"))
        [made] = codes.make_codes(SECRET, rnd, 1)
        db.session.commit()
        return decorated(made).map(lambda s: (s, "field" if breaks_rules(field, s) else "ok"))

    @EXAMPLES
    @given(f=filled(ReplaceCodeForm, old_code=old_code))
    def check(f):
        url = f"/staff/rounds/{rnd.slug}/replace-code"
        response = organiser.post(url, data=f.values | {"csrf_token": token})
        if f.accepted:  # a new letter comes back as a file; the old code is gone
            assert "attachment" in response.headers.get("Content-Disposition", "")
            assert codes.find(SECRET, rnd, f.values["old_code"]) is None
        else:  # back to the round's page, with a message
            assert response.status_code == 302
            page = shows(organiser.get(response.headers["Location"]), where="replace code")
            assert page.has_error

    check()


# --- Conversations: statements, questions, themes and counts from elsewhere -----------------


def said(text: str) -> str:
    """What a conversation keeps of a statement: cleaned, its spaces and line breaks as one."""
    return " ".join(clean(text).split())


def _talking_round():
    rnd = make_round(Phase.PROPOSING, eligibility=Eligibility.OPEN_RATING)
    conversation.start(rnd, "What would help?")
    db.session.commit()
    return rnd


def _words(item, field: str, lang: str | None = None) -> str | None:
    db.session.expire_all()
    lang = lang or item.content.original_lang
    found = [t.body for t in item.content.texts if t.field == field and t.lang == lang]
    return found[0] if found else None


# Ids a database integer cannot hold, or digits that make no whole number.
ODD_IDS = ("²", "9" * 5000, "-1", "0", " 1 ", "١", "1.5", "")


@posts_to(StatementForm, SpokenPaperForm)
@reads(
    ("coprod/conversation/routes.py", "form", "statement"),
    ("coprod/conversation/routes.py", "form", "value"),
)
def test_a_statement_is_stored_as_typed_and_shown_as_text_wherever_it_goes(app):
    rnd = _talking_round()
    organiser, _ = signed_in(app, Role.ORGANISER)
    moderator, _ = signed_in(app, Role.MODERATOR)
    author, marker = app.test_client(), app.test_client()
    talk = f"/rounds/{rnd.slug}/conversation"
    setup = f"/staff/rounds/{rnd.slug}/conversation"
    token, marks = csrf_token(author, talk), csrf_token(marker, talk)
    staff, moderating = csrf_token(organiser, setup), csrf_token(moderator, "/staff/moderate/")
    text = st.one_of(HOSTILE, LONG)

    @EXAMPLES
    @given(
        f=filled(StatementForm),
        paper=filled(SpokenPaperForm),
        ident=st.one_of(text, st.sampled_from(ODD_IDS)),
        value=text,
    )
    @example(
        f=Filled({"text": "Benches"}, set(), False, None),
        paper=Filled({"text": "<b>"}, {"text"}, False, "text"),
        ident="²",
        value="agree",
    )
    def check(f, paper, ident, value):
        response = author.post(f"{talk}/say", data=f.values | {"csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, where="say something")
        else:
            assert_stored(response)
            mine = latest(Statement)
            assert _words(mine, "text") == said(f.values["text"]) and mine.author is not None
            shows(author.get(talk), said(f.values["text"]), where="what you said")
            shows(moderator.get("/staff/moderate/"), said(f.values["text"]), where="queue")
            decided = f"/staff/moderate/statements/{mine.id}/publish"
            assert_stored(moderator.post(decided, data={"csrf_token": moderating}))
            # The marker has marked every earlier one: this is the one they are asked about.
            shows(marker.get(talk), said(f.values["text"]), where="the next statement")
            themes = f"/staff/moderate/rounds/{rnd.slug}/themes"
            shows(moderator.get(themes), said(f.values["text"]), where="themes page")
            for junk in (value, ident):
                data = {"statement": str(mine.id), "value": junk, "csrf_token": marks}
                assert marker.post(f"{talk}/mark", data=data).status_code == 302
            # The author's own agree is there from the start (as in Pol.is); the marker's:
            theirs = (Mark.statement_id == mine.id, Mark.marker != mine.author)
            if not {value, ident} & set(conversation.VALUES):
                assert latest(Mark, *theirs) is None
            data = {"statement": str(mine.id), "value": "pass", "csrf_token": marks}
            assert marker.post(f"{talk}/mark", data=data).status_code == 302
            assert latest(Mark, *theirs).value == 0
        # Whatever names the statement or the button: sent back, never a server error.
        data = {"statement": ident, "value": value, "csrf_token": marks}
        response = marker.post(f"{talk}/mark", data=data)
        assert response.status_code == 302 and is_same_site(response.headers["Location"])
        shows(marker.get(talk), where="conversation after a hostile mark")
        shows(marker.get(f"{talk}/results"), where="results")
        # Typed in from paper by staff, in the language it is written in.
        data = paper.values | {"lang": "pl", "csrf_token": staff}
        response = organiser.post(f"{setup}/paper", data=data)
        if not paper.accepted:
            assert_kept(response, paper, where="a statement from paper")
            return
        assert_stored(response)
        typed = latest(Statement)
        assert typed.author is None and typed.content.original_lang == "pl"
        assert _words(typed, "text") == said(paper.values["text"])
        shows(moderator.get("/staff/moderate/"), said(paper.values["text"]), where="queue")

    check()


@posts_to(StartForm)
def test_a_conversations_question_is_stored_as_typed_and_shown_as_text(app):
    organiser, _ = signed_in(app, Role.ORGANISER)

    @FEW
    @given(f=filled(StartForm))
    def check(f):
        rnd = make_round(Phase.PROPOSING, eligibility=Eligibility.OPEN_RATING)
        setup = f"/staff/rounds/{rnd.slug}/conversation"
        token = csrf_token(organiser, setup)
        response = organiser.post(setup, data=f.values | {"csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, where="start a conversation")
            assert conversation.of_round(rnd) is None
            return
        assert_stored(response)
        question = kept(f.values["question"])
        assert _words(conversation.of_round(rnd), "question") == question
        shows(organiser.get(setup), question, where="conversation set-up")
        visitor = app.test_client()
        shows(visitor.get(f"/rounds/{rnd.slug}/conversation"), question, where="conversation")
        shows(visitor.get(f"/rounds/{rnd.slug}/conversation/results"), where="results")

    check()


@posts_to(StartAloneForm, ThemeTargetForm)
def test_a_conversation_without_a_round_is_stored_as_typed_and_its_themes_go_anywhere(app):
    organiser, _ = signed_in(app, Role.ORGANISER)
    moderator, _ = signed_in(app, Role.MODERATOR)
    token = csrf_token(organiser, "/staff/conversations")

    def slug(spoil: bool):
        if not spoil:
            return st.just(None).map(lambda _: (f"talk-{next(_n)}", "ok"))
        return HOSTILE.map(lambda s: (s, "ok" if _free_talk(clean(s).strip()) else "field"))

    @FEW
    @given(f=filled(StartAloneForm, slug=slug), target=HOSTILE)
    def check(f, target):
        response = organiser.post(
            "/staff/conversations", data=f.values | {"area": "", "csrf_token": token}
        )
        if not f.accepted:
            assert_kept(response, f, where="start a conversation without a round")
            return
        assert_stored(response)
        name = clean(f.values["slug"]).strip()
        talk = conversation.by_slug(name)
        assert _words(talk, "title") == kept(f.values["title"])
        assert _words(talk, "question") == kept(f.values["question"])
        visitor = app.test_client()
        shows(visitor.get("/"), kept(f.values["title"]), where="home page")
        shows(visitor.get(f"/conversations/{name}"), kept(f.values["question"]), where="talk")
        theme = conversation.make_theme(talk, {"en": "Seats"}, [], None)
        db.session.commit()
        # Any text as the round a theme goes to: no such round is refused, never a 5xx.
        themes = f"/staff/moderate/conversations/{name}/themes"
        moderating = csrf_token(moderator, themes)
        for kind in ("problem", "idea"):
            data = {"round": target, "csrf_token": moderating}
            response = moderator.post(f"/staff/moderate/themes/{theme.id}/{kind}", data=data)
            assert response.status_code == 302
        assert latest(Theme, Theme.id == theme.id).barrier_id is None

    check()


def _free_talk(text: str) -> bool:
    return (
        bool(conversation.SLUG.match(text))
        and len(text) <= 80
        and (conversation.by_slug(text) is None)
    )


@posts_to(ThemeForm, ThemeCountsForm)
@reads(("coprod/conversation/routes.py", "form", "*"))
def test_themes_and_their_counts_are_stored_as_typed_and_shown_as_text_to_the_council(app):
    rnd = _talking_round()
    talk = conversation.of_round(rnd)
    seat = conversation.write(talk, None, "Somewhere to sit", "en")
    seat.status = StatementStatus.PUBLISHED
    conversation.make_theme(talk, {"en": "Places to sit"}, [seat.id], None)
    db.session.commit()
    moderator, _ = signed_in(app, Role.MODERATOR)
    council, _ = signed_in(app, Role.ORGANISER)
    themes = f"/staff/moderate/rounds/{rnd.slug}/themes"
    token = csrf_token(moderator, themes)
    text = st.one_of(HOSTILE, LONG)
    pages = {
        "results": f"/rounds/{rnd.slug}/conversation/results",
        "council dashboard": f"/staff/council/rounds/{rnd.slug}",
        "top five": f"/staff/council/rounds/{rnd.slug}/top-5",
    }

    @EXAMPLES
    @given(
        f=filled(ThemeForm),
        counts=filled(ThemeCountsForm),
        ticked=st.lists(st.one_of(text, st.sampled_from(ODD_IDS)), max_size=3),
        words=text,
    )
    @example(
        f=Filled({"name": "Benches"}, set(), False, None),
        counts=Filled({"source": " Care plans "}, set(), False, None),
        ticked=list(ODD_IDS),
        words="<b>Miejsca</b>",
    )
    def check(f, counts, ticked, words):
        data = f.values | {"statement": [str(seat.id), *ticked], "csrf_token": token}
        response = moderator.post(themes, data=data)
        if not f.accepted:
            assert_kept(response, f, where="make a theme")
        else:
            assert_stored(response)
            theme = latest(Theme)
            name = kept(f.values["name"])
            assert _words(theme, "name") == name
            shows(moderator.get(themes), name, where="themes page")
            shows(app.test_client().get(pages["results"]), name, where="results")
            for where in ("council dashboard", "top five"):
                shows(council.get(pages[where]), name, where=where)
            # Its words in other languages, typed by a moderator: the boxes read one by one.
            translate = f"/staff/moderate/translate/theme/{theme.id}"
            data = {"text-ur": words, "text-pl": "Miejsca", words: words, "csrf_token": token}
            response = moderator.post(translate, data=data)
            wrong = len(kept(words)) > 120 or bool(_TAG.search(clean(words)))
            if wrong:
                page = shows(response, where="translate a theme", status=400)
                assert page.has_error and clean(page.boxes["text-ur"]) == clean(words)
            else:
                assert_stored(response)
                assert _words(theme, "name", "ur") == (kept(words) or None)
                if kept(words):
                    shows(council.get(pages["top five"]), where="top five in Urdu")
        # Counts collated elsewhere, from where the moderator says.
        upload = {"file": (io.BytesIO(b"theme,area,count\nPlaces to sit,North,30\n"), "c.csv")}
        response = moderator.post(
            f"/staff/moderate/rounds/{rnd.slug}/theme-counts",
            data=counts.values | upload | {"csrf_token": token},
            content_type="multipart/form-data",
        )
        if not counts.accepted:
            assert_kept(response, counts, where="counts from elsewhere")
            return
        assert_stored(response)
        assert latest(ThemeCount).source == kept(counts.values["source"])
        shows(moderator.get(themes), where="themes page with counts")

    check()


# --- The guards: no form field and no direct read can be missed -----------------------------

CODE = Path(coprod.__file__).resolve().parent
REQUEST_TEXT = {"form", "args", "values", "files", "json", "data", "cookies"}
REQUEST_TEXT |= {"get_json", "get_data"}


@posts_to(OfferForm)
def test_an_offer_of_help_is_stored_as_typed_and_reaches_the_group_as_text(app):
    rnd = make_round(Phase.RATING)
    remedy = rnd.remedies[0]
    member = app.test_client()
    sign_in(member, make_user(group=remedy.group))
    neighbour = app.test_client()
    url = f"/rounds/{rnd.slug}/remedies/{remedy.id}/offer-help"
    token = csrf_token(neighbour, url)
    moderator_user = make_user(Role.MODERATOR)

    @EXAMPLES
    @given(f=filled(OfferForm, hours=numbers(("3", " 3 ", "٣"), blank_ok=True)))
    def check(f):
        response = neighbour.post(url, data=f.values | {"consent": "y", "csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, where="offer form")
            return
        assert_stored(response)
        offer = latest(Offer)
        what, contact = kept(f.values["what"]), kept(f.values["contact"])
        assert (offer.what, offer.contact) == (what, contact)
        shows(neighbour.get(response.headers["Location"]), what, contact, where="own offer")
        offers.decide(offer, moderator_user, publish=True)
        db.session.commit()
        shows(member.get("/my-group/offers"), what, contact, where="the group's offers")

    check()


@posts_to(DrawForm)
def test_a_panel_name_is_kept_as_typed_and_shown_as_text(app):
    client, _ = signed_in(app, Role.ORGANISER)
    reader = app.test_client()
    token = csrf_token(client, "/staff/panels")
    quotas = b"feature,value,min,max\ngender,woman,1,2\ngender,man,1,2\n"
    pool = b"id,gender\n" + b"".join(b"%d,%s\n" % (i, [b"man", b"woman"][i % 2]) for i in range(8))

    @FEW
    @given(f=filled(DrawForm, size=numbers(("3", " 3 ")), seed=numbers(("7", "٧"))))
    def check(f):
        files = {
            "volunteers": (io.BytesIO(pool), "volunteers.csv"),
            "quotas": (io.BytesIO(quotas), "quotas.csv"),
        }
        response = client.post(
            "/staff/panels",
            data=f.values | files | {"csrf_token": token},
            content_type="multipart/form-data",
        )
        if not f.accepted:
            assert_kept(response, f, where="panel draw")
            return
        assert_stored(response)
        draw = latest(PanelDraw)
        assert draw.name == kept(f.values["name"])
        shows(reader.get(f"/panels/{draw.id}"), draw.name, where="public panel page")

    check()


@posts_to(SeatingForm)
def test_workshop_names_come_back_as_text_and_bad_numbers_with_a_message(app):
    client, _ = signed_in(app, Role.ORGANISER)
    token = csrf_token(client, "/staff/workshop/")
    name = "<script>alert(1)</script> \u202e🙂 & 'Ann'"
    people = f'name,role\n"{name}",resident\nBo,officer\nCy,provider\nDi,resident\n'

    def typed(spoil: bool):
        # Typed text is read as the file would be: anything but a real list comes back.
        return HOSTILE.map(lambda s: (s, "form" if kept(s) else "ok"))

    @FEW
    @given(
        f=filled(
            SeatingForm, tables=numbers(("2", " 2 ")), sessions=numbers(("1", "2")), typed=typed
        )
    )
    def check(f):
        upload = {"file": (io.BytesIO(people.encode()), "people.csv")}
        response = client.post(
            "/staff/workshop/",
            data=f.values | upload | {"csrf_token": token},
            content_type="multipart/form-data",
        )
        if not f.accepted:
            assert_kept(response, f, where="workshop seating")
            return
        shows(response, name, where="table lists")

    check()


@posts_to(RoundOfferForm)
def test_an_offer_for_a_problem_is_stored_as_typed_and_reaches_the_chosen_group(app):
    rnd = make_round(Phase.RATING)
    group = rnd.remedies[0].group
    member = app.test_client()
    sign_in(member, make_user(group=group))
    neighbour = app.test_client()
    url = f"/rounds/{rnd.slug}/offer-help"
    token = csrf_token(neighbour, url)
    moderator_user = make_user(Role.MODERATOR)
    chosen = {"target": f"theme-{rnd.barriers[0].id}", "group": str(group.id), "consent": "y"}

    @FEW
    @given(f=filled(RoundOfferForm, hours=numbers(("3", " 3 "), blank_ok=True)))
    def check(f):
        response = neighbour.post(url, data=f.values | chosen | {"csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, where="offer for a problem")
            return
        assert_stored(response)
        offer = latest(Offer)
        what, contact = kept(f.values["what"]), kept(f.values["contact"])
        assert (offer.what, offer.contact) == (what, contact)
        offers.decide(offer, moderator_user, publish=True)
        db.session.commit()
        shows(member.get("/my-group/offers"), what, contact, where="the group's offers")

    check()


@posts_to(WorkshopStartForm, SeatForm, SignInForm, TableCodeForm, EntryForm)
def test_a_workshops_boxes_keep_what_was_typed_and_show_it_as_text(app):
    rnd = make_round(Phase.RATING)
    staff, _ = signed_in(app, Role.ORGANISER)
    room = app.test_client()
    token = csrf_token(staff, "/staff/workshop/sessions")
    room_token = csrf_token(room, "/workshop/")

    @FEW
    @given(f=filled(WorkshopStartForm, tables=numbers(("2", " 2 "))))
    def start(f):
        response = staff.post(
            "/staff/workshop/sessions", data=f.values | {"round": "", "csrf_token": token}
        )
        if not f.accepted:
            assert_kept(response, f, where="start a workshop")
            return
        assert_stored(response)
        shows(staff.get("/staff/workshop/sessions"), kept(f.values["name"]), where="workshops")

    start()
    workshop = workshops.start("Evening", rnd, 2, None, date.today())
    db.session.commit()
    code, table_code = workshop.sign_in_code, workshop.table_codes[0]
    session_url = f"/staff/workshop/sessions/{workshop.id}"

    def real(value: str) -> Special:
        return lambda spoil: (
            HOSTILE.map(lambda s: (s, "field")) if spoil else decorated(value, 20).map(_ok)
        )

    @FEW
    @given(f=filled(SignInForm, code=real(code)))
    def arrive(f):
        data = f.values | {"role": "resident", "csrf_token": room_token}
        response = room.post("/workshop/", data=data)
        if not f.accepted:
            assert_kept(response, f, where="workshop sign-in")
            return
        assert response.status_code == 200
        typed = [kept(f.values[k]) for k in ("name", "organisation", "language", "area")]
        shows(staff.get(session_url), *typed, where="who signed in")

    arrive()

    @FEW
    @given(f=filled(TableCodeForm, code=real(table_code)))
    def open_table(f):
        response = room.post("/workshop/table", data=f.values | {"csrf_token": room_token})
        if not f.accepted:
            assert_kept(response, f, where="table code")
            return
        assert_stored(response)

    open_table()
    table_url = f"/workshop/table/{table_code}"

    @FEW
    @given(f=filled(EntryForm))
    def write(f):
        data = f.values | {"kind": "barrier", "csrf_token": room_token}
        response = room.post(table_url, data=data)
        if not f.accepted:
            assert_kept(response, f, where="a table's note")
            return
        assert_stored(response)
        shows(room.get(table_url), kept(f.values["text"]), where="the table's notes")

    write()
    workshops.sign_in(workshop, name="Bo", role="officer")
    db.session.commit()

    @FEW
    @given(f=filled(SeatForm, sessions=numbers(("1", " 2 "))))
    def seat(f):
        response = staff.post(session_url, data=f.values | {"csrf_token": token})
        if not f.accepted:
            assert_kept(response, f, where="seat a workshop")
            return
        shows(response, "Bo", where="table lists")

    seat()


def all_forms() -> set[type]:
    """Every form class in the app (all its modules imported, migrations and scripts aside)."""
    for module in pkgutil.walk_packages(coprod.__path__, "coprod."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found, todo = set(), [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("coprod") and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def test_every_typed_field_of_every_form_gets_hostile_text():
    forms = all_forms()
    outside = sorted(f.__qualname__ for f in forms if not issubclass(f, Form))
    assert not outside, f"forms that skip the cleaning in coprod.forms.Form: {outside}"
    missing = sorted(
        f"{f.__module__}.{f.__qualname__}: {', '.join(typed_fields(f))}"
        for f in forms
        if typed_fields(f) and f not in FORMS_POSTED
    )
    assert not missing, "no hostile-text test posts to these typed fields:\n" + "\n".join(missing)
    assert len(FORMS_POSTED) >= 18


def direct_reads() -> set[tuple[str, str, str]]:
    """(file, what of the request, which key or '*') for every read of request text in views."""
    found = set()
    for path in sorted(CODE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "request"
                and node.attr in REQUEST_TEXT
            ):
                continue
            key, up = "*", parents.get(node)
            if isinstance(up, ast.Attribute) and isinstance(call := parents.get(up), ast.Call):
                first = call.args[0] if call.args else None
                if up.attr in ("get", "getlist") and isinstance(first, ast.Constant):
                    key = first.value
            elif isinstance(up, ast.Subscript) and isinstance(up.slice, ast.Constant):
                key = up.slice.value
            found.add((path.relative_to(CODE.parent).as_posix(), node.attr, key))
    return found


def test_every_direct_read_of_request_text_gets_hostile_text():
    found = direct_reads()
    assert found - READS_COVERED == set(), "views read these without a hostile-text test"
    assert READS_COVERED - found == set(), "these reads are gone: update the tests above"


# --- Staff invitations, the audit log's filters, group invitation links ---------------------


@posts_to(InviteForm)
def test_an_invitation_keeps_names_as_typed_and_shows_them_as_text(app):
    organiser, _ = signed_in(app, Role.ORGANISER)

    @EXAMPLES
    @given(f=filled(InviteForm, email=emails()))
    def check(f):
        v = f.values
        email = clean(v["email"]).strip().lower()
        if f.accepted and groups.email_taken(email):
            f.refused.add("email")
        token = csrf_token(organiser, "/staff/people")
        data = v | {"role": "moderator", "how": "link", "csrf_token": token}
        response = organiser.post("/staff/people", data=data)
        if not f.accepted:
            assert_kept(response, f, where="invitation")
            return
        shows(response, kept(v["name"]), where="invitation link")
        user = latest(User, User.email == email)
        assert user.name == kept(v["name"]) and user.role == Role.MODERATOR
        shows(organiser.get("/staff/people"), user.name, email, where="staff")

    check()


@reads(
    ("coprod/admin/auditlog.py", "args", "kind"),
    ("coprod/admin/auditlog.py", "args", "*"),
    ("coprod/propose/routes.py", "args", "invite"),
)
def test_audit_filters_and_group_invitations_take_any_text(app):
    organiser, _ = signed_in(app, Role.ORGANISER)

    @EXAMPLES
    @given(text=HOSTILE)
    def check(text):
        for name in ("round", "person", "kind"):
            for url in ("/staff/audit", "/staff/audit.csv"):
                response = organiser.get(url, query_string={name: text})
                assert response.status_code == 200, (url, name)
        page = app.test_client().get("/sign-up", query_string={"invite": text})
        shows(page, status=400 if text else 200)  # a wrong link is refused, never a 500

    check()


@reads(
    ("coprod/admin/routes.py", "args", "area"),
    ("coprod/admin/routes.py", "args", "letters"),
    ("coprod/council/routes.py", "args", "before"),
)
def test_who_to_invite_first_and_its_letters_links_take_any_text(app):
    rnd = make_round(Phase.VOTING)
    organiser, _ = signed_in(app, Role.ORGANISER)

    @FEW
    @given(text=HOSTILE)
    def check(text):
        url = f"/staff/council/rounds/{rnd.slug}/invite-first"
        shows(organiser.get(url, query_string={"before": text}), where="invite first")
        letters = {"letters": text, "area": text}
        shows(organiser.get(f"/staff/rounds/{rnd.slug}", query_string=letters), where="letters")

    check()


# --- Setting a round up ------------------------------------------------------------------------

SETUP_DAYS = {
    name: date(2027, 1, 1) + timedelta(days=30 * i)
    for i, name in enumerate(
        ("proposing_opens", "rating_opens", "voting_opens", "voting_closes", "responses_due")
    )
}


def _area_verdict(name: str) -> str:
    collapsed = " ".join(clean(name).split())
    return "ok" if collapsed and len(collapsed) <= 200 else "field"


@posts_to(NameForm, MoneyForm, BallotForm, DatesForm, AreasForm)
@reads(
    ("coprod/admin/setup.py", "args", "check"),
    ("coprod/admin/setup.py", "args", "start"),
    ("coprod/admin/setup.py", "form", "rows"),
    ("coprod/admin/setup.py", "form", "add"),
    ("coprod/admin/setup.py", "form", "*"),
)
def test_setting_a_round_up_keeps_names_as_typed_and_refuses_bad_numbers_with_a_message(app):
    organiser, _ = signed_in(app, Role.ORGANISER)
    new = "/staff/rounds/new"
    token = csrf_token(organiser, f"{new}/name")
    money = numbers(("1500", "1,500", " £1 500 ", "١٥٠٠", "\u00a0250"))
    percent = numbers(("0", "50", " 100 ", "٥"))

    @EXAMPLES
    @given(
        name=filled(NameForm),
        cash=filled(MoneyForm, budget=money, min_spend_percent=percent),
        ballot=filled(BallotForm, max_choices=numbers(("1", " 12 ", "٣"))),
        when=filled(DatesForm, **{n: dates(d) for n, d in SETUP_DAYS.items()}),
        whole=filled(AreasForm, whole_place_budget=money),
        area=HOSTILE,
        check_query=HOSTILE,
    )
    def check(name, cash, ballot, when, whole, area, check_query):
        organiser.get(new, query_string={"start": check_query})
        organiser.get(new, query_string={"start": "1"})
        screens = [
            ("name", name, {}),
            ("money", cash, {"currency": "GBP"}),  # before the areas: the money box shows
            ("ballot", ballot, {"ballot_type": "approval"}),
            ("dates", when, {}),
        ]
        for step, f, more in screens:
            url = f"{new}/{step}"
            response = organiser.post(url, data=f.values | more | {"csrf_token": token})
            if f.accepted:
                assert_stored(response)
            else:
                assert_kept(response, f, where=step)
        rows = {"rows": "1", "area-1-name": area, "area-1-budget": "100", "whole_place": "y"}
        response = organiser.post(
            f"{new}/areas",
            query_string={"check": check_query},
            data=rows | whole.values | {"csrf_token": token},
        )
        verdict = _area_verdict(area)
        if whole.accepted and verdict == "ok":
            assert_stored(response)
            assert is_same_site(response.headers["Location"])
        else:
            page = shows(response, where="areas")
            assert page.has_error
            assert clean(page.boxes["area-1-name"]).strip() == clean(area)[:300].strip()
        # Add another area: what was typed comes back, with a new empty row.
        response = organiser.post(
            f"{new}/areas", data=rows | {"add": "1", "rows": area, "csrf_token": token}
        )
        shows(response, where="add another area")
        if not (name.accepted and cash.accepted and ballot.accepted and when.accepted):
            return
        if not (whole.accepted and verdict == "ok"):
            return
        for step, data in (
            ("languages", {"languages": ["ur"]}),
            ("rule", {"tally_rule": "greedy"}),
            ("who", {"eligibility": "code", "paper": "once"}),
        ):
            assert_stored(organiser.post(f"{new}/{step}", data=data | {"csrf_token": token}))
        title, summary = kept(name.values["title"]), kept(name.values["summary"])
        shows(organiser.get(f"{new}/check"), title, " ".join(clean(area).split()), where="check")
        assert_stored(organiser.post(f"{new}/check", data={"csrf_token": token}))
        rnd = latest(Round)
        assert str(rnd.t("title", "en")) == title and str(rnd.t("summary", "en")) == summary
        shows(organiser.get(f"/staff/rounds/{rnd.slug}"), title, where="round's staff page")
        shows(organiser.get("/staff/audit"), title, where="audit log")

    check()


# --- Ideas outside rounds, following, delivery ------------------------------------------------


def _idea_area():
    from coprod.models import Area

    area = Area(slug=f"ward-{next(_n)}", name="Ward", population=1000)
    db.session.add(area)
    db.session.commit()
    return area


def _published_idea(area, answerer=None):
    from coprod.ideas import operations as idea_ops

    idea_ops.set_rule(
        area,
        supporters=1000,
        percent=None,
        answer_days=30,
        decision_maker=answerer,
        keep_days=90,
        actor=make_user(Role.ORGANISER),
    )
    idea = idea_ops.put_up(
        area, "en", {"title": "Benches", "now": "x", "proposal": "y"}, None, None
    )
    idea_ops.publish(idea, make_user(Role.MODERATOR))
    db.session.commit()
    return idea


def _follow_address(spoil: bool):
    from coprod.following.forms import _EMAIL, _PHONE

    if not spoil:
        return good_emails().map(lambda s: (s, "ok"))
    return HOSTILE.map(
        lambda s: (
            s,
            "ok"
            if (_EMAIL.fullmatch(kept(s)) or _PHONE.fullmatch(kept(s)))
            and len(clean(s).strip()) <= 254
            else "field",
        )
    )


@posts_to(IdeaForm, PaperSupportForm, CodeSupportForm, EmailSupportForm, FollowForm)
def test_ideas_support_and_following_take_hostile_text_as_text(app, monkeypatch):
    from coprod.following.models import Follower
    from coprod.ideas.models import Idea, IdeaSupport

    area = _idea_area()
    idea = _published_idea(area)
    app.config["MAIL_SERVER"] = "smtp.invalid"
    monkeypatch.setattr(mail, "send", lambda messages: None)
    public = app.test_client()
    token = csrf_token(public, "/ideas/new")
    staff, _ = signed_in(app, Role.MODERATOR)
    staff_token = csrf_token(staff, f"/staff/ideas/{idea.id}/paper")
    page = f"/ideas/{idea.id}"
    always_refused = lambda spoil: HOSTILE.map(lambda s: (s, "field"))  # noqa: E731

    @FEW
    @given(
        new=filled(
            IdeaForm,
            now_cost=numbers(("1500", " £1 500 "), blank_ok=True),
            proposal_cost=numbers(("250",), blank_ok=True),
        ),
        paper=filled(PaperSupportForm),
        code=filled(CodeSupportForm, code=always_refused),
        email=filled(EmailSupportForm, email=emails()),
        follow=filled(FollowForm, address=_follow_address),
    )
    def check(new, paper, code, email, follow):
        response = public.post(
            "/ideas/new", data=new.values | {"area": str(area.id), "csrf_token": token}
        )
        if not new.accepted:
            assert_kept(response, new, where="new idea")
        else:
            assert_stored(response)
            title = kept(new.values["title"])
            assert latest(Idea).content.text("title", "en").text == title
            found = latest(Idea)
            shows(staff.get(f"/staff/moderate/ideas/{found.id}"), title, where="idea to check")
        response = staff.post(
            f"/staff/ideas/{idea.id}/paper", data=paper.values | {"csrf_token": staff_token}
        )
        if not paper.accepted:
            assert_kept(response, paper, where="paper form")
        else:
            assert_stored(response)
            assert latest(IdeaSupport).name == kept(paper.values["name"])
        response = public.post(f"{page}/support-by-code", data=code.values | {"csrf_token": token})
        assert_kept(response, code, where="code support")
        response = public.post(
            f"{page}/support-by-email", data=email.values | {"csrf_token": token}
        )
        if not email.accepted:
            assert_kept(response, email, where="email support")
        else:
            assert_stored(response)
        response = public.post(
            f"/follow/idea/{idea.id}", data=follow.values | {"lang": "ur", "csrf_token": token}
        )
        if not follow.accepted:
            assert_kept(response, follow, where="follow")
        else:
            assert_stored(response)
            assert latest(Follower).lang == "ur"

    check()


@posts_to(IdeaChangeForm)
@reads(("coprod/delivery/routes.py", "args", "by"))
def test_an_idea_changed_by_its_author_and_case_studies_by_anything(app):
    from itsdangerous import URLSafeSerializer

    from coprod.ideas import operations as idea_ops
    from coprod.ideas.models import Idea
    from coprod.models import RemedyStatus

    area = _idea_area()
    _moderator, moderator = signed_in(app, Role.MODERATOR)
    texts = {"title": "Benches", "now": "None.", "proposal": "Two."}
    idea = idea_ops.put_up(area, "en", texts, None, None)
    db.session.commit()
    signer = URLSafeSerializer(app.config["SECRET_KEY"], salt="idea-author")
    url = f"/ideas/{idea.id}/yours/{signer.dumps(idea.id)}"
    author = app.test_client()
    token = csrf_token(author, "/ideas/new")

    @FEW
    @given(
        change=filled(
            IdeaChangeForm,
            now_cost=numbers(("1500",), blank_ok=True),
            proposal_cost=numbers(("250",), blank_ok=True),
        ),
        by=HOSTILE,
    )
    def check(change, by):
        found = db.session.get(Idea, idea.id)
        found.status = RemedyStatus.SUBMITTED
        idea_ops.ask_for_changes(found, moderator, "Please say where.")
        db.session.commit()
        response = author.post(url, data=change.values | {"csrf_token": token})
        if not change.accepted:
            assert_kept(response, change, where="changed idea")
        else:
            assert_stored(response)
            db.session.expire_all()
            title = kept(change.values["title"])
            assert db.session.get(Idea, idea.id).content.text("title", "en").text == title
            shows(author.get(url), title, where="the author's page")
        shows(author.get("/case-studies", query_string={"by": by}), where="case studies")
        shows(author.get("/case-studies/print", query_string={"by": by}), where="pack")

    check()


@posts_to(RuleForm, IdeaAnswerForm, TranslateAnswerForm)
@reads(("coprod/ideas/routes.py", "form", "*"))  # the threshold form of one area among many
def test_thresholds_and_answers_to_ideas_are_kept_as_typed(app):
    from coprod.ideas import operations as idea_ops

    area = _idea_area()
    organiser, _ = signed_in(app, Role.ORGANISER)
    idea = _published_idea(area)
    idea_ops.add_support(idea, idea_ops.SupportWay.PAPER, "k")
    idea.due_on = date.today() + timedelta(days=3)
    db.session.commit()
    public = app.test_client()
    token = csrf_token(organiser, "/staff/ideas/thresholds")
    prefix = f"area-{area.id}-"
    past = dates(date.today(), date.today() - timedelta(days=2))

    @FEW
    @given(
        rule=filled(
            RuleForm,
            supporters=numbers(("20", " 20 ")),
            percent=numbers(("5",), blank_ok=True),
            answer_days=numbers(("30",)),
            keep_days=numbers(("90",)),
        ),
        answer=filled(IdeaAnswerForm, decided_on=past),
        translation=filled(TranslateAnswerForm),
    )
    def check(rule, answer, translation):
        data = {prefix + k: v for k, v in rule.values.items()} | {
            prefix + "csrf_token": token,
            prefix + "decision_maker": "",
        }
        response = organiser.post(f"/staff/ideas/thresholds/{area.id}", data=data)
        if not rule.accepted:
            as_typed = Filled(
                {prefix + k: v for k, v in rule.values.items()},
                {prefix + k for k in rule.refused},
                rule.failing,
                None,
            )
            assert_kept(response, as_typed, where="threshold")
        else:
            assert_stored(response)
        idea.decision = None
        db.session.commit()
        url = f"/staff/council/ideas/{idea.id}"
        response = organiser.post(url, data=answer.values | {"decision": "no", "csrf_token": token})
        if not answer.accepted:
            assert_kept(response, answer, where="idea answer")
            return
        assert_stored(response)
        reason = kept(answer.values["reason"])
        shows(public.get(f"/ideas/{idea.id}"), reason, where="idea page")
        response = organiser.post(
            f"/ideas/{idea.id}/translate-answer",
            data=translation.values | {"lang": "pl", "csrf_token": token},
        )
        if not translation.accepted:
            assert_kept(response, translation, where="answer translation")
            return
        assert_stored(response)
        said_pl = kept(translation.values["reason"])
        shows(
            public.get(f"/ideas/{idea.id}", headers={"Accept-Language": "pl"}),
            said_pl,
            where="translated answer",
        )

    check()


def _photo_url(spoil: bool):
    if not spoil:
        return st.sampled_from(("", "https://example.org/p.jpg")).map(_ok)
    return HOSTILE.map(
        lambda s: (
            s,
            "ok"
            if not clean(s).strip()
            or clean(s).strip().startswith(("https://", "http://"))
            and len(clean(s).strip()) <= 500
            else "field",
        )
    )


def _photo_words(spoil: bool):
    return WITH_MARKUP.map(lambda s: (s, "field")) if spoil else st.just(("Two benches", "ok"))


@posts_to(FactsForm, DeliveryUpdateForm, CaseStudyForm)
def test_delivery_and_case_studies_are_kept_as_typed_and_shown_as_text(app):
    from coprod.delivery import operations as deliveries
    from coprod.models import Count

    rnd = make_round(Phase.COUNTED)
    remedy = rnd.remedies[0]
    db.session.add(
        Count(
            round_id=rnd.id,
            rule="greedy",
            utility="cost",
            inputs_sha256="0" * 64,
            ballots=1,
            spent=remedy.cost,
            selected=[str(remedy.id)],
            explanations={},
        )
    )
    db.session.commit()
    staff, _ = signed_in(app, Role.COUNCILLOR)
    public = app.test_client()
    page = f"/rounds/{rnd.slug}/remedies/{remedy.id}/delivery"
    token = csrf_token(staff, page)
    days = dates(date.today(), date.today() - timedelta(days=9))

    @FEW
    @given(
        facts=filled(
            FactsForm,
            money_promised=numbers(("4000", "4,000")),
            money_spent=numbers(("10",)),
            start_promised=days,
            started_on=days,
            done_promised=days,
            done_on=days,
        ),
        update=filled(DeliveryUpdateForm, photo_url=_photo_url, photo_alt=_photo_words),
        study=filled(
            CaseStudyForm,
            before_cost=numbers(("900",), blank_ok=True),
            after_cost=numbers(("100",), blank_ok=True),
        ),
    )
    def check(facts, update, study):
        response = staff.post(
            f"{page}/facts", data=facts.values | {"stage": "done", "csrf_token": token}
        )
        if not facts.accepted:
            assert_kept(response, facts, where="delivery facts")
            deliveries.ensure(remedy).stage = "done"
            db.session.commit()
        else:
            assert_stored(response)
            shows(public.get(page), kept(facts.values["responsible"]), where="delivery page")
        response = staff.post(f"{page}/updates", data=update.values | {"csrf_token": token})
        if not update.accepted:
            assert_kept(response, update, where="delivery update")
        else:
            assert_stored(response)
            shows(public.get(page), kept(update.values["note"]), where="delivery updates")
        url = f"/rounds/{rnd.slug}/remedies/{remedy.id}/case-study/write"
        response = staff.post(url, data=study.values | {"consent": "y", "csrf_token": token})
        if not study.accepted:
            assert_kept(response, study, where="case study")
            return
        assert_stored(response)
        shows(
            public.get(f"/case-studies/{remedy.id}"),
            kept(study.values["after"]),
            where="case study page",
        )


# --- The community map: places marked, assets added, the kit's options ---------------------


def _mapped_round():
    from coprod.models import Area

    ward = Area(
        slug="mapped-ward",
        name="The Ward",
        boundary={
            "type": "MultiPolygon",
            "coordinates": [[[[-1.92, 52.47], [-1.88, 52.47], [-1.88, 52.49], [-1.92, 52.47]]]],
        },
        landmarks=[{"name": "The library", "lon": -1.9, "lat": 52.475}],
    )
    db.session.add(ward)
    db.session.commit()
    return make_round(Phase.RATING, area_id=ward.id)


@posts_to(AssetForm, BarrierMarkForm)
@reads(
    ("coprod/map/routes.py", "form", "at.x"),
    ("coprod/map/routes.py", "form", "at.y"),
    ("coprod/map/routes.py", "args", "lang"),
    ("coprod/toolkit/routes.py", "args", "size"),
)
def test_places_on_the_map_are_stored_as_typed_and_shown_as_text(app):
    rnd = _mapped_round()
    moderator, _ = signed_in(app, Role.MODERATOR)
    citizen = app.test_client()
    asset_url, mark_url = f"/rounds/{rnd.slug}/map/asset", f"/rounds/{rnd.slug}/map/problem"
    token = csrf_token(citizen, asset_url)
    barrier = str(rnd.barriers[0].id)

    @FEW
    @given(asset=filled(AssetForm), mark=filled(BarrierMarkForm), at=HOSTILE)
    def check(asset, mark, at):
        # A press on the map that is no number is no place: the form comes back, kept.
        pressed = citizen.post(
            asset_url, data=asset.values | {"csrf_token": token, "at.x": at, "at.y": at}
        )
        assert_kept(pressed, replace(asset, failing=True), where="asset at a hostile place")
        sent = citizen.post(
            asset_url, data=asset.values | {"csrf_token": token, "landmark": "The library"}
        )
        if not asset.accepted:
            assert_kept(sent, asset, where="asset")
        else:
            assert_stored(sent)
            found = latest(Asset)
            assert (found.name, found.about) == (
                kept(asset.values["name"]),
                kept(asset.values["about"]),
            )
            moderator.post(
                f"/staff/moderate/map/asset/{found.id}/publish",
                data={"csrf_token": csrf_token(moderator, "/staff/moderate/")},
            )
            shows(citizen.get(f"/rounds/{rnd.slug}/map"), found.name, where="map")
            feed = citizen.get(f"/api/v1/rounds/{rnd.slug}/map.geojson?lang={at[:20]}")
            titles = {f["properties"].get("title") for f in feed.get_json()["features"]}
            assert found.name in titles
        marked = citizen.post(
            mark_url,
            data=mark.values | {"csrf_token": token, "barrier": barrier, "landmark": "The library"},
        )
        if not mark.accepted:
            assert_kept(marked, mark, where="barrier marked")
        else:
            assert_stored(marked)
            assert latest(BarrierMark).note == kept(mark.values["note"])
            shows(moderator.get("/staff/moderate/"), kept(mark.values["note"]), where="queue")
        shows(citizen.get("/toolkit/guide", query_string={"size": at}), where="kit")

    check()
