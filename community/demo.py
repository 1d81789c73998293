"""A small, believable demo community for ``flask --app wsgi seed-demo``.

Every feature adds its own part here when it lands.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from community.accounts import services as accounts
from community.accounts.models import Role
from community.catalog import services as catalog
from community.core.db import utcnow
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
from community.ideas.models import Challenge
from community.ideas.services import comments as idea_comments
from community.ideas.services import common as idea_common
from community.ideas.services import merging as idea_merging
from community.ideas.services import statuses as idea_statuses
from community.ideas.services import submitting as idea_submitting
from community.ideas.services import voting as idea_voting
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
    _seed_ideas(users, products)
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


# The ideas portal: (key, product, author, title, description, tags).
DEMO_IDEAS = [
    (
        "contact-sheet",
        "photo-app",
        "jonas",
        "Contact-sheet layout for PDF export",
        "When I send an album to a client I would like **one page with many thumbnails** "
        "and the file names underneath, like a classic contact sheet.",
        ("export", "pdf"),
    ),
    (
        "dark-mode",
        "photo-app",
        "mia",
        "Dark mode for the editor",
        "Editing at night is blinding. A dark theme for the editor (ideally the whole app) "
        "would also make colours easier to judge.",
        ("ui",),
    ),
    (
        "night-theme",
        "photo-app",
        "lea",
        "Night theme please",
        "Could the app follow my phone's night mode? The white editor hurts in the evening.",
        ("ui",),
    ),
    (
        "rating-shortcuts",
        "photo-app",
        "mia",
        "Keyboard shortcuts for rating photos",
        "Press 1–5 to rate the selected photo and P or X to pick or reject, like desktop "
        "culling tools do. It would halve my sorting time.",
        ("shortcuts", "workflow"),
    ),
    (
        "raw-backup",
        "cloud-backup",
        "lea",
        "Back up RAW files too",
        "Today only JPEGs are backed up. My RAW originals are what I can least afford to lose.",
        ("raw", "backup"),
    ),
    (
        "family-plan",
        "cloud-backup",
        "jonas",
        "Share backup storage with my family",
        "One plan for the whole family, with a private library for each of us.",
        ("backup", "sharing"),
    ),
    (
        "mobile-data",
        "cloud-backup",
        "mia",
        "Back up over mobile data while charging",
        "I am rarely on Wi-Fi. Backing up over mobile data while the phone charges would "
        "keep my photos safe on trips.",
        ("backup", "mobile"),
    ),
    (
        "backup-report",
        "cloud-backup",
        "jonas",
        "Monthly backup report by email",
        "A short email each month: how many photos were backed up and whether anything failed.",
        ("backup",),
    ),
    (
        "ink-levels",
        "photo-printer",
        "lea",
        "Show remaining ink in the app",
        "I only notice the ink is low when a print comes out striped.",
        ("printer", "ink"),
    ),
    (
        "print-from-cloud",
        "photo-printer",
        "jonas",
        "Print straight from the cloud backup",
        "Pick any photo in the backup and print it, without downloading it to the phone first.",
        ("printer", "backup"),
    ),
    (
        "photo-booth",
        "photo-printer",
        "mia",
        "Photo-booth mode for parties",
        "Four shots in a row from the phone camera, printed as a strip. Guests would love it.",
        ("printer", "party"),
    ),
    (
        "sticker-templates",
        "photo-printer",
        "lea",
        "Templates for sticker paper",
        "Ready-made layouts for round and square stickers, so kids can print their own.",
        ("printer", "stickers"),
    ),
]

# Submitted into the running challenge.
DEMO_CHALLENGE_IDEAS = ("photo-booth", "sticker-templates")

# Who votes for what, and how important it is to them (the authors' own votes come with
# their ideas). jonas votes for the night theme and for dark mode: after the merge he
# counts once.
DEMO_IDEA_VOTES = [
    ("contact-sheet", "mia", "important"),
    ("contact-sheet", "lea", "critical"),
    ("contact-sheet", "sam", "nice_to_have"),
    ("contact-sheet", "ada", "important"),
    ("dark-mode", "jonas", "important"),
    ("dark-mode", "lea", "critical"),
    ("dark-mode", "sam", "critical"),
    ("dark-mode", "ada", "nice_to_have"),
    ("night-theme", "jonas", "nice_to_have"),
    ("night-theme", "sam", "important"),
    ("rating-shortcuts", "jonas", "critical"),
    ("rating-shortcuts", "lea", "important"),
    ("rating-shortcuts", "ada", "important"),
    ("raw-backup", "mia", "critical"),
    ("raw-backup", "jonas", "important"),
    ("raw-backup", "sam", "nice_to_have"),
    ("family-plan", "mia", "important"),
    ("family-plan", "lea", "nice_to_have"),
    ("mobile-data", "sam", "important"),
    ("ink-levels", "mia", "important"),
    ("ink-levels", "jonas", "critical"),
    ("ink-levels", "sam", "important"),
    ("print-from-cloud", "lea", "important"),
    ("print-from-cloud", "mia", "nice_to_have"),
    ("photo-booth", "jonas", "important"),
    ("photo-booth", "lea", "important"),
    ("photo-booth", "sam", "critical"),
    ("sticker-templates", "mia", "important"),
]

# (idea, author, comment, pinned); tom's are official (he is on the team).
DEMO_IDEA_COMMENTS = [
    ("contact-sheet", "mia", "Yes! And please let me choose how many photos go on a page.", False),
    (
        "contact-sheet",
        "tom",
        "We are planning this for 4.4. Which page sizes do you need: A4, Letter, others?",
        True,
    ),
    (
        "night-theme",
        "lea",
        "I searched for “night” and not for “dark”, sorry for the double!",
        False,
    ),
    (
        "rating-shortcuts",
        "lea",
        "Will the shortcuts work with a Bluetooth keyboard on a tablet?",
        False,
    ),
    (
        "rating-shortcuts",
        "tom",
        "Yes: any keyboard your system recognises. Beta testers get it first.",
        True,
    ),
    ("raw-backup", "jonas", "Same here: RAW backup is what I would pay a bigger plan for.", False),
    (
        "mobile-data",
        "jonas",
        "Makes sense to me, the unmetered Wi-Fi option covers my case.",
        False,
    ),
    ("ink-levels", "mia", "Just updated the firmware: there it is. Thank you!", False),
]

# Status steps in order: (idea, status, the team's note).
DEMO_IDEA_STATUSES = [
    ("contact-sheet", "under_review", ""),
    ("contact-sheet", "planned", "Planned for version 4.4, together with custom page margins."),
    ("dark-mode", "planned", ""),
    ("dark-mode", "in_progress", "The editor comes first, the rest of the app follows."),
    (
        "dark-mode",
        "shipped",
        "Shipped in 4.3: *Settings → Appearance → Dark*. Thanks to everyone who voted!",
    ),
    ("rating-shortcuts", "in_progress", "We are building this now."),
    ("raw-backup", "under_review", "We are checking what RAW files mean for the storage plans."),
    (
        "mobile-data",
        "declined",
        "Thank you for the idea! Mobile data costs vary too much between plans, so we will "
        "not back up over it. Instead, 4.3 lets you mark Wi-Fi networks (like a phone's "
        "hotspot) as allowed.",
    ),
    ("ink-levels", "planned", ""),
    ("ink-levels", "shipped", "Shipped with firmware 1.2 and app 4.3: the printer card shows ink."),
]


def _seed_ideas(users: dict, products: dict) -> None:
    """Ideas in every status over the demo products, voted with varied importance,
    commented (official team answers pinned), tagged, one duplicate merged into another,
    and a running challenge with two ideas in it. Only members past the new-member
    sandbox by now (mia, jonas, lea: their points above) and the team write; sam, still
    sandboxed, only votes, which the sandbox does not limit."""
    tom = users["tom"]
    now = utcnow()
    challenge = Challenge(
        slug="make-printing-fun",
        title="Make printing fun",
        body_source="What would make you print more photos with the P1? The team picks "
        "three winners when the challenge ends.",
        product_id=products["photo-printer"].id,
        starts_at=now - dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=25),
        created_by_id=tom.id,
        created_at=now,
    )
    challenge.body_html = idea_common.render(challenge.body_source).html
    db.session.add(challenge)
    db.session.flush()

    ideas = {}
    for key, product, author, title, body, tags in DEMO_IDEAS:
        ideas[key] = idea_submitting.create_idea(
            users[author],
            title,
            body,
            products[product].id,
            tags=tags,
            challenge_id=challenge.id if key in DEMO_CHALLENGE_IDEAS else None,
        )
    for key, voter, importance in DEMO_IDEA_VOTES:
        idea_voting.vote(users[voter], ideas[key], importance)
    for key, author, body, pinned in DEMO_IDEA_COMMENTS:
        comment = idea_comments.add_comment(users[author], ideas[key], body)
        if pinned:
            idea_comments.pin_comment(tom, ideas[key], comment.id)
    idea_merging.merge(tom, ideas["night-theme"], ideas["dark-mode"].id)
    for key, status, note in DEMO_IDEA_STATUSES:
        idea_statuses.change_status(tom, ideas[key], status, note)
