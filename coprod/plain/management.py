"""Management words people meet in council papers, with plain words to use instead.

They are not glossary entries (nobody needs them explained on the glossary page), so the
checker always looks for them, whatever the site's glossary holds. English only for now:
the words come from English council and funding papers.
"""

from coprod.plain.glossary import Term


def _term(key: str, forms: tuple[str, ...], plain: str) -> Term:
    return Term(key=key, terms={"en": forms}, plain={"en": plain})


MANAGEMENT_WORDS: tuple[Term, ...] = (
    _term("leverage", ("leverage", "leverag*"), "use"),
    _term("synergies", ("synergy", "synergies", "synergistic"), "working well together"),
    _term("deliverables", ("deliverable", "deliverables"), "what we will do"),
    _term(
        "operationalise",
        ("operationalise*", "operationalize*", "operationalisation", "operationalization"),
        "put into practice",
    ),
    _term("facilitate", ("facilitate", "facilitat*"), "help, or run"),
)
