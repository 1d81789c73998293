"""A small, believable demo community for ``flask --app wsgi seed-demo``.

Every feature adds its own part here when it lands.
"""

from __future__ import annotations

from sqlalchemy import select

from community.accounts import services as accounts
from community.accounts.models import Role
from community.catalog import services as catalog
from community.extensions import db
from community.forums.models import CategoryKind, Level, Topic
from community.forums.services import (
    answers,
    categories,
    moderating,
    reactions,
    topics,
    visibility,
    watching,
)
from community.moderation import services as moderation
from community.moderation.services import flags
from community.notifications.services import notify
from community.reputation import services as reputation

DEMO_PASSWORD = "mitmach-demo"  # noqa: S105 - printed and documented on purpose

DEMO_USERS = [
    ("ada", "ada@example.com", Role.ADMIN, "Ada Admin", "Runs this community."),
    (
        "tom",
        "tom@example.com",
        Role.TEAM,
        "Tom from the product team",
        "Product manager. I read every idea and answer in the forums.",
    ),
    (
        "mia",
        "mia@example.com",
        Role.MEMBER,
        "Mia",
        "Customer since 2019. I use the **mobile app** daily and love keyboard shortcuts.",
    ),
    ("jonas", "jonas@example.com", Role.MEMBER, "Jonas", "Small-business owner, power user."),
    ("lea", "lea@example.com", Role.MEMBER, "Lea", "Photographer. Ask me about exports!"),
    ("sam", "sam@example.com", Role.MEMBER, "", ""),
    (
        "olli",
        "olli@example.com",
        Role.MEMBER,
        "Paper Deals Olli",
        "Cheapest photo paper online: https://cheap-paper.example",
    ),
]


def seed() -> dict:
    """Create the demo members, profiles, notifications and audit entries; no commit."""
    users = {}
    for username, email, role, _display_name, _bio in DEMO_USERS:
        users[username] = accounts.create_user(
            username, email, DEMO_PASSWORD, role=role, confirmed=True
        )
    for username, _email, _role, display_name, bio in DEMO_USERS:
        accounts.update_profile(users[username], display_name, bio)
    accounts.update_profile(
        users["tom"],
        "Tom from the product team",
        "Product manager. I read every idea. Thanks @mia and @jonas for the great feedback!",
    )
    moderation.audit(users["ada"], "site.seed", None, {"users": len(users)})
    _seed_reputation(users)
    products = _seed_products(users)
    _seed_forums(users, products)
    _seed_moderation(users)
    notify(users["mia"], "welcome", users["tom"], "Tom from the product team mentioned you.")
    notify(users["jonas"], "welcome", users["tom"], "Tom from the product team mentioned you.")
    return {
        "password": DEMO_PASSWORD,
        "users": [(u.username, u.role) for u in users.values()],
    }


# Who helped whom: (receiver, rule, giver). Forum kudos and accepted answers come from the
# demo forums themselves; until ideas and reviews exist, the subject of these awards is
# the giver's profile.
DEMO_REPUTATION = [
    ("mia", "review_helpful", "sam"),
    ("jonas", "idea_upvoted", "mia"),
    ("jonas", "idea_upvoted", "lea"),
    ("jonas", "idea_upvoted", "sam"),
    ("jonas", "idea_shipped_author", None),
    ("lea", "review_helpful", "mia"),
    ("lea", "review_helpful", "jonas"),
    ("lea", "review_unhelpful", "sam"),
    ("lea", "survey_completed", None),
    ("sam", "post_kudos", "mia"),
]


def _seed_reputation(users: dict) -> None:
    for receiver, reason, giver in DEMO_REPUTATION:
        actor = users[giver] if giver else None
        reputation.record(users[receiver], reason, actor, actor)


DEMO_PRODUCTS = [
    ("photo-app", "Mitmach Photo app", "Apps", "Edit, organise and share your photos."),
    ("cloud-backup", "Cloud backup", "Services", "Every photo safe, on every device."),
    ("photo-printer", "Photo printer P1", "Hardware", "Prints from phone to paper."),
]


def _seed_products(users: dict) -> dict:
    return {
        slug: catalog.create_product(users["tom"], name, slug, description, category)
        for slug, name, category, description in DEMO_PRODUCTS
    }


def _seed_forums(users: dict, products: dict) -> None:
    """Categories (one Q&A, one focus group), topics with replies, tags, an accepted
    answer, an official reply, reactions and watchers."""
    tom, mia, jonas, lea, sam = (users[n] for n in ("tom", "mia", "jonas", "lea", "sam"))

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
    for member in (mia, lea):
        categories.invite_member(tom, beta, member.username)

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

    raw = topics.create_topic(
        lea,
        help_,
        "Does the app keep RAW files untouched?",
        "Before I move my archive: are RAW originals kept byte for byte?",
        tags=("raw",),
    )
    watching.set_topic_level(mia, raw, Level.WATCHING)

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

    topics.create_topic(
        mia,
        beta,
        "First impressions of the new editor",
        "The new crop tool is much faster. @lea did you try the presets?",
    )


def _seed_moderation(users: dict) -> None:
    """A brand-new member's first post, full of links, waits in the review queue with two
    members' spam flags (below the hide threshold) and its risk reasons; their profile,
    an advertisement, is flagged too."""
    paper = select(Topic.id).where(Topic.slug == "which-paper-works-best-with-the-p1")
    topic = visibility.get_topic(users["olli"], db.session.scalar(paper))
    spam = topics.reply(
        users["olli"],
        topic,
        "Best paper deals!!! https://cheap-paper.example https://paper-deals.example",
    )
    for flagger in ("mia", "jonas"):
        flags.flag(users[flagger], "forum_post", spam.id, "spam")
    flags.flag(users["mia"], "user_account", users["olli"].id, "spam")
