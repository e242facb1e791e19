"""Split text into plain segments and glossary terms, for templates to mark up safely."""

from collections.abc import Iterable

from coprod.plain.glossary import Term
from coprod.plain.jargon import find_jargon


def link_terms(text: str, terms: Iterable[Term], lang: str) -> list[tuple[str, str | None]]:
    """Return (segment, term key or None) pairs whose texts join back into `text` exactly."""
    # No HTML here: the template escapes every segment and wraps those with a key (say, in a
    # link to the glossary), so nothing a proposal says can become markup.
    segments: list[tuple[str, str | None]] = []
    done = 0
    for hit in find_jargon(text, terms, lang):
        if hit.start > done:
            segments.append((text[done : hit.start], None))
        segments.append((hit.text, hit.key))
        done = hit.end
    if done < len(text):
        segments.append((text[done:], None))
    return segments
