"""The council's pure parts: means and intervals, who is missing, priorities, charts, CSV."""

import csv
import io
import math
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coprod.council import charts, exports, stats
from coprod.council.stats import Rated, summarise


def test_mean_and_t_interval_on_known_scores():
    s = summarise([2, 3, 3, 4, 4, 4, 5, 5, 5])
    # mean 35/9; s = sqrt(80/9 / 8); half-width = t(0.975, 8) * s / 3 with t = 2.306004
    assert s.n == 9 and s.mean == pytest.approx(3.888889, abs=1e-6)
    assert s.low == pytest.approx(3.078646, abs=1e-5)
    assert s.high == pytest.approx(4.699132, abs=1e-5)
    assert s.counts == (0, 1, 2, 3, 3)


def test_twenty_answers_use_nineteen_degrees_of_freedom():
    s = summarise([4] * 10 + [5] * 10)
    half = 2.093024 * math.sqrt(5 / 19) / math.sqrt(20)
    assert (s.low, s.high) == (pytest.approx(4.5 - half), pytest.approx(4.5 + half))


def test_interval_is_clipped_to_the_scale_and_absent_for_one_answer():
    wide = summarise([1, 1, 1, 5])
    assert wide.mean == 2 and wide.low == 1 and wide.high == pytest.approx(5)
    one = summarise([4])
    assert (one.n, one.mean, one.low, one.high) == (1, 4, None, None)
    assert summarise([]) == stats.EMPTY and stats.EMPTY.mean is None
    same = summarise([3, 3, 3])
    assert same.low == same.high == 3


def test_scores_outside_the_scale_are_refused():
    with pytest.raises(ValueError):
        stats.summarise_counts({6: 1})


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=200))
def test_counts_and_lists_agree_and_the_mean_lies_inside_its_interval(scores):
    from_list = summarise(scores)
    from_counts = stats.summarise_counts({k: scores.count(k) for k in set(scores)})
    assert from_list == from_counts
    assert 1 <= from_list.low <= from_list.mean + 1e-9
    assert from_list.mean - 1e-9 <= from_list.high <= 5


def test_t_quantiles_match_published_values():
    assert stats.t_975(1) == pytest.approx(12.706205)
    assert stats.t_975(60) == pytest.approx(2.000298, abs=1e-5)
    assert stats.t_975(120) == pytest.approx(1.979930, abs=1e-5)
    assert stats.t_975(1000) == pytest.approx(1.962339, abs=1e-5)
    # The expansion used beyond the table agrees with the table where they meet.
    assert stats.cornish_fisher_975(30) == pytest.approx(stats.t_975(30), abs=1e-5)
    with pytest.raises(ValueError):
        stats.t_975(0)


def test_groups_with_less_than_half_their_share_are_named_under_represented():
    ballots = {"en": 88, "ur": 6, "bn": 4, "so": 2}
    people = {"en": 55, "ur": 10, "bn": 10, "so": 4, "pl": 21}
    rows = {s.key: s for s in stats.shares(ballots, people)}
    assert rows["bn"].under  # 4% of ballots against 10% of people: 0.4 of its share
    assert rows["pl"].under and rows["pl"].ballots == 0  # nobody at all
    assert not rows["ur"].under  # 6% against 10%: 0.6 of its share
    assert not rows["so"].under  # 2% against 4%: exactly half is not less than half
    assert not rows["en"].under
    assert rows["pl"].population_share == pytest.approx(0.21)
    assert rows["bn"].ratio == pytest.approx(0.4)


def test_too_few_ballots_name_nobody():
    rows = stats.shares({"en": 19}, {"en": 50, "ur": 50})
    assert not any(s.under for s in rows)


def test_population_share_uses_the_whole_population_when_groups_do_not_cover_it():
    rows = {s.key: s for s in stats.shares({"en": 30}, {"ur": 4100}, total_population=20500)}
    assert rows["ur"].population_share == pytest.approx(0.2)
    assert rows["en"].population is None and rows["en"].population_share is None
    assert rows["ur"].under  # 0% of ballots against 20% of people


