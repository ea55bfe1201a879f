"""Eligibility (学员条件): a trainee must meet one of the class's alternatives.

``TrainingClass.eligibility_rules`` is a list of alternatives ``{"qualification": int,
"min_years": int}``: e.g. 社会工作师满2年或助理社会工作师满5年 is
``[{"qualification": 2, "min_years": 2}, {"qualification": 1, "min_years": 5}]``. An alternative is
met by that qualification *or a higher one* (高级社会工作师 satisfies 社会工作师) together with at
least ``min_years`` years of social-work experience. No alternatives: everyone is eligible.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from training_app.models import Qualification
from training_app.services.classes import QUALIFICATION_NAMES, eligibility_summary
from training_app.services.errors import N_, DomainError


class Ineligible(DomainError):
    """Refused by the class's rules; the message names the rule and the trainee's own data."""


def meets(rule: dict[str, Any], *, qualification: int, years: int) -> bool:
    return (int(qualification) >= int(rule["qualification"])
            and int(years) >= int(rule.get("min_years") or 0))


def is_eligible(rules: Sequence[dict[str, Any]], *, qualification: int, years: int) -> bool:
    return not rules or any(meets(r, qualification=qualification, years=years) for r in rules)


def check(rules: Sequence[dict[str, Any]], *, qualification: int, years: int) -> None:
    """Raise ``Ineligible`` naming the rule (in Chinese words) when no alternative is met."""
    if is_eligible(rules, qualification=qualification, years=years):
        return
    raise Ineligible(
        N_("不符合报名条件（%(rule)s）：本人为%(qualification)s，社会工作年限%(years)s年。"),
        rule=eligibility_summary(rules),
        qualification=QUALIFICATION_NAMES[Qualification(int(qualification))], years=years)
