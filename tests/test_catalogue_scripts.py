"""Each Chinese text is in the script its code names: no Simplified character in zh_Hant.

A character counts as Simplified when the Traditional character set (Big5, as code page 950)
lacks it, and as Traditional when the Simplified set (GB 2312) lacks it. Characters both
scripts share, such as 的 or 后, pass either way, so a reader still has to check the words.
"""

import json
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CHARSET = {"zh_Hans": "gb2312", "zh_Hant": "cp950"}


def texts(lang: str) -> list[str]:
    """Every translated string in the catalogue and the glossary seed for `lang`."""
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        found = [
            text
            for message in read_po(f)
            if message.id
            for text in (message.string if isinstance(message.string, tuple) else [message.string])
        ]
    seed = json.loads((ROOT / "coprod" / "plain" / "glossary_seed.json").read_text("utf-8"))
    for term in seed:
        found += term["terms"].get(lang, [])
        found += [term["plain"].get(lang, ""), term["explanation"].get(lang, "")]
    return found


@pytest.mark.parametrize("lang", sorted(CHARSET))
def test_chinese_is_written_in_its_own_script(lang: str) -> None:
    wrong = set()
    for text in texts(lang):
        for ch in text:
            if "\u3400" <= ch <= "\u9fff":
                try:
                    ch.encode(CHARSET[lang])
                except UnicodeEncodeError:
                    wrong.add(ch)
    assert not wrong, f"{lang} has characters of the other script: {''.join(sorted(wrong))}"
