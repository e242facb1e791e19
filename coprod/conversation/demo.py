"""The demo's conversation: statements in several languages, enough marks for real groups.

Sixty people in two camps: most want more support for families; some would rather the
money went on roads and big providers. Both camps agree that every family needs one person
to call, that care plans are full of jargon, and that people should hear what is happening
in their own language: common ground that shows across the groups.
"""

from __future__ import annotations

import random
from datetime import date

from coprod.conversation import operations as ops
from coprod.conversation.models import Statement, StatementStatus, ThemeCount
from coprod.extensions import db
from coprod.models import Round

QUESTION = {
    "en": "What would make support for your family better?",
    "ur": "آپ کے خاندان کے لیے مدد کو کیا چیز بہتر بنائے گی؟",
    "pl": "Co poprawiłoby wsparcie dla Twojej rodziny?",
    "ar": "ما الذي يجعل الدعم لعائلتك أفضل؟",
    "bn": "আপনার পরিবারের জন্য সহায়তা আরও ভালো করবে কী?",
    "so": "Maxaa ka dhigi lahaa taageerada qoyskaaga mid ka wanaagsan?",
    "pa": "ਤੁਹਾਡੇ ਪਰਿਵਾਰ ਲਈ ਮਦਦ ਨੂੰ ਕੀ ਬਿਹਤਰ ਬਣਾਏਗਾ?",
    "pa_Arab": "تہاڈے ٹبر لئی مدد نوں کیہڑی شے ودھیا بنا سکدی اے؟",
    "ro": "Ce ar face sprijinul pentru familia ta mai bun?",
    "cy": "Beth fyddai'n gwneud y cymorth i'ch teulu'n well?",
    "zh_Hans": "什么能让对你家庭的支持变得更好？",
    "zh_Hant": "什麼能讓你家庭得到的支援變得更好？",
}

# (language written in, text, English translation or None, how camps A and B mark it)
STATEMENTS = [
    ("en", "Staff should ask families what works, not tell them.", None, "ad"),
    (
        "ur",
        "مجھے فارم بھرنے کے لیے کسی کی مدد چاہیے، انگریزی مشکل ہے۔",
        "I need someone to help me fill in forms; English is hard.",
        "ap",
    ),
    (
        "pl",
        "Za długo czekamy na ocenę potrzeb dziecka.",
        "We wait too long for our child's needs assessment.",
        "ad",
    ),
    (
        "so",
        "Waxaan rabaa in la ii sheego waxa dhacaya, luuqadayda.",
        "I want to be told what is happening, in my language.",
        "aa",
    ),
    ("en", "Short breaks for carers matter more than new buildings.", None, "ad"),
    ("bn", "স্কুলের পরে নিরাপদ ক্লাব দরকার।", "We need safe clubs after school.", "ap"),
    ("en", "The council should spend on roads first, not on extra support.", None, "da"),
    (
        "pl",
        "Pieniądze powinny iść do dużych organizacji, nie małych grup.",
        "Money should go to big organisations, not small groups.",
        "da",
    ),
    (
        "ar",
        "يجب أن يكون لكل عائلة شخص واحد تتصل به.",
        "Every family should have one person to call.",
        "aa",
    ),
    ("en", "Care plans are too full of jargon to understand.", None, "aa"),
    ("en", "Small community groups know local families best.", None, "ad"),
    ("ur", "ہفتے کے آخر میں بھی مدد ملنی چاہیے۔", "Support should be there at weekends too.", "ap"),
]
URDU = {  # volunteers' translations, not checked yet
    0: "عملے کو خاندانوں سے پوچھنا چاہیے کہ کیا کام کرتا ہے، انہیں بتانا نہیں۔",
    9: "نگہداشت کے منصوبے مشکل الفاظ سے بھرے ہیں، سمجھ نہیں آتے۔",
}
WAITING = [
    ("en", "More ramps at the library, please."),
    ("so", "Waalidiinta waa in la siiyaa tababar."),
]
THEMES = [
    ({"en": "Help in my own language", "ur": "میری اپنی زبان میں مدد",
      "pl": "Pomoc w moim języku"}, [1, 3], [("Brookfield", 48)]),
    ({"en": "Waiting too long", "pl": "Za długie czekanie"}, [2], []),
    ({"en": "Breaks for carers", "ur": "دیکھ بھال کرنے والوں کے لیے وقفہ"}, [4, 11], []),
]  # fmt: skip
LANGS = ["en", "ur", "en", "pl", "ur", "so", "bn", "ar"]
VALUE = {"a": "agree", "d": "disagree", "p": "pass"}


