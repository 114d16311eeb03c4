"""The population benchmark's pure helpers: the percentiles it reports and its CPU accounting."""

from __future__ import annotations

import os

import pytest

from benchmarks.population import _range, cpu_by_page, machine_pace, percentile, tree_cpu_seconds


def test_percentile_interpolates_between_the_nearest_ranks() -> None:
    values = [float(n) for n in range(1, 101)]  # 1..100, in any order
    assert percentile(list(reversed(values)), 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile(values, 0) == 1 and percentile(values, 100) == 100
    assert percentile([7.0], 95) == 7 and percentile([], 95) == 0


def test_cpu_by_page_adds_up_each_page_and_skips_cut_lines() -> None:
    lines = [
        "GET\t/choose-time\t200\t3000000\t1000000\n",
        "GET\t/choose-time\t200\t5000000\t-5\n",  # a backend that went away: no negative CPU
        "POST\t/check\t302\t20000000\t4000000",
        "GET\t/check\t200\t10",  # cut short when a worker stopped
    ]
    pages = cpu_by_page(lines)
    assert set(pages) == {"GET /choose-time", "POST /check"}
    choose = pages["GET /choose-time"]
    assert choose.requests == 2 and choose.web_ms == pytest.approx(4.0) and choose.db_ms == pytest.approx(0.5)
    assert pages["POST /check"].statuses == {"302": 1} and pages["POST /check"].db_ms == pytest.approx(4.0)


def test_tree_cpu_seconds_counts_this_process_and_ignores_gone_ones() -> None:
    mine = tree_cpu_seconds([os.getpid()])
    sum(n * n for n in range(3_000_000))  # some CPU: well over the clock tick (10 ms) the count moves by
    assert tree_cpu_seconds([os.getpid()]) > mine > 0
    assert tree_cpu_seconds([2**22 + 12345]) == 0  # no such process


def test_think_time_ranges() -> None:
    assert _range("2-6") == (2.0, 6.0) and _range("3") == (3.0, 3.0) and _range("0.5-1") == (0.5, 1.0)


def test_machine_pace_is_the_cpu_of_real_work() -> None:
    pace = machine_pace(rounds=2)
    assert 1 < pace < 10_000  # milliseconds: 20,000 rows built, sorted and joined
