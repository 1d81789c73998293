"""How much data each size holds: large is the issue's numbers, small 1/100 of them."""

from __future__ import annotations

from dataclasses import dataclass

from community.scale.words import PRODUCTS

# The large dataset, for what exists now.
LARGE = {
    "members": 100_000,
    "topics": 50_000,
    "posts": 1_000_000,
    "reactions": 2_000_000,
    "events": 5_000_000,
    "flags": 5_000,
    # The ideas portal (issue 7): 500 products, most of them with a few ideas.
    "products": 500,
    "ideas": 20_000,
    "idea_votes": 2_000_000,
    "idea_comments": 100_000,
    "challenges": 40,
}
SIZES: dict[str, float] = {"large": 1.0, "small": 0.01}

# The benchmark's write paths use members round-robin; with this many, per-member rate
# limits are never reached (contract with the bench harness). Every CLI size has them.
BENCH_WRITERS = 5_000
LINES_PER_WRITER = 5


@dataclass(frozen=True)
class Scale:
    name: str
    factor: float
    members: int
    topics: int
    posts: int
    reactions: int
    events: int
    flags: int
    products: int
    ideas: int
    idea_votes: int
    idea_comments: int
    challenges: int
    # Members with an API token for the benchmark's writes, and lines each one gets.
    writers: int
    lines_per_writer: int = LINES_PER_WRITER

    @property
    def write_lines(self) -> int:
        return self.writers * self.lines_per_writer


def scale_of(name: str, factor: float | None = None) -> Scale:
    """The counts of a named size, or of any ``factor`` of large (the tests build a tiny
    one). Small floors keep every shape present (a 20-post topic, a big category)."""
    factor = SIZES[name] if factor is None else factor

    def part(key: str, floor: int) -> int:
        return max(floor, round(LARGE[key] * factor))

    topics = part("topics", 12)
    full_size = factor >= SIZES["small"]
    writers = BENCH_WRITERS if full_size else max(4, part("members", 40) // 4)
    # Penalties and profiles need members beyond the bench's writers.
    members = max(part("members", 40), writers + writers // 5)
    return Scale(
        name=name,
        factor=factor,
        members=members,
        topics=topics,
        posts=max(part("posts", 100), topics + 40),
        reactions=part("reactions", 150),
        events=part("events", 600),
        # Enough for a full review queue page and a moderation history at every size.
        flags=part("flags", 200 if full_size else 12),
        # The forums' four products at least; enough ideas for every status.
        products=part("products", len(PRODUCTS)),
        ideas=part("ideas", 40),
        idea_votes=part("idea_votes", 400),
        idea_comments=part("idea_comments", 120),
        challenges=part("challenges", 3),
        writers=writers,
    )


def allocate(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, rounding so the parts add up exactly
    (cumulative rounding: one pass, deterministic)."""
    factor = total / (sum(weights) or 1.0)
    parts, running, placed = [], 0.0, 0
    for weight in weights:
        running += weight * factor
        upto = int(running + 0.5)
        parts.append(upto - placed)
        placed = upto
    return parts
