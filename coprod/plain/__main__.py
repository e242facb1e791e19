"""Print the advice on a text file as JSON: `python -m coprod.plain FILE --lang en`."""

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from coprod.plain import check, load_seed


def main(argv: list[str] | None = None) -> None:
    """Read the file, check it against the seeded glossary and print the advice."""
    parser = argparse.ArgumentParser(prog="python -m coprod.plain", description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--lang", default="en", help="language code of the text, e.g. ur")
    args = parser.parse_args(argv)
    try:
        text = args.file.read_text("utf-8")
    except OSError as error:
        sys.exit(f"{args.file}: {error.strerror}")
    except UnicodeDecodeError as error:
        sys.exit(f"{args.file}: not UTF-8 text (byte {error.start + 1:,} cannot be read as UTF-8)")
    advice = check(text, args.lang, load_seed())
    json.dump(asdict(advice), sys.stdout, ensure_ascii=False, indent=2)
    print()


if __name__ == "__main__":
    main()
