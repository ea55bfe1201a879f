"""Automatic grouping (自动分组) for ice-breaking: plain values in, plain values out.

No database and no Flask here, so the rule is testable alone. The purpose of the groups is that
people meet strangers, so each unit's trainees and the two genders are spread across the groups
as evenly as possible.

The algorithm:

1. ``k = ceil(n / max_size)`` groups; dealing members in turn to group ``i mod k`` makes the
   sizes differ by at most one.
2. The dealing order puts each unit's members in one consecutive run (units in a seeded random
   order, members shuffled by the seed), so a unit of ``u`` members lands in ``u`` consecutive
   groups modulo ``k``: no group holds more than ``ceil(u / k)`` of one unit.
3. Genders are then balanced by swapping two members *of the same unit* between two groups
   whenever that brings both groups' gender counts closer to their fair share. Same-unit swaps
   keep sizes and the unit spread exactly as they were.

Same members and same seed give the same groups.
"""
from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

MAX_GROUP_SIZE = 10  # 每组不超过10人


@dataclass(frozen=True)
class Member:
    member_id: int
    unit_id: Hashable
    gender: str


def group_count(n: int, max_size: int = MAX_GROUP_SIZE) -> int:
    return math.ceil(n / max_size) if n > 0 else 0


def assign_groups(members: Sequence[tuple[int, Hashable, str]] | Sequence[Member], *,
                  seed: int, max_size: int = MAX_GROUP_SIZE) -> list[list[int]]:
    """Split ``members`` — (member_id, unit_id, gender) — into groups of at most ``max_size``.

    Returns the groups as lists of member ids, group 1 first, ids sorted within a group.
    """
    if max_size < 1:
        raise ValueError("max_size must be at least 1")
    people = [m if isinstance(m, Member) else Member(*m) for m in members]
    ids = [p.member_id for p in people]
    if len(set(ids)) != len(ids):
        raise ValueError("member ids must be unique")
    k = group_count(len(people), max_size)
    if k == 0:
        return []
    rng = random.Random(seed)

    by_unit: dict[Hashable, list[Member]] = defaultdict(list)
    for person in sorted(people, key=lambda p: p.member_id):
        by_unit[person.unit_id].append(person)
    unit_keys = sorted(by_unit, key=repr)
    rng.shuffle(unit_keys)
    order: list[Member] = []
    for key in unit_keys:
        run = by_unit[key]
        rng.shuffle(run)
        # Alternate genders within the run so neighbours (different groups) differ.
        order.extend(_alternate_genders(run))
    groups: list[list[Member]] = [[] for _ in range(k)]
    for i, person in enumerate(order):
        groups[i % k].append(person)
    _balance_genders(groups)
    return [sorted(p.member_id for p in g) for g in groups]


def _alternate_genders(run: list[Member]) -> list[Member]:
    by_gender: dict[str, list[Member]] = defaultdict(list)
    for person in run:
        by_gender[person.gender].append(person)
    queues = sorted(by_gender.values(), key=len, reverse=True)
    result: list[Member] = []
    while any(queues):
        for queue in queues:
            if queue:
                result.append(queue.pop(0))
    return result


def _balance_genders(groups: list[list[Member]]) -> None:
    """Swap same-unit members between groups while that lowers the gender imbalance."""
    total = sum(len(g) for g in groups)
    overall = Counter(p.gender for g in groups for p in g)
    genders = sorted(overall)
    if len(genders) < 2:
        return

    def cost(group: list[Member]) -> float:
        counts = Counter(p.gender for p in group)
        return sum((counts[x] - overall[x] * len(group) / total) ** 2 for x in genders)

    improved = True
    rounds = 0
    while improved and rounds < 100:
        improved = False
        rounds += 1
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                for i, pa in enumerate(groups[a]):
                    for j, pb in enumerate(groups[b]):
                        if pa.unit_id != pb.unit_id or pa.gender == pb.gender:
                            continue
                        before = cost(groups[a]) + cost(groups[b])
                        groups[a][i], groups[b][j] = pb, pa
                        if cost(groups[a]) + cost(groups[b]) < before - 1e-9:
                            improved = True
                            pa = groups[a][i]
                        else:
                            groups[a][i], groups[b][j] = pa, pb


def spread_report(groups: Sequence[Sequence[int]],
                  members: Sequence[tuple[int, Hashable, str]] | Sequence[Member]
                  ) -> dict[str, int]:
    """Measures of a grouping: the size range and the worst excess of one unit or gender in a
    group over its fair share (``ceil(count / groups)``). 0 excess means perfectly spread."""
    people = {m.member_id: m for m in
              (m if isinstance(m, Member) else Member(*m) for m in members)}
    k = len(groups)
    unit_totals = Counter(p.unit_id for p in people.values())
    gender_totals = Counter(p.gender for p in people.values())
    unit_excess = gender_excess = 0
    for group in groups:
        units = Counter(people[i].unit_id for i in group)
        genders = Counter(people[i].gender for i in group)
        for unit, count in units.items():
            unit_excess = max(unit_excess, count - math.ceil(unit_totals[unit] / k))
        for gender, count in genders.items():
            gender_excess = max(gender_excess, count - math.ceil(gender_totals[gender] / k))
    sizes = [len(g) for g in groups] or [0]
    return {"min_size": min(sizes), "max_size": max(sizes), "unit_excess": unit_excess,
            "gender_excess": gender_excess}
