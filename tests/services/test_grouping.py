"""The pure grouping algorithm: sizes, spread of units and genders, determinism, edge cases."""
import math
import random
from collections import Counter

import pytest

from training_app.services.grouping import assign_groups, group_count, spread_report

# The demo class: 86 trainees from ten units of uneven size.
UNIT_SIZES = [15, 12, 11, 10, 9, 8, 7, 6, 5, 3]


def demo_members(seed=7):
    rng = random.Random(seed)
    members, n = [], 0
    for unit, size in enumerate(UNIT_SIZES):
        for _ in range(size):
            n += 1
            members.append((n, f"unit{unit}", rng.choice(["male", "female", "female"])))
    return members


def test_86_trainees_make_9_groups_of_9_or_10_with_units_spread():
    members = demo_members()
    assert len(members) == 86
    groups = assign_groups(members, seed=2016)
    assert len(groups) == 9
    assert sorted(len(g) for g in groups) == [9, 9, 9, 9, 10, 10, 10, 10, 10]
    assert sorted(i for g in groups for i in g) == list(range(1, 87))
    unit_of = {m: u for m, u, _ in members}
    unit_sizes = Counter(unit_of.values())
    for group in groups:
        for unit, count in Counter(unit_of[i] for i in group).items():
            # the fair share: a unit of 15 over 9 groups puts at most 2 in one group
            assert count <= math.ceil(unit_sizes[unit] / len(groups))
    report = spread_report(groups, members)
    assert report == {"min_size": 9, "max_size": 10, "unit_excess": 0, "gender_excess": 0}


def test_genders_are_balanced_within_one():
    members = demo_members(seed=3)
    groups = assign_groups(members, seed=11)
    gender_of = {m: g for m, _, g in members}
    women = [sum(gender_of[i] == "female" for i in g) for g in groups]
    share = sum(women) / len(members)
    for group, count in zip(groups, women):
        assert abs(count - share * len(group)) < 1.5


def test_same_seed_same_groups_other_seed_other_groups():
    members = demo_members()
    assert assign_groups(members, seed=5) == assign_groups(list(reversed(members)), seed=5)
    assert assign_groups(members, seed=5) != assign_groups(members, seed=6)


@pytest.mark.parametrize("n", [1, 2, 7, 10])
def test_fewer_than_ten_trainees_make_one_group(n):
    members = [(i, "u1" if i % 2 else "u2", "male" if i % 3 else "female") for i in range(1, n + 1)]
    groups = assign_groups(members, seed=1)
    assert groups == [list(range(1, n + 1))]


def test_eleven_trainees_make_two_groups_of_six_and_five():
    members = [(i, "u", "female") for i in range(1, 12)]
    assert sorted(len(g) for g in assign_groups(members, seed=1)) == [5, 6]


def test_one_unit_only_still_groups_and_spreads_genders():
    members = [(i, "only-unit", "male" if i <= 12 else "female") for i in range(1, 31)]
    groups = assign_groups(members, seed=4)
    assert [len(g) for g in groups] == [10, 10, 10]
    for group in groups:
        assert sum(1 for i in group if i <= 12) == 4  # 12 men over 3 groups


def test_no_members_no_groups_and_bad_input_refused():
    assert assign_groups([], seed=1) == []
    assert group_count(0) == 0 and group_count(10) == 1 and group_count(11) == 2
    with pytest.raises(ValueError):
        assign_groups([(1, "u", "male"), (1, "u", "female")], seed=1)
    with pytest.raises(ValueError):
        assign_groups([(1, "u", "male")], seed=1, max_size=0)
