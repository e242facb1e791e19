"""Command-line commands: `flask --app app translate ...`, `demo`.

A command that writes calls operations, then commits once at its end: a command that fails
half-way stores nothing.
"""

import csv
import json
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "translations" / "messages.pot"


def _pybabel(*args: str) -> None:
    # pybabel comes with Babel; running it as a module avoids PATH surprises. babel.cfg's
    # patterns are relative to the project root.
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@click.group()
def translate() -> None:
    """Manage the interface's translations."""


@translate.command()
def extract() -> None:
    """Collect every translatable string into translations/messages.pot."""
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "_l",
        "--add-comments=i18n:",
        "--sort-by-file",
        "--no-wrap",
        "--project=Coprod",
        "-o",
        str(POT),
        ".",
    )


@translate.command()
@click.argument("lang")
@click.pass_context
def init(ctx: click.Context, lang: str) -> None:
    """Start a new language: `flask translate init so`."""
    ctx.invoke(extract)
    _pybabel("init", "-i", str(POT), "-d", str(ROOT / "translations"), "-l", lang, "--no-wrap")


@translate.command()
@click.pass_context
def update(ctx: click.Context) -> None:
    """Bring every language up to date with the strings in the code."""
    ctx.invoke(extract)
    _pybabel(
        "update", "-i", str(POT), "-d", str(ROOT / "translations"), "--no-wrap", "--ignore-obsolete"
    )


@translate.command()
def compile() -> None:
    """Build the .mo files the site reads (the install does this; they are not committed)."""
    _pybabel("compile", "-d", str(ROOT / "translations"), "--statistics")


@translate.command()
@with_appcontext
def suggestions() -> None:
    """Write citizens' accepted suggestions into the catalogues, then compile them."""
    from coprod.extensions import db
    from coprod.operations.suggestions import mark_exported, waiting_to_export
    from coprod.translate.catalogue import apply_suggestions

    accepted = waiting_to_export()
    by_lang: dict[str, dict[str, str]] = {}
    for s in accepted:
        by_lang.setdefault(s.lang, {})[s.msgid] = s.suggestion
    for lang, wordings in sorted(by_lang.items()):
        changed = apply_suggestions(current_app.config["TRANSLATIONS_DIR"], lang, wordings)
        click.echo(f"{lang}: {changed} strings changed")
    mark_exported(accepted)
    db.session.commit()
    _pybabel("compile", "-d", current_app.config["TRANSLATIONS_DIR"])


@click.command()
@with_appcontext
def demo() -> None:
    """Load the workshop as demo content (does nothing when it is already there)."""
    from coprod.demo import load
    from coprod.extensions import db

    lines = list(load(current_app.config))
    db.session.commit()  # before the logins and codes are shown: they must exist
    for line in lines:
        click.echo(line)


