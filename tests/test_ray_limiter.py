"""The cluster limiter's rules on a fake clock, no Ray: bucket, cap, pause, probe, budget, lost workers."""

from __future__ import annotations

import pytest

from openrouter_funcs.ray._limiter import BUDGET, ClusterLimiter, LimiterSettings, Report


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make(clock: Clock, **settings: object) -> ClusterLimiter:
    return ClusterLimiter(LimiterSettings(**settings), clock=clock)  # type: ignore[arg-type]


def test_without_limits_everything_wanted_is_granted() -> None:
    limiter = make(Clock())
    grant = limiter.sync("a", Report(), 50)
    assert (grant.granted, grant.probe, grant.stop) == (50, False, None)
    assert limiter.totals().in_flight == 50


def test_token_bucket_grants_rps_per_second_and_never_more_than_the_burst() -> None:
    clock = Clock()
    limiter = make(clock, rps=8.0, burst=3.0, headroom_s=0.0)  # powers of two keep the arithmetic exact
    clock.now += 30.0  # actors starting: nothing is saved up meanwhile
    assert limiter.sync("a", Report(), 100).granted == 1  # no start-up burst
    waiting = limiter.sync("a", Report(), 100)
    assert waiting.granted == 0
    assert waiting.wait_s == pytest.approx(0.125)
    granted = 0
    for _ in range(64):  # one simulated second in 1/64 s steps, two workers asking for all they can
        clock.now += 1 / 64
        granted += limiter.sync("a", Report(), 100).granted + limiter.sync("b", Report(), 100).granted
    assert granted == 8
    clock.now += 60.0  # idle for a minute: the bucket holds no more than `burst`
    assert limiter.sync("b", Report(), 100).granted == 3


def test_the_bucket_keeps_headroom_of_the_burst_for_requests_that_reach_the_server_late() -> None:
    clock = Clock()
    limiter = make(clock, rps=100.0, burst=10.0, headroom_s=0.05)
    limiter.sync("a", Report(), 1)
    clock.now += 60.0
    assert limiter.sync("a", Report(), 100).granted == 5  # 10 less 0.05 s worth at 100/s
    assert make(clock, rps=100.0, burst=2.0).settings.burst == 2.0
    low = make(clock, rps=100.0, burst=2.0)
    low.sync("a", Report(), 1)
    clock.now += 60.0
    assert low.sync("a", Report(), 100).granted == 1  # never less than one


def test_cluster_wide_in_flight_cap_frees_slots_as_attempts_finish() -> None:
    limiter = make(Clock(), max_in_flight=4)
    assert limiter.sync("a", Report(), 3).granted == 3
    assert limiter.sync("b", Report(), 3).granted == 1
    assert limiter.sync("b", Report(), 3).granted == 0
    assert limiter.sync("a", Report(finished=2), 0).granted == 0
    assert limiter.sync("b", Report(), 3).granted == 2


def test_pause_stops_every_worker_then_one_probe_goes_first() -> None:
    clock = Clock()
    limiter = make(clock)
    limiter.sync("a", Report(), 4)
    assert limiter.pause("a", 2.0) == pytest.approx(2.0)
    blocked = limiter.sync("b", Report(), 5)
    assert blocked.granted == 0
    assert blocked.wait_s == pytest.approx(2.0)
    clock.now += 2.0
    probe = limiter.sync("b", Report(), 5)
    assert (probe.granted, probe.probe) == (1, True)
    assert limiter.sync("a", Report(), 5).granted == 0  # nobody else until the probe's reply
    assert limiter.sync("b", Report(finished=1, probe_ok=True), 5).granted == 5
    totals = limiter.totals()
    assert (totals.pauses, totals.rate_limited, totals.probes) == (1, 1, 1)


def test_a_rate_limited_probe_pauses_again() -> None:
    clock = Clock()
    limiter = make(clock)
    limiter.pause("a", 1.0)
    clock.now += 1.0
    assert limiter.sync("a", Report(), 3).probe
    assert limiter.pause("a", 1.0) == pytest.approx(1.0)
    assert limiter.sync("b", Report(), 3).granted == 0
    clock.now += 1.0
    again = limiter.sync("b", Report(), 3)
    assert (again.granted, again.probe) == (1, True)


def test_pause_without_a_hint_grows_and_is_capped() -> None:
    limiter = make(Clock(), backoff_initial_s=0.5, backoff_exponent=2.0, backoff_max_s=1.5)
    assert limiter.pause("a", None) == pytest.approx(0.5)
    limiter.sync("a", Report(rows_ok=1), 0)  # a success resets the streak
    limiter.pause("a", None)
    limiter.pause("a", None)
    assert limiter.pause("a", None) == pytest.approx(1.5)
    assert make(Clock(), backoff_max_s=1.5).pause("a", 60.0) == pytest.approx(1.5)


def test_budget_stops_every_grant_once_the_reported_cost_reaches_it() -> None:
    limiter = make(Clock(), budget_usd=0.05)
    assert limiter.sync("a", Report(rows_ok=4, cost=0.04), 10).granted == 10
    stop = limiter.sync("b", Report(rows_ok=1, cost=0.01), 10)
    assert (stop.granted, stop.stop) == (0, BUDGET)
    assert stop.spent_usd == pytest.approx(0.05)
    assert limiter.totals().budget_spent


def test_a_silent_worker_gives_back_its_slots_and_its_probe() -> None:
    clock = Clock()
    limiter = make(clock, max_in_flight=2, worker_timeout_s=5.0)
    limiter.pause("a", 0.5)
    clock.now += 1.0
    assert limiter.sync("a", Report(), 1).probe  # then worker a dies holding the probe
    assert limiter.sync("b", Report(), 2).granted == 0
    clock.now += 4.0
    assert limiter.sync("b", Report(), 2).granted == 0  # b keeps talking; a has been silent 4 s
    clock.now += 1.5
    probe = limiter.sync("b", Report(), 2)
    assert (probe.granted, probe.probe) == (1, True)
    totals = limiter.totals()
    assert (totals.workers_lost, totals.in_flight) == (1, 1)


def test_reports_sum_into_the_totals() -> None:
    limiter = make(Clock())
    limiter.sync("a", Report(), 3)
    limiter.sync("a", Report(finished=3, rows_ok=2, rows_failed=1, cost=0.25), 0)
    totals = limiter.totals()
    assert (totals.rows, totals.ok, totals.failed, totals.attempts, totals.in_flight) == (3, 2, 1, 3, 0)
    assert totals.cost == pytest.approx(0.25)