def load(rnd: Round, rng: random.Random, today: date, people: int = 60) -> None:
    """Open the round's conversation with seeded statements, marks and themes (no commit)."""
    conv = ops.start(rnd, QUESTION)
    statements: list[Statement] = []
    for lang, text, english, _how in STATEMENTS:
        s = ops.write(conv, None, text, lang)
        s.area_id = rnd.area_id
        if english:
            s.content.set("text", "en", english, reviewed=lang in ("pl", "ur"))
        s.status = StatementStatus.PUBLISHED
        statements.append(s)
    for i, text in URDU.items():
        statements[i].content.set("text", "ur", text, reviewed=False)
    for lang, text in WAITING:
        ops.write(conv, None, text, lang)
    for person in range(people):
        camp = 0 if person < people * 3 // 5 else 1
        who = ops.Person(f"demo-{person}", True, rnd.area_id, LANGS[person % len(LANGS)])
        for s, (_lang, _text, _english, how) in zip(statements, STATEMENTS, strict=True):
            if rng.random() < 0.15:
                continue  # not shown yet
            value = VALUE[how[camp]]
            if rng.random() < 0.1:
                value = rng.choice(("agree", "disagree", "pass"))
            ops.mark(s, who, value, today=today)
    for names, members, counts in THEMES:
        theme = ops.make_theme(conv, names, [statements[i].id for i in members], None)
        for area, n in counts:
            theme.imported.append(ThemeCount(area=area, people=n, source="Care plans 2026"))
    db.session.flush()


ALONE = "young-carers"
ALONE_TITLE = {
    "en": "Support for young carers",
    "ur": "کم عمر دیکھ بھال کرنے والوں کے لیے مدد",
    "pl": "Wsparcie dla młodych opiekunów",
}
ALONE_QUESTION = {
    "en": "You look after someone at home. What would help you most?",
    "ur": "آپ گھر پر کسی کی دیکھ بھال کرتے ہیں۔ آپ کی سب سے زیادہ مدد کس چیز سے ہوگی؟",
    "pl": "Opiekujesz się kimś w domu. Co pomogłoby Ci najbardziej?",
}
ALONE_SAID = [
    ("en", "A break once a month, when someone else takes over."),
    ("pl", "Nauczyciele powinni wiedzieć, że opiekuję się mamą."),  # teachers should know
    ("ur", "مجھے دوسرے نوجوان دیکھ بھال کرنے والوں سے ملنا ہے۔"),  # meet other young carers
    ("so", "Caawimaad shaqada guriga ah ee iskuulka."),  # help with homework
]


def load_alone(area, rng: random.Random, today: date, people: int = 14) -> None:
    """A conversation without a round, for young carers in the ward (no commit)."""
    conv = ops.start_alone(ALONE, ALONE_TITLE, ALONE_QUESTION, area)
    statements = []
    for lang, text in ALONE_SAID:
        s = ops.write(conv, None, text, lang)
        s.area_id = area.id if area else None
        s.status = StatementStatus.PUBLISHED
        statements.append(s)
    for person in range(people):
        who = ops.Person(f"carer-{person}", True, area.id if area else None, LANGS[person % 8])
        for s in statements:
            ops.mark(s, who, rng.choice(("agree", "agree", "agree", "pass")), today=today)
    db.session.flush()
