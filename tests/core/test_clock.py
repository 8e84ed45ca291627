"""The virtual clock: real, frozen, advanced, run from a moment, resumed; overflow is a 400, not a crash."""

from datetime import UTC, datetime, timedelta

import pytest

from mocknexus.core.clock import LATEST, Clock
from mocknexus.core.errors import BadRequest

T0 = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


class FakeTime:
    def __init__(self, moment=T0):
        self.moment = moment

    def __call__(self):
        return self.moment


def test_real_time_by_default_follows_the_source():
    source = FakeTime()
    clock = Clock(source)
    assert clock.now() == T0 and not clock.frozen
    source.moment += timedelta(seconds=5)
    assert clock.now() == T0 + timedelta(seconds=5)


def test_freeze_stops_time_and_advance_moves_it():
    source = FakeTime()
    clock = Clock(source)
    clock.freeze(datetime(2030, 1, 1, tzinfo=UTC))
    source.moment += timedelta(hours=1)
    assert clock.now() == datetime(2030, 1, 1, tzinfo=UTC) and clock.frozen
    clock.advance(90.5)
    assert clock.now() == datetime(2030, 1, 1, 0, 1, 30, 500000, tzinfo=UTC)
    clock.advance(-30.5)
    assert clock.now() == datetime(2030, 1, 1, 0, 1, tzinfo=UTC)


def test_freeze_without_a_moment_freezes_where_it_is():
    source = FakeTime()
    clock = Clock(source)
    clock.advance(10)
    clock.freeze()
    source.moment += timedelta(hours=1)
    assert clock.now() == T0 + timedelta(seconds=10)


def test_advance_while_running_shifts_real_time_and_resume_drops_the_shift():
    source = FakeTime()
    clock = Clock(source)
    clock.advance(3600)
    assert clock.now() == T0 + timedelta(hours=1) and not clock.frozen
    source.moment += timedelta(seconds=1)
    assert clock.now() == T0 + timedelta(hours=1, seconds=1)
    clock.freeze(T0)
    clock.resume()
    assert clock.now() == source.moment and not clock.frozen


def test_run_from_a_moment_keeps_running():
    source = FakeTime()
    clock = Clock(source)
    clock.run_from(datetime(2031, 3, 3, tzinfo=UTC))
    source.moment += timedelta(seconds=2)
    assert clock.now() == datetime(2031, 3, 3, 0, 0, 2, tzinfo=UTC) and not clock.frozen


@pytest.mark.parametrize("frozen", [True, False])
def test_advance_out_of_the_date_range_is_a_400_and_changes_nothing(frozen):
    clock = Clock(FakeTime())
    if frozen:
        clock.freeze(LATEST)
    before = clock.now()
    with pytest.raises(BadRequest):
        clock.advance(10 ** 12)
    assert clock.now() == before


def test_to_json_is_iso_with_milliseconds():
    clock = Clock(FakeTime(datetime(2026, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)))
    assert clock.to_json() == {"now": "2026-05-01T10:00:00.123Z", "frozen": False}


@pytest.mark.parametrize("how", ["freeze", "run_from"])
def test_a_moment_after_latest_is_a_400_and_changes_nothing(how):
    clock = Clock(FakeTime())
    before = clock.now()
    with pytest.raises(BadRequest, match="cannot go past 9999-12-30T00:00:00.000Z"):
        getattr(clock, how)(LATEST + timedelta(microseconds=1))
    getattr(clock, how)(LATEST)  # the last moment allowed
    assert clock.now() == LATEST
    clock.resume()
    assert clock.now() == before


def test_advancing_past_latest_is_a_400_frozen_or_running():
    for clock in (Clock(FakeTime()), Clock(FakeTime())):
        clock.run_from(LATEST - timedelta(seconds=1))
        with pytest.raises(BadRequest):
            clock.advance(2)


def test_a_running_clock_at_latest_never_overflows():
    """Two days on from LATEST a running clock would pass datetime.max: it stays there instead of raising."""
    fake = FakeTime()
    clock = Clock(fake)
    clock.run_from(LATEST)
    fake.moment += timedelta(days=3)
    assert clock.now() == datetime.max.replace(tzinfo=UTC)
