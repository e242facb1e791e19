"""The project's word list: one plain word for each idea on the pages citizens read.

docs/plain-words.md explains it; tests/plain/test_interface_words.py keeps the words we
replaced out of the interface's own English strings.
"""

from coprod.plain.glossary import Term


def _avoid(key: str, forms: tuple[str, ...], plain: str) -> Term:
    return Term(key=key, terms={"en": forms}, plain={"en": plain})


AVOID: tuple[Term, ...] = (
    _avoid("funded", ("funded", "not funded", "unfunded", "funding"), "gets the money"),
    _avoid("round", ("round", "rounds"), "vote (when it means the vote)"),
    _avoid("priorities", ("priority", "priorities"), "the ideas with the most support"),
    _avoid("commissioner", ("commissioner", "commissioners"), "the person who decides"),
    _avoid("remedy", ("remedy", "remedies"), "idea"),
    _avoid("barrier", ("barrier", "barriers"), "problem"),
)