def test_ballots_per_day_fill_quiet_days_and_cover_every_ballot():
    counts = {date(2025, 3, 3): 4, date(2025, 3, 6): 1}
    days = stats.per_day(counts, first=date(2025, 3, 2), last=date(2025, 3, 5))
    assert days == [
        (date(2025, 3, 2), 0),
        (date(2025, 3, 3), 4),
        (date(2025, 3, 4), 0),
        (date(2025, 3, 5), 0),
        (date(2025, 3, 6), 1),
    ]
    assert stats.per_day({}) == []


def _rated(kind, id_, scores=(), open_scores=(), funded_at=None):
    return Rated(kind, id_, summarise(scores), summarise(open_scores), funded_at)


def test_priorities_put_funded_remedies_first_then_the_best_rated():
    items = [
        _rated("remedy", 1, [5, 5, 5]),
        _rated("remedy", 2, [1, 1], funded_at=1),
        _rated("remedy", 3, [2], funded_at=0),
        _rated("barrier", 4, [4, 5, 5]),
        _rated("barrier", 5, open_scores=[5, 5, 5, 5]),  # only no-code ratings
        _rated("remedy", 6),  # not rated at all
        _rated("barrier", 7, [5, 5, 5]),  # ties with remedy 1: remedies first
        _rated("remedy", 8, [5, 5, 5, 5]),  # same mean, more answers
    ]
    order = [(r.kind, r.id) for r in stats.rank_priorities(items)]
    assert order == [
        ("remedy", 3),
        ("remedy", 2),
        ("remedy", 8),
        ("remedy", 1),
        ("barrier", 7),
        ("barrier", 4),
        ("barrier", 5),
        ("remedy", 6),
    ]


def test_themes_keep_barriers_met_in_two_rounds_with_each_rounds_rating():
    found = stats.themes(
        {10: [1, 2], 11: [2]},
        {(10, 1, False): {4: 2, 5: 2}, (10, 2, True): {2: 3}},
    )
    assert [t.barrier_id for t in found] == [10]
    (r1, first), (r2, second) = found[0].rounds
    assert (r1, first.rating.mean, first.only_indicative) == (1, 4.5, False)
    assert (r2, second.rating.mean, second.only_indicative) == (2, 2, True)


# --- Charts -------------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_chart_colours_stand_out_from_the_white_page():
    for colour in (*charts.SCORE_COLOURS, charts.BALLOTS, charts.PEOPLE, charts.LINE):
        assert _contrast(colour, "#ffffff") >= 3, colour
    assert _contrast(charts.INK, "#ffffff") >= 4.5


def test_spread_bar_is_an_image_with_words_and_parts_in_proportion():
    svg = charts.spread_bar((1, 0, 2, 0, 1), ident="x1", title="Spread <b>", desc="One, two")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="x1-title x1-desc"' in svg
    assert '<title id="x1-title">Spread &lt;b&gt;</title>' in svg
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="0" width="([\d.]+)"', svg)]
    assert widths == pytest.approx([40, 80, 40])
    assert "style" not in svg


def test_day_and_share_charts_mark_their_numbers_and_use_no_styles():
    days = charts.day_bars(
        [("1 Mar", 2), ("2 Mar", 0), ("3 Mar", 8)], ident="d", title="Days", desc="D"
    )
    assert ">8</text>" in days and ">1 Mar</text>" in days and ">3 Mar</text>" in days
    assert days.count(f'fill="{charts.BALLOTS}"') == 2  # no bar for the quiet day
    shares = charts.share_bars(
        [("Urdu", 0.05, 0.15), ("Polish", 0.1, None)],
        ident="s",
        title="Shares",
        desc="S",
        ballots_label="Ballots",
        people_label="People",
    )
    assert ">15%</text>" in shares and ">Urdu</text>" in shares
    for svg in (days, shares):
        assert "style" not in svg and "<script" not in svg


# --- CSV ----------------------------------------------------------------------------------


def test_csv_cells_that_a_spreadsheet_would_run_are_made_harmless():
    text = exports.to_csv(("name", "n"), [{"name": "=HYPERLINK(1)", "n": 3}, {"name": "ok"}])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows == [{"name": "'=HYPERLINK(1)", "n": "3"}, {"name": "ok", "n": ""}]