@click.command()
@click.argument("round_slug", metavar="ROUND")
@click.option("--count", "-n", type=click.IntRange(1, 200_000), required=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write a CSV file.")
@click.option(
    "--letters",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write printable letters (HTML, one page per code).",
)
@click.option("--lang", default="en", help="Language of the letters.")
@click.option("--area", help="The area's slug, in a round with a pot of money for each area.")
@with_appcontext
def codes(
    round_slug: str, count: int, out: str | None, letters: str | None, lang: str, area: str | None
) -> None:
    """Make COUNT new voter codes for a round and print them, one per line."""
    from coprod.extensions import db
    from coprod.operations import codes as voter_codes
    from coprod.participate.letters import render_letters

    rnd = _round_or_fail(round_slug)
    # Each code votes in its area's pot: a round with area pots needs the area.
    areas = {p.area.slug: p.area for p in rnd.pots if p.area is not None}
    if (areas or area) and area not in areas:
        raise click.UsageError(
            "this round's codes need --area, one of: " + ", ".join(sorted(areas))
            if areas
            else "this round has no pot for each area: leave out --area"
        )
    chosen = areas.get(area) if area else None
    made = voter_codes.make_codes(
        current_app.config["SECRET_KEY"],
        rnd,
        count,
        letter_lang=lang,
        area_id=chosen.id if chosen else None,
    )
    db.session.commit()  # before the codes are shown: they must exist
    if out:
        with open(out, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([["code"], *[[c] for c in made]])
    else:
        click.echo("\n".join(made))
    if letters:
        page = render_letters(rnd, made, lang, area=chosen.name if chosen else None)
        Path(letters).write_text(page, encoding="utf-8")


def _round_or_fail(slug: str):
    from coprod.extensions import db
    from coprod.models import Round

    rnd = db.session.scalar(db.select(Round).where(Round.slug == slug))
    if rnd is None:
        raise click.UsageError(f"no round with the slug {slug!r}")
    return rnd


@click.command("export")
@click.argument("round_slug", metavar="ROUND")
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
def export_command(round_slug: str, out) -> None:
    """Write a whole round as JSON (to stdout, or --out FILE)."""
    from coprod.operations.transfer import export_round

    json.dump(export_round(_round_or_fail(round_slug)), out, ensure_ascii=False, indent=1)
    out.write("\n")


@click.command("import")
@click.argument("source", type=click.File("r", encoding="utf-8"))
@click.option("--slug", help="Give the round a new slug (when its own is taken).")
@click.option("--title", help="Give the round a new name, in the council's main language.")
@with_appcontext
def import_command(source, slug: str | None, title: str | None) -> None:
    """Recreate a round from `flask export` JSON, under its own or a new slug and title."""
    from flask import current_app

    from coprod.extensions import db
    from coprod.operations.transfer import TransferError, import_round

    title = title.strip() if title else None
    if title is not None and not 1 <= len(title) <= 200:
        raise click.BadParameter("a title has 1 to 200 characters", param_hint="--title")
    try:
        rnd = import_round(
            json.load(source),
            slug=slug,
            title=title,
            lang=current_app.config["BABEL_DEFAULT_LOCALE"],
        )
    except UnicodeDecodeError as error:
        raise click.ClickException(not_utf8(source.name, error)) from None
    except RecursionError:
        raise click.ClickException(f"cannot import: {source.name} is nested too deeply") from None
    except (TransferError, json.JSONDecodeError, KeyError) as error:
        raise click.ClickException(f"cannot import: {error}") from error
    db.session.commit()
    click.echo(f"Imported the round {rnd.slug}.")


@click.command("count")
@click.argument("round_slug", metavar="ROUND")
@with_appcontext
def count_command(round_slug: str) -> None:
    """Count a round whose voting has closed, and store the result."""
    from coprod.extensions import db
    from coprod.operations.counting import count_pots

    rnd = _round_or_fail(round_slug)
    try:
        results = count_pots(rnd)  # one per pot; a round without pots is one
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    for result in results:
        click.echo(
            (f"Pot {result.pot_id}: " if result.pot_id is not None else "")
            + f"Counted {result.ballots} ballots with {result.rule}: "
            f"{len(result.selected)} remedies funded, {result.spent} spent."
        )


@click.command("import-pb")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--slug", help="The new round's slug (default: the file's name).")
@with_appcontext
def import_pb(source: str, slug: str | None) -> None:
    """Make a round from a real election's .pb file (projects, costs and ballots)."""
    from coprod import tally
    from coprod.extensions import db
    from coprod.operations.imports import ElectionImportError, import_election

    try:
        election = tally.read_pb(source)
        rnd = import_election(election, slug or _slug(Path(source).stem))
    except UnicodeDecodeError as error:
        raise click.ClickException(not_utf8(source, error)) from None
    except (tally.PabulibError, ElectionImportError) as error:
        raise click.ClickException(f"{source}: {error}") from error
    db.session.commit()
    click.echo(f"Imported {len(election.votes)} ballots into the round {rnd.slug}.")


def not_utf8(name: str, error: UnicodeDecodeError) -> str:
    """One line saying which file is not UTF-8 text, and where."""
    return f"{name}: not UTF-8 text (byte {error.start + 1:,} cannot be read as UTF-8)"


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())[:80]


@click.command("purge-contacts")
@with_appcontext
def purge_contacts() -> None:
    """Delete citizens' contacts kept longer than their round allows (run daily)."""
    from coprod.extensions import db
    from coprod.operations.privacy import purge_contacts as purge

    deleted = purge()
    db.session.commit()
    click.echo(f"Deleted {deleted} contacts.")


@click.command("settings")
@click.option(
    "--set",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Change a setting: name, email, phone, address, controller, accessibility_tested.",
)
@click.option("--logo", type=click.File("rb"), help="A PNG or JPEG logo, up to 200 KB.")
@with_appcontext
def settings_command(pairs: tuple[str, ...], logo) -> None:
    """Print the council's settings, or change them with --set KEY=VALUE (one commit)."""
    from datetime import date

    from coprod.extensions import db
    from coprod.operations import council

    values: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in council.FIELDS:
            raise click.UsageError(
                f"--set takes KEY=VALUE with KEY one of {', '.join(council.FIELDS)}"
            )
        if key == "accessibility_tested":
            try:
                values[key] = date.fromisoformat(value) if value else None
            except ValueError:
                raise click.UsageError("accessibility_tested is a date: YYYY-MM-DD") from None
        else:
            values[key] = value
    if key_email := values.get("email"):
        from email_validator import EmailNotValidError, validate_email

        try:
            validate_email(str(key_email), check_deliverability=False)
        except EmailNotValidError as error:
            raise click.UsageError(f"email: {error}") from None
    if values or logo:
        try:
            council.update(values, logo=logo.read() if logo else None)
        except council.LogoError as error:
            raise click.UsageError(f"logo: {error}") from None
        db.session.commit()
    current = council.current()
    for key in council.FIELDS:
        value = getattr(current, key)
        click.echo(f"{key}: {'' if value is None else value}")
    click.echo(f"logo: {current.logo_mimetype or 'none'}")


