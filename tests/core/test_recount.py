"""Comparing stored counters with the rows they count (community/core/recount.py).

The module knows no model, so these tests bring their own: bins keyed by a code (not
``id``) that store how many items they hold, on a registry of their own, their tables
made inside the test's transaction and rolled back with it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from community.core.recount import (
    MAX_EXAMPLES,
    Check,
    count_by,
    count_check,
    more,
    run,
    run_all,
    show,
)
from community.extensions import db as _db


class _Base(DeclarativeBase):
    pass


class Bin(_Base):
    __tablename__ = "recount_test_bin"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    item_count: Mapped[int | None]


class Item(_Base):
    __tablename__ = "recount_test_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    bin_code: Mapped[str] = mapped_column(ForeignKey("recount_test_bin.code"))
    lost: Mapped[bool] = mapped_column(default=False)


@pytest.fixture()
def bins(db):
    """Bins a (2 items), b (1 item and a lost one) and c (empty), counted right."""
    _Base.metadata.create_all(db.session.connection())
    db.session.add_all(
        [Bin(code="a", item_count=2), Bin(code="b", item_count=1), Bin(code="c", item_count=0)]
    )
    db.session.add_all(
        [
            Item(bin_code="a"),
            Item(bin_code="a"),
            Item(bin_code="b"),
            Item(bin_code="b", lost=True),
        ]
    )
    db.session.flush()
    return db


def item_counts() -> Check:
    """A bin's ``item_count``: its items that are not lost."""
    items = count_by(Item.bin_code, Item.lost.is_(False))
    return count_check("bin", Bin, Bin.code, {"item_count": items}, key="code")


def stored() -> dict[str, int | None]:
    return dict(_db.session.execute(select(Bin.code, Bin.item_count)).all())


def set_count(code: str, value: int | None) -> None:
    _db.session.execute(update(Bin).where(Bin.code == code).values(item_count=value))


def test_right_counters_give_no_line_and_a_fix_changes_nothing(bins):
    assert run(item_counts(), fix=False) == []
    assert run(item_counts(), fix=True) == []
    assert stored() == {"a": 2, "b": 1, "c": 0}


def test_a_table_keyed_by_another_column_is_reported_and_fixed_by_that_key(bins):
    set_count("b", 5)
    set_count("c", None)  # NULL against a count is a drift too

    lines = run(item_counts(), fix=True)

    assert lines == [
        "bin b item_count: stored 5, counted 1",
        "bin c item_count: stored nothing, counted 0",
    ]
    assert stored() == {"a": 2, "b": 1, "c": 0}
    assert run(item_counts(), fix=False) == []


def test_a_report_without_fix_changes_nothing(bins):
    set_count("a", 7)

    assert run(item_counts(), fix=False) == ["bin a item_count: stored 7, counted 2"]
    assert stored()["a"] == 7


def test_examples_stop_at_the_cap_and_one_line_counts_the_rest(bins):
    codes = [f"z{n:03}" for n in range(MAX_EXAMPLES + 3)]
    bins.session.add_all(Bin(code=code, item_count=1) for code in codes)
    bins.session.flush()

    lines = run(item_counts(), fix=True)

    shown = [f"bin {code} item_count: stored 1, counted 0" for code in codes[:MAX_EXAMPLES]]
    assert lines == [*shown, "... and 3 more bins with drift"]
    assert run(item_counts(), fix=False) == []


def test_the_summary_counts_what_was_not_shown():
    assert more("bins", MAX_EXAMPLES) == []
    assert more("bins", MAX_EXAMPLES + 1) == ["... and 1 more bins with drift"]
    assert more("post reaction counts", 12, shown=10) == [
        "... and 2 more post reaction counts with drift"
    ]


def test_values_are_shown_plainly():
    assert show(None) == "nothing"
    assert show(dt.datetime(2026, 12, 4, 9, 30, 15, 123456)) == "2026-12-04 09:30:15"
    assert show(0) == "0"


def test_all_steps_run_in_order_and_loaded_objects_see_the_fix(bins):
    set_count("a", 9)
    bins.session.expire_all()
    bin_a = bins.session.get(Bin, "a")
    assert bin_a.item_count == 9
    seen = []

    def custom(fix: bool) -> list[str]:
        seen.append(fix)
        return ["custom line"]

    lines = run_all((item_counts(), custom), fix=True)

    assert lines == ["bin a item_count: stored 9, counted 2", "custom line"]
    assert seen == [True]
    assert bin_a.item_count == 2  # expired after the fix, loaded again
