"""Build the self-hosted web fonts in coprod/static/fonts/ from the Noto fonts of the system.

    make fonts          (or: python tools/fonts.py, with fontTools and brotli installed)

Each script the site is read in gets woff2 files and one stylesheet of @font-face rules,
which base.html links only on pages in a language of that script (coprod.i18n.FONTS).
Run it again when Chinese strings change (catalogues, glossary, demo): the Chinese fonts
are subsets holding only the characters the site uses plus the most common ones
(tools/common-hanzi.txt), listed in tools/han-subset.txt. The other scripts' fonts are
whole, less their hinting.

Needs Debian's fonts-noto-core and fonts-noto-cjk. fontTools is not a dependency of the
site: `make fonts` installs it in a throwaway virtual environment.
"""

import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "coprod" / "static" / "fonts"
NOTO = Path("/usr/share/fonts/truetype/noto")
CJK = Path("/usr/share/fonts/opentype/noto")

# Where the browser may use each font: its script's letters and punctuation, never Latin,
# so English words and digits in these pages keep the system font.
ARABIC = "U+0600-06FF, U+0750-077F, U+08A0-08FF, U+200C-200F, U+2066-2069, U+FB50-FDFF, U+FE70-FEFF"
BENGALI = "U+0964-0965, U+0980-09FF, U+200C-200D, U+25CC"
GURMUKHI = "U+0964-0965, U+0A00-0A7F, U+200C-200D, U+25CC"
HAN = "U+2E80-2FDF, U+3000-303F, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FF00-FFEF"

# stylesheet -> (family, unicode-range, [(weight, source file, face index in a collection)])
# Nastaliq and Chinese come in one weight only: a second would double the largest files,
# and the browser thickens the regular weight for headings.
FONTS = {
    "nastaliq": ("Noto Nastaliq Urdu", ARABIC, [(400, NOTO / "NotoNastaliqUrdu-Regular.ttf", 0)]),
    "naskh": (
        "Noto Naskh Arabic",
        ARABIC,
        [
            (400, NOTO / "NotoNaskhArabic-Regular.ttf", 0),
            (700, NOTO / "NotoNaskhArabic-Bold.ttf", 0),
        ],
    ),
    "bengali": (
        "Noto Sans Bengali",
        BENGALI,
        [
            (400, NOTO / "NotoSansBengali-Regular.ttf", 0),
            (700, NOTO / "NotoSansBengali-Bold.ttf", 0),
        ],
    ),
    "gurmukhi": (
        "Noto Sans Gurmukhi",
        GURMUKHI,
        [
            (400, NOTO / "NotoSansGurmukhi-Regular.ttf", 0),
            (700, NOTO / "NotoSansGurmukhi-Bold.ttf", 0),
        ],
    ),
    # Faces 2 and 3 of the collection are Noto Sans CJK SC and TC: the same characters drawn
    # as readers of Simplified and of Traditional Chinese expect.
    "hans": ("Noto Sans CJK SC", HAN, [(400, CJK / "NotoSansCJK-Regular.ttc", 2)]),
    "hant": ("Noto Sans CJK TC", HAN, [(400, CJK / "NotoSansCJK-Regular.ttc", 3)]),
}

# Where the site's own Chinese comes from: the catalogues, the glossary and the demo.
HAN_SOURCES = [
    *sorted((ROOT / "translations").glob("zh_*/LC_MESSAGES/messages.po")),
    ROOT / "coprod" / "plain" / "glossary_seed.json",
    *sorted((ROOT / "coprod").rglob("demo*.py")),
    *sorted((ROOT / "coprod").rglob("demo/*.py")),
    *sorted((ROOT / "coprod").rglob("demo/*.json")),
    ROOT / "tools" / "common-hanzi.txt",
]
# The characters the Chinese subsets hold, written by each build; a test checks that every
# Chinese character the site shows is among them, so a new string cannot go out as boxes.
HAN_SUBSET = ROOT / "tools" / "han-subset.txt"
_HAN = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)


def han_text() -> str:
    """Every Chinese character and punctuation mark the site shows, once each, in order."""
    found: dict[str, None] = {}
    for path in dict.fromkeys(HAN_SOURCES):
        found.update(dict.fromkeys(_HAN.findall(path.read_text("utf-8"))))
    return "".join(sorted(found))


def build(name: str, source: Path, index: int, text: str | None) -> bytes:
    """One woff2: the whole font less its hinting, or only the glyphs for `text`."""
    from fontTools import subset  # only here: the tests read han_text() without fontTools

    options = subset.Options()
    options.flavor = "woff2"
    # Nastaliq and Bengali need every shaping rule. Chinese needs none for lines across the
    # page; its rules (other countries' shapes, vertical forms) would double the subset.
    options.layout_features = ["*"] if text is None else []
    options.hinting = False  # phones' screens need no hints; they are a third of some fonts
    options.desubroutinize = True  # smaller once compressed
    options.name_IDs = ["*"]
    options.font_number = index
    font = subset.load_font(str(source), options)
    font.recalcTimestamp = False  # the same sources give the same bytes, and the same address
    subsetter = subset.Subsetter(options)
    if text is None:
        subsetter.populate(unicodes=font.getBestCmap().keys())
    else:
        subsetter.populate(text=text)
    subsetter.subset(font)
    path = OUT / f"{name}.woff2"
    subset.save_font(font, str(path), options)
    return path.read_bytes()


def main() -> None:
    """Write every woff2 and its stylesheet, and say how large each is."""
    han = han_text()
    for sheet, (family, unicode_range, faces) in FONTS.items():
        rules = [f"/* {family}: SIL Open Font License 1.1, see OFL.txt. Made by tools/fonts.py. */"]
        for weight, source, index in faces:
            name = f"{sheet}-{weight}"
            data = build(name, source, index, han if unicode_range == HAN else None)
            # The file's hash in its address: it is cached for a year, and a rebuilt subset
            # must reach everyone at once.
            version = hashlib.sha256(data).hexdigest()[:10]
            rules.append(
                "@font-face {\n"
                f'  font-family: "{family}";\n'
                f'  src: url("{name}.woff2?v={version}") format("woff2");\n'
                f"  font-weight: {weight};\n"
                "  font-display: swap;\n"
                f"  unicode-range: {unicode_range};\n"
                "}"
            )
            print(f"{name}.woff2: {len(data):,} bytes", file=sys.stderr)
        (OUT / f"{sheet}.css").write_text("\n".join(rules) + "\n", "utf-8")
    HAN_SUBSET.write_text(han + "\n", "utf-8")
    print(f"Chinese subsets: {len(han)} characters", file=sys.stderr)


if __name__ == "__main__":
    main()
