from datetime import date

import pytest

from training_app.services import eligibility, id_numbers, trainee_data
from training_app.services.errors import DomainError
from training_app.services.trainee_data import TraineeData

# 社工师满2年或助理社工师满5年
RULES = [{"qualification": 2, "min_years": 2}, {"qualification": 1, "min_years": 5}]


def test_check_character_follows_gb_11643():
    # The standard's own example: 11010519491231002X.
    assert id_numbers.check_character("11010519491231002") == "X"
    assert id_numbers.validate(" 11010519491231002x ") == "11010519491231002X"
    assert id_numbers.check_character("44052418800101001") == "4"


@pytest.mark.parametrize("value, fragment", [
    ("110105194912310021", "校验码错误"),
    ("11010519491231002", "应为18位"),
    ("1101051949123100AX", "应为18位"),
    ("110105194902300027", "出生日期无效"),
    ("", "请填写身份证号"),
])
def test_invalid_numbers_say_what_is_wrong(value, fragment):
    with pytest.raises(DomainError) as caught:
        id_numbers.validate(value)
    assert fragment in str(caught.value)


def test_birth_date_in_the_future_is_refused():
    number = id_numbers.make("370702", date(2030, 1, 1), 11)
    assert id_numbers.is_valid(number)  # without a reference day
    with pytest.raises(DomainError, match="出生日期无效"):
        id_numbers.validate(number, today=date(2026, 3, 1))


def test_made_numbers_are_valid_and_carry_the_gender():
    man = id_numbers.make("370702", date(1985, 6, 1), 13)
    woman = id_numbers.make("370702", date(1985, 6, 1), 14)
    assert id_numbers.is_valid(man) and id_numbers.is_valid(woman)
    assert id_numbers.is_male(man) and not id_numbers.is_male(woman)


def test_mask_keeps_first_and_last_four():
    assert id_numbers.mask("370102198506011234") == "3701**********1234"
    assert id_numbers.mask("") == ""


@pytest.mark.parametrize("qualification, years, ok", [
    (2, 2, True),    # 社会工作师满2年
    (3, 2, True),    # a higher level satisfies a lower one
    (2, 1, False),
    (1, 5, True),    # 助理社会工作师满5年
    (1, 4, False),
    (0, 20, False),
])
def test_either_alternative_admits(qualification, years, ok):
    assert eligibility.is_eligible(RULES, qualification=qualification, years=years) is ok


def test_refusal_names_the_rule_in_chinese():
    with pytest.raises(eligibility.Ineligible) as caught:
        eligibility.check(RULES, qualification=1, years=3)
    message = str(caught.value)
    assert "社会工作师满2年或助理社会工作师满5年" in message
    assert "本人为助理社会工作师，社会工作年限3年" in message


def test_no_rules_admit_everyone():
    eligibility.check([], qualification=0, years=0)


def _data(**overrides):
    values = dict(name="王芳", id_number=id_numbers.make("370702", date(1988, 3, 4), 22),
                  mobile="13712345678", qualification="社工师", certificate_number="Z123",
                  years_experience="3")
    values.update(overrides)
    return TraineeData(**values)


def test_clean_normalizes_words_and_takes_gender_from_the_number():
    clean = trainee_data.clean(_data())
    assert clean.qualification == 2 and clean.years_experience == 3
    assert clean.gender == "female"


@pytest.mark.parametrize("overrides, fragment", [
    ({"name": " "}, "请填写姓名"),
    ({"gender": "男"}, "性别与身份证号不符"),
    ({"mobile": "1234"}, "手机号码格式不正确"),
    ({"qualification": "博士"}, "未知的资格等级"),
    ({"certificate_number": ""}, "资格证书编号"),
    ({"years_experience": "2.5"}, "社会工作年限"),
])
def test_clean_refuses_bad_data(overrides, fragment):
    with pytest.raises(DomainError) as caught:
        trainee_data.clean(_data(**overrides))
    assert fragment in str(caught.value)
