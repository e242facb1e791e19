"""Every catalogue is complete: no untranslated or fuzzy entry, same placeholders, same tags."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
TAG = re.compile(r"</?([a-zA-Z][\w-]*)[^>]*>")


def entries(po: Path):
    with po.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if message.id:
            yield message


def forms(message) -> tuple[list[str], list[str]]:
    ids = list(message.id) if isinstance(message.id, tuple) else [message.id]
    strings = list(message.string) if isinstance(message.string, tuple) else [message.string]
    return ids, strings


def test_every_supported_language_has_a_catalogue():
    langs = {p.parts[-3] for p in CATALOGUES}
    assert {"ur", "ar"} <= langs


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-3])
def test_catalogue_is_complete_and_consistent(po):
    problems = []
    for message in entries(po):
        ids, strings = forms(message)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            found = set(PLACEHOLDER.findall(text))
            # A plural form may leave out %(num)d (e.g. "one" in words), nothing else.
            if found - wanted or (wanted - found) - {"num"}:
                problems.append(f"placeholders differ: {ids[0]!r} -> {text!r}")
            if sorted(TAG.findall(text)) != sorted(TAG.findall(ids[0])):
                problems.append(f"HTML tags differ: {ids[0]!r} -> {text!r}")
    assert not problems, f"{po.parts[-3]}: " + "\n".join(problems)


def test_catalogues_hold_every_string_the_code_uses(tmp_path):
    """A string added to a template or view without `flask translate update` fails here."""
    pot = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "--no-wrap",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    for po in CATALOGUES:
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in entries(po)}
        missing = sorted(wanted - have)
        assert not missing, f"{po.parts[-3]} lacks {missing[:5]}: run `flask translate update`"


def test_chinese_fonts_hold_every_chinese_character_the_site_shows():
    """A Chinese string added without `make fonts` would show as empty boxes on a phone
    without a Chinese font."""
    spec = importlib.util.spec_from_file_location("fonts", ROOT / "tools" / "fonts.py")
    fonts = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fonts)
    missing = set(fonts.han_text()) - set(fonts.HAN_SUBSET.read_text("utf-8"))
    assert not missing, f"run `make fonts`: the Chinese fonts lack {''.join(sorted(missing))}"


# Plural English nouns a count is often put before. "%(num)d days" in a plain message
# cannot be right in a language with more than one plural form (Polish, Welsh, Arabic).
PLURAL_NOUNS = [
    *("days", "hours", "minutes", "weeks", "months", "years", "people", "persons", "voters"),
    *("ballots", "votes", "points", "ideas", "problems", "places", "priorities", "volunteers"),
    *("helpers", "cells", "codes", "tables", "groups", "areas", "answers", "statements"),
    *("marks", "ratings", "offers", "rounds", "letters", "households", "members", "sessions"),
    "words",
]
# A placeholder, perhaps one word between ("%(num)d named places", not "%(x)s of ballots"),
# then one of those nouns.
COUNT_BEFORE_NOUN = re.compile(
    r"%\(\w+\)[sd]\s+(?:(?!of|to|in|for|from|and|or)\w+\s+)?(?:" + "|".join(PLURAL_NOUNS) + r")\b"
)


def test_counts_before_nouns_are_plural_messages():
    """Every "%(num)d days" is an ngettext message, so each language can pick its form."""
    with (ROOT / "translations" / "messages.pot").open("rb") as f:
        catalog = read_po(f)
    plain = [m.id for m in catalog if isinstance(m.id, str) and COUNT_BEFORE_NOUN.search(m.id)]
    assert not plain, "use ngettext for these: " + "\n".join(plain)


def test_counts_take_each_languages_own_form():
    """The plural forms are filled by the rules of the language, not copied from English."""
    from babel.support import Translations

    def say(lang: str, n: int) -> str:
        t = Translations.load(ROOT / "translations", [lang])
        return t.ngettext(
            "We delete your offer %(num)d day after the round ends.",
            "We delete your offer %(num)d days after the round ends.",
            n,
        ) % {"num": n}

    assert "2 ddiwrnod" in say("cy", 2) and "3 diwrnod" in say("cy", 3)
    assert "1 dzień" in say("pl", 1) and "5 dni" in say("pl", 5)
    assert "20 de zile" in say("ro", 20) and "2 zile" in say("ro", 2)
    assert "يومين" in say("ar", 2) and "11 يومًا" in say("ar", 11)