@click.group()
def staff() -> None:
    """Staff accounts: make the first organiser of an empty site."""


@staff.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    type=click.Choice(["organiser", "moderator", "commissioner", "councillor"]),
    default="organiser",
    show_default=True,
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def staff_create(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Make a staff account that can sign in at once, e.g. a council's first organiser."""
    from coprod.accounts.operations import StaffError, create_staff
    from coprod.extensions import db
    from coprod.models import Role

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        raise click.ClickException("the password needs at least 10 characters")
    if "@" not in email or len(email) > 254 or not name.strip():
        raise click.ClickException("give a real email address and a name")
    try:
        user = create_staff(email, name, password, Role(role), actor=None)
    except StaffError:
        raise click.ClickException(f"there is already an account for {email}") from None
    db.session.commit()
    click.echo(f"Made the {role} {user.name} <{user.email}>. They can sign in now.")


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except UnicodeDecodeError as error:
        raise click.ClickException(not_utf8(path, error)) from None
    except OSError as error:
        raise click.ClickException(f"{path}: {error.strerror}") from None


@click.command("seat")
@click.argument("people_csv", metavar="PEOPLE.csv")
@click.option("--tables", type=click.IntRange(1, 500), required=True, help="How many tables.")
@click.option("--sessions", type=click.IntRange(1, 20), default=1, show_default=True)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="The same seed, the same seats."
)
def seat_command(people_csv: str, tables: int, sessions: int, seed: int) -> None:
    """Seat a workshop at mixed tables, session by session.

    PEOPLE.csv has the columns name and role, and may have organisation, language,
    needs_interpreter (yes/no) and interprets (the language an interpreter speaks).
    """
    from coprod.seating import tables as seating
    from coprod.seating.files import FileRefused

    try:
        people = seating.read_attendees(_read_text(people_csv))
        plan = seating.seat(people, tables, sessions, seed=seed)
    except FileRefused as refused:
        raise click.ClickException(f"{people_csv}: line {refused.line}: {refused.reason}") from None
    except seating.SeatingFailed as failed:
        raise click.ClickException(str(failed)) from None
    for s, session in enumerate(plan, 1):
        click.echo(f"Session {s}")
        for t, table in enumerate(session, 1):
            names = ", ".join(p.name for p in table)
            click.echo(f"  Table {t}: {names}")


@click.command("panel")
@click.argument("volunteers_csv", metavar="VOLUNTEERS.csv")
@click.option("--size", type=click.IntRange(1, 10_000), required=True, help="Panel size.")
@click.option("--quotas", "quotas_csv", required=True, help="QUOTAS.csv: feature,value,min,max.")
@click.option(
    "--seed",
    type=click.IntRange(1, 2_000_000_000),
    required=True,
    help="Publish it: the same seed, the same panel.",
)
@click.option(
    "--method",
    type=click.Choice(["maximin", "legacy"]),
    default="maximin",
    show_default=True,
    help="maximin: the fairest lottery (slower on big pools); legacy: person by person.",
)
def panel_command(volunteers_csv: str, size: int, quotas_csv: str, seed: int, method: str) -> None:
    """Draw a citizens' panel by lottery from volunteers, meeting every quota."""
    from coprod.seating import panel
    from coprod.seating.files import FileRefused

    name = quotas_csv
    try:
        quotas = panel.read_quotas(_read_text(quotas_csv))
        name = volunteers_csv
        volunteers = panel.read_volunteers(_read_text(volunteers_csv), list(quotas))
        result = panel.draw(volunteers, quotas, size, seed, method)
    except FileRefused as refused:
        raise click.ClickException(f"{name}: line {refused.line}: {refused.reason}") from None
    except panel.DrawFailed as failed:
        raise click.ClickException(str(failed)) from None
    click.echo(f"Panel of {size} from {len(volunteers)} volunteers, seed {seed}, {method}.")
    click.echo(f"Inputs (SHA-256): {result.inputs_sha256}")
    for row in result.rows:
        q = row.quota
        click.echo(
            f"  {row.feature} = {row.value}: {row.chosen} chosen "
            f"(quota {q.least}-{q.most}; {row.volunteers} volunteered)"
        )
    click.echo("Chosen: " + ", ".join(result.chosen))


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (
        translate,
        demo,
        codes,
        export_command,
        import_command,
        purge_contacts,
        count_command,
        import_pb,
        settings_command,
        staff,
        seat_command,
        panel_command,
    ):
        app.cli.add_command(command)
