"""Payout curves never pass money through a float: the typical payment size (a lower median) and the exact
split of a recovery level over the cells of the payment mix (largest remainder) stay exact above 2**53,
where a float64 can no longer tell neighbouring integers apart (money.py allows totals up to 10**17 - 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from commission.money import MAX_TOTAL
from commission.simulation.curves import lower_median, split_exactly

BIG = 2**53  # 9,007,199,254,740,992 minor units: within MAX_TOTAL, past float64's exact integers


def test_the_values_used_are_within_moneys_bounds():
    assert 2 * BIG + 1 < MAX_TOTAL


def test_lower_median_is_an_actual_value_of_each_group_above_2_53():
    # group 0: BIG + 3, BIG + 1 -> sorted BIG + 1, BIG + 3; n = 2, the lower median is the 1st: BIG + 1
    # group 1: one value, 5
    # group 2: 7, 9, 8 -> 7, 8, 9; the 2nd: 8
    # group 3: BIG + 5, BIG + 2, BIG + 4, BIG + 3 -> n = 4, the 2nd smallest: BIG + 3
    values = pd.Series([BIG + 3, BIG + 1, 5, 7, 9, 8, BIG + 5, BIG + 2, BIG + 4, BIG + 3], dtype=np.int64)
    groups = np.array([0, 0, 1, 2, 2, 2, 3, 3, 3, 3])
    medians = lower_median(values, groups)
    assert medians.dtype == np.int64
    assert medians.tolist() == [BIG + 1, 5, 8, BIG + 3]
    # as a float, BIG + 1 and BIG + 3 would read BIG and BIG + 4: neither is in the group
    assert float(BIG + 1) == float(BIG)


def test_lower_median_does_not_depend_on_row_order():
    values = pd.Series([BIG + 7, 1, BIG + 1, 3, BIG + 4], dtype=np.int64)
    groups = np.array([1, 0, 1, 0, 1])
    shuffled = [4, 2, 0, 3, 1]
    assert lower_median(values, groups).tolist() == [1, BIG + 4]
    assert lower_median(values.iloc[shuffled].reset_index(drop=True), groups[shuffled]).tolist() == [1, BIG + 4]


def test_split_gives_the_leftover_unit_to_the_largest_remainder_above_2_53():
    # One minor unit over weights BIG and BIG + 1 (whole 2 BIG + 1): exact shares 1 x BIG / (2 BIG + 1) and
    # 1 x (BIG + 1) / (2 BIG + 1), both below 1: parts 0 and 0, remainders BIG and BIG + 1. The unit left
    # over goes to the larger remainder, the second cell. As floats the remainders tie (both 2**53) and a
    # stable sort would give it to the first cell.
    parts = split_exactly(np.array([1], dtype=np.int64), np.array([BIG, BIG + 1], dtype=np.int64))
    assert parts.tolist() == [[0, 1]]


def test_split_adds_up_exactly_and_is_proportional():
    # 10.00 over weights 1 : 2 : 3 (hand-worked): 1000 x 1/6 = 166.67, x 2/6 = 333.33, x 3/6 = 500 ->
    # parts 166, 333, 500 (999), remainders 4, 2, 0 (of 6): the unit left goes to the first cell -> 167, 333, 500
    parts = split_exactly(np.array([1000, BIG], dtype=np.int64), np.array([1, 2, 3], dtype=np.int64))
    assert parts[0].tolist() == [167, 333, 500]
    # BIG over 1 : 2 : 3, with BIG = 6q + 2 (q = 1,501,199,875,790,165): exact shares BIG/6, 2 BIG/6, 3 BIG/6
    # have whole parts q, 2q, 3q + 1 (sum BIG - 1) and remainders 2, 4, 0 (of 6): the one unit left goes to
    # the largest remainder, the second cell
    q = BIG // 6
    assert parts[1].tolist() == [q, 2 * q + 1, 3 * q + 1]
    assert int(parts[1].sum()) == BIG


def test_lower_median_over_the_widest_range_of_int64():
    # values 2**62 apart cannot share one packed sort key: the two-key sort gives the same exact answer
    values = pd.Series([2**62, 1, -(2**62), 5, 3], dtype=np.int64)
    groups = np.array([0, 0, 1, 1, 1])
    assert lower_median(values, groups).tolist() == [1, 3]  # group 0: 1, 2**62; group 1: -2**62, 3, 5
