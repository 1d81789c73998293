"""The demo's ideas portal as data: the ideas, their votes, comments and status steps.

``ideas`` turns these tables into rows, in the order they are listed here.
"""

from __future__ import annotations

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
