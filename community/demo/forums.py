"""The demo's forums: categories (one Q&A, one focus group), topics with replies, tags,
an accepted answer, an official reply, reactions and watchers.

Topics are written in a fixed order (their ids and the notifications they send follow
it), each by a small function below.
"""

from __future__ import annotations

from community.accounts.models import User
from community.catalog.models import Product
from community.forums.models import CategoryKind, ForumCategory, Level
from community.forums.services import (
    answers,
    categories,
    moderating,
    reactions,
    topics,
    watching,
)


def seed_forums(users: dict[str, User], products: dict[str, Product]) -> None:
    """Create the demo categories, then their topics, replies, reactions and watchers."""
    tom, mia, jonas, lea, sam = (users[n] for n in ("tom", "mia", "jonas", "lea", "sam"))
    general, help_, printer, beta = _create_categories(tom, products)
    for member in (mia, lea):
        categories.invite_member(tom, beta, member.username)

    _seed_welcome(general, tom, mia, jonas, lea)
    _seed_export_question(help_, tom, mia, jonas, lea, sam)
    _seed_raw_question(help_, mia, lea)
    _seed_printer_topics(printer, tom, jonas, lea, sam)
    _seed_beta_topic(beta, mia)


def _create_categories(tom: User, products: dict[str, Product]) -> tuple[ForumCategory, ...]:
    """General, the Photo app Q&A, the printer's category and the beta-testers group."""

    def category(
        slug,
        name,
        description,
        kind=CategoryKind.DISCUSSION,
        private=False,
        product=None,
        position=0,
    ):
        return categories.create_category(
            tom,
            name=name,
            slug=slug,
            description=description,
            kind=kind.value,
            is_private=private,
            product_id=products[product].id if product else None,
            position=position,
        )

    general = category("general", "General discussion", "Say hello, share your work.", position=1)
    help_ = category(
        "photo-app-help",
        "Photo app questions",
        "Ask how to do something; the best answer gets accepted.",
        kind=CategoryKind.QA,
        product="photo-app",
        position=2,
    )
    printer = category(
        "printer",
        "Photo printer P1",
        "Tips, tricks and troubles.",
        product="photo-printer",
        position=3,
    )
    beta = category(
        "beta-testers",
        "Beta testers",
        "A focus group trying features before anyone else.",
        private=True,
        position=4,
    )
    return general, help_, printer, beta


def _seed_welcome(general: ForumCategory, tom: User, mia: User, jonas: User, lea: User) -> None:
    """Tom's pinned welcome, with two replies and reactions to mia's."""
    welcome = topics.create_topic(
        tom,
        general,
        "Welcome to the Mitmach community!",
        "Hi everyone! This is the place to **help each other** and tell us what you need.\n\n"
        "- Ask questions in *Photo app questions*\n- Vote on ideas\n- Be kind",
        tags=("announcement",),
    )
    moderating.set_pinned(tom, welcome, True)
    hello = topics.reply(mia, welcome, "Happy to be here! I use the app every day.")
    topics.reply(jonas, welcome, "Hello from a small photo studio in Leipzig.")
    reactions.react(jonas, hello, "like")
    reactions.react(lea, hello, "thanks")


def _seed_export_question(
    help_: ForumCategory, tom: User, mia: User, jonas: User, lea: User, sam: User
) -> None:
    """A Q&A topic with a wrong answer, mia's accepted one and tom's pinned official reply."""
    export = topics.create_topic(
        jonas,
        help_,
        "How do I export an album as PDF?",
        "I want to send a whole album to a client as **one PDF**. Is that possible?",
        tags=("export", "pdf"),
    )
    wrong = topics.reply(sam, export, "I think you have to export every photo one by one.")
    right = topics.reply(
        mia,
        export,
        "Open the album, tap **Share → Export as PDF**. You can choose the page size there.",
    )
    official = topics.reply(
        tom,
        export,
        "Mia is right. PDF export arrived in version 4.2; a contact-sheet layout is planned.",
    )
    answers.accept_answer(jonas, export, right)
    answers.set_official(tom, official, True, pinned=True)
    for giver in (jonas, lea, sam):
        reactions.react(giver, right, "like")
    reactions.react(jonas, wrong, "confused")


def _seed_raw_question(help_: ForumCategory, mia: User, lea: User) -> None:
    """An unanswered question that mia watches."""
    raw = topics.create_topic(
        lea,
        help_,
        "Does the app keep RAW files untouched?",
        "Before I move my archive: are RAW originals kept byte for byte?",
        tags=("raw",),
    )
    watching.set_topic_level(mia, raw, Level.WATCHING)


def _seed_printer_topics(
    printer: ForumCategory, tom: User, jonas: User, lea: User, sam: User
) -> None:
    """The paper question (the spam in ``moderation`` replies to it) and a locked old topic."""
    paper = topics.create_topic(
        sam,
        printer,
        "Which paper works best with the P1?",
        "Glossy or matte? My prints look a bit dark.",
    )
    tip = topics.reply(lea, paper, "Matte 260 g, and turn *brightness* up by one step.")
    reactions.react(sam, tip, "insightful")
    old = topics.create_topic(
        jonas,
        printer,
        "Firmware 1.0 connection problems",
        "Solved by firmware 1.1, keeping this for reference.",
    )
    moderating.set_locked(tom, old, True)


def _seed_beta_topic(beta: ForumCategory, mia: User) -> None:
    """A topic only the focus group sees, mentioning lea."""
    topics.create_topic(
        mia,
        beta,
        "First impressions of the new editor",
        "The new crop tool is much faster. @lea did you try the presets?",
    )
