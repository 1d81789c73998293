"""The words of the dataset: names, titles and post bodies from small fixed pools.

Bodies are plain sentences (letters, spaces, commas, full stops, question marks), so
their Markdown renders to ``<p>...</p>`` paragraphs without running the renderer a
million times; the tests check that against ``core.content.render``.
"""

from __future__ import annotations

import random
from bisect import bisect

# A word that many posts contain: the benchmark's search for it has to rank many hits.
SEARCH_WORD = "battery"
# How often a post carries a sentence with SEARCH_WORD.
SEARCH_WORD_SHARE = 0.05

FIRST_NAMES = (  # noqa: SIM905 - a word list reads best as words
    "anna lena mia emma sofia lina ella clara lea marie hanna nora ida maja frieda paul "
    "ben leon finn noah elias jonas felix luca max emil henry theo anton jakob sam alex "
    "kim robin chris toni jo kai luka mika"
).split()  # noqa: SIM905 - a word list reads best as words
LAST_NAMES = (  # noqa: SIM905 - a word list reads best as words
    "Meyer Schulz Wagner Becker Hoffmann Koch Richter Klein Wolf Neumann Braun Zimmermann "
    "Hartmann Lange Werner Krause Lehmann Walter Peters Berg Fischer Weber Schmid Vogel"
).split()  # noqa: SIM905 - a word list reads best as words

PRODUCTS = (
    # slug, name, grouping, description
    ("photo-app", "Mitmach Photo app", "Apps", "Edit, organise and share your photos."),
    ("cloud-backup", "Cloud backup", "Services", "Every photo safe, on every device."),
    ("photo-printer", "Photo printer P1", "Hardware", "Prints from phone to paper."),
    ("photo-books", "Photo books", "Services", "Your albums, printed and bound."),
)

TAGS = (  # noqa: SIM905 - a word list reads best as words
    "export pdf sync backup restore printing paper ink wifi bluetooth android ios windows "
    "mac linux album sharing privacy raw jpeg heic video editing filters presets crop "
    "colour calibration update install login account billing subscription storage quota "
    "upload download slow crash bug feature-request tips howto beginner advanced metadata "
    "faces places timeline search offline family travel wedding portrait landscape macro "
    "night"
).split()  # noqa: SIM905 - a word list reads best as words

_VOCABULARY = (  # noqa: SIM905 - a word list reads best as words
    "the a to and of it is in my for this that with on you can when photo app i have not "
    "but after print album update just all now how do from printer be was what new "
    "picture some there so if or export phone sync will any way see same settings open "
    "also time version help thanks still every would need way only back cloud share "
    "option page file again one since like try does folder first find problem any other "
    "work works working colour paper size menu button screen tap click select save "
    "quality better issue looks fine great seems really maybe today yesterday week using "
    "used use set change changed while because about more less than then here should "
    "could anyone know tried restart account login storage space upload download library "
    "order date faces places filter preset edit crop rotate light dark mode backup "
    "restore device laptop tablet desktop wifi network slow fast support team feature "
    "request idea question answer solved bug crash error message sorry hope works nice "
    "love easy hard simple quick large small many few both each most tray cable driver "
    "sheet glossy matte ink cartridge queue preview zoom grid list view"
).split()  # noqa: SIM905 - a word list reads best as words

_BATTERY_SENTENCES = (
    "The battery drains fast while the app syncs in the background",
    "Printing from the phone takes a lot of battery",
    "Is there a battery saving mode for the backup",
    "My battery lasts longer since the last update",
    "The printer shows a battery warning even when plugged in",
    "Battery use is fine now after turning off live preview",
    "Does anyone else see the battery icon blinking on the printer",
    "Uploading large albums on battery is slow for me",
)


def _weights(n: int) -> list[float]:
    cumulative, total = [], 0.0
    for rank in range(n):
        total += 1.0 / (rank + 4)
        cumulative.append(total)
    return cumulative


class Texts:
    """Pools drawn once from the build's random source; posts pick from them."""

    def __init__(self, rng: random.Random, sentences: int = 3_000, titles: int = 2_000) -> None:
        self._rng = rng
        self._cum = _weights(len(_VOCABULARY))
        self.sentences = [self._sentence() for _ in range(sentences)]
        self.battery = list(_BATTERY_SENTENCES)
        self.titles = [self._title() for _ in range(titles)]

    def _words(self, k: int) -> list[str]:
        rng, cum, total = self._rng, self._cum, self._cum[-1]
        return [_VOCABULARY[bisect(cum, rng.random() * total)] for _ in range(k)]

    def _sentence(self) -> str:
        words = self._words(self._rng.randint(6, 16))
        text = " ".join(words)
        if self._rng.random() < 0.3:
            cut = len(words) // 2
            text = " ".join(words[:cut]) + ", " + " ".join(words[cut:])
        end = "?" if self._rng.random() < 0.15 else "."
        return text[0].upper() + text[1:] + end

    def _title(self) -> str:
        rng = self._rng
        noun = rng.choice(TAGS).replace("-", " ")
        product = rng.choice(PRODUCTS)[1]
        patterns = (
            f"How do I {rng.choice(('fix', 'use', 'change', 'find', 'set up'))} {noun} "
            f"in the {product}?",
            f"{noun.capitalize()} {rng.choice(('problem', 'question', 'tips', 'not working'))} "
            f"with {product}",
            f"Best way to {rng.choice(('share', 'print', 'export', 'back up'))} {noun} photos",
            f"{product}: {' '.join(self._words(rng.randint(3, 6)))}",
            f"Battery and {noun} on the {product}" if rng.random() < 0.05 else f"About {noun}",
        )
        return rng.choice(patterns)

    def paragraphs(self, rng: random.Random) -> list[str]:
        """One to three paragraphs of one to three sentences each."""
        sentences, battery = self.sentences, self.battery
        count = len(sentences)
        paragraphs = []
        for _ in range(1 + int(rng.random() * 2.2)):
            picked = [
                sentences[int(rng.random() * count)] for _ in range(1 + int(rng.random() * 3))
            ]
            paragraphs.append(" ".join(picked))
        if rng.random() < SEARCH_WORD_SHARE:
            paragraphs[-1] += " " + battery[int(rng.random() * len(battery))] + "."
        return paragraphs


def markdown_of(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def html_of(paragraphs: list[str]) -> str:
    """What ``core.content.render`` makes of these paragraphs."""
    return "".join(f"<p>{p}</p>\n" for p in paragraphs)


def plain_of(paragraphs: list[str]) -> str:
    """What ``core.plain_text.plain_text`` makes of the rendered paragraphs."""
    return " ".join(paragraphs)
