"""A trainee's personal data as entered (form, Excel row), checked and normalized. Pure: no
database, so the Excel parser and the enrollment service share the same rules."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from training_app.models import Gender, Qualification
from training_app.services import id_numbers
from training_app.services.accounts import MOBILE_PATTERN
from training_app.services.errors import N_, DomainError

MAX_YEARS = 60
GENDER_WORDS = {"男": Gender.MALE, "女": Gender.FEMALE, "male": Gender.MALE,
                "female": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
# Names people write for each level (the short forms are what the notices use).
QUALIFICATION_WORDS = {
    "无": Qualification.NONE, "无资格": Qualification.NONE, "无资格证书": Qualification.NONE,
    "0": Qualification.NONE,
    "助理社工师": Qualification.ASSISTANT, "助理社会工作师": Qualification.ASSISTANT,
    "初级": Qualification.ASSISTANT, "1": Qualification.ASSISTANT,
    "社工师": Qualification.INTERMEDIATE, "社会工作师": Qualification.INTERMEDIATE,
    "中级": Qualification.INTERMEDIATE, "中级社会工作师": Qualification.INTERMEDIATE,
    "2": Qualification.INTERMEDIATE,
    "高级社工师": Qualification.SENIOR, "高级社会工作师": Qualification.SENIOR,
    "高级": Qualification.SENIOR, "3": Qualification.SENIOR,
}
# The spelling used in the Excel template and exports.
QUALIFICATION_CELL = {
    Qualification.NONE: "无",
    Qualification.ASSISTANT: "助理社会工作师",
    Qualification.INTERMEDIATE: "社会工作师",
    Qualification.SENIOR: "高级社会工作师",
}
GENDER_CELL = {Gender.MALE: "男", Gender.FEMALE: "女"}


@dataclass(frozen=True)
class TraineeData:
    name: str
    id_number: str
    mobile: str
    qualification: int = 0
    years_experience: int = 0
    gender: str = ""  # Gender value; empty: taken from the 身份证号
    certificate_number: str = ""


def parse_gender(value: str) -> Gender | None:
    value = (value or "").strip().lower()
    if not value:
        return None
    if value not in GENDER_WORDS:
        raise DomainError(N_("性别应为“男”或“女”。"))
    return GENDER_WORDS[value]


def parse_qualification(value: object) -> Qualification:
    if isinstance(value, Qualification):
        return value
    text = str(value if value is not None else "").strip()
    text = text.removesuffix(".0")
    if text not in QUALIFICATION_WORDS:
        message = N_("未知的资格等级：%(value)s（应为无、助理社会工作师、社会工作师或高级社会工作师）")  # noqa: E501
        raise DomainError(message, value=text or "—")
    return QUALIFICATION_WORDS[text]


def parse_years(value: object) -> int:
    try:
        years = float(str(value).strip()) if value not in (None, "") else 0.0
    except ValueError:
        years = -1.0
    if years != int(years) or not 0 <= years <= MAX_YEARS:
        raise DomainError(N_("社会工作年限应为0到%(max)s之间的整数。"), max=MAX_YEARS)
    return int(years)


def clean(data: TraineeData, *, today: date | None = None) -> TraineeData:
    """``data`` checked and normalized, or the first problem as ``DomainError``."""
    name = (data.name or "").strip()
    if not name:
        raise DomainError(N_("请填写姓名。"))
    if len(name) > 64:
        raise DomainError(N_("姓名过长。"))
    number = id_numbers.validate(data.id_number, today=today)
    gender = parse_gender(data.gender)
    from_id = Gender.MALE if id_numbers.is_male(number) else Gender.FEMALE
    if gender is not None and gender != from_id:
        raise DomainError(N_("性别与身份证号不符。"))
    mobile = (data.mobile or "").strip()
    if not MOBILE_PATTERN.match(mobile):
        raise DomainError(N_("手机号码格式不正确：%(mobile)s"), mobile=mobile or "—")
    qualification = parse_qualification(data.qualification)
    certificate = (data.certificate_number or "").strip()
    if qualification != Qualification.NONE and not certificate:
        raise DomainError(N_("持有社会工作者职业资格的，请填写资格证书编号。"))
    if len(certificate) > 64:
        raise DomainError(N_("资格证书编号过长。"))
    return replace(data, name=name, id_number=number, gender=from_id.value, mobile=mobile,
                   qualification=int(qualification), certificate_number=certificate,
                   years_experience=parse_years(data.years_experience))
