from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional

from training_app.forms import choices
from training_app.forms.classes import QUALIFICATION_LABELS
from training_app.models import EnrollmentSource, EnrollmentStatus, Gender, Qualification

GENDER_LABELS = {Gender.MALE: _l("男"), Gender.FEMALE: _l("女")}
STATUS_LABELS = {
    EnrollmentStatus.PENDING: _l("待审核"),
    EnrollmentStatus.APPROVED: _l("已通过"),
    EnrollmentStatus.REJECTED: _l("未通过"),
    EnrollmentStatus.WAITLISTED: _l("候补"),
    EnrollmentStatus.WITHDRAWN: _l("已退出"),
}
SOURCE_LABELS = {
    EnrollmentSource.NOMINATED: _l("单位推荐"),
    EnrollmentSource.SELF_REGISTERED: _l("个人报名"),
}


class TraineeForm(FlaskForm):
    """A trainee's personal data; the service checks the 身份证号 checksum and the rules."""

    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=64)])
    gender = SelectField(_l("性别"), choices=choices(
        [("", _l("按身份证号"))] + [(g.value, label) for g, label in GENDER_LABELS.items()]),
        default="")
    id_number = StringField(_l("身份证号"), validators=[DataRequired(), Length(min=18, max=18)])
    mobile = StringField(_l("手机号"), validators=[DataRequired(), Length(min=11, max=11)])
    qualification = SelectField(_l("资格等级"), coerce=int, choices=choices(
        (int(q), label) for q, label in QUALIFICATION_LABELS.items()),
        default=int(Qualification.INTERMEDIATE))
    certificate_number = StringField(_l("资格证书编号"), validators=[Optional(), Length(max=64)])
    years_experience = IntegerField(_l("社会工作年限（年）"),
                                    validators=[InputRequired(), NumberRange(min=0, max=60)])

    def trainee_values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "name", "gender", "id_number", "mobile", "qualification", "certificate_number",
            "years_experience")}


class NominateForm(TraineeForm):
    submit = SubmitField(_l("推荐报名"))


class SelfRegisterForm(TraineeForm):
    unit_id = SelectField(_l("所在单位"), coerce=int, validators=[DataRequired()])
    password = PasswordField(_l("设置登录密码"),
                             validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(_l("确认密码"), validators=[
        DataRequired(), EqualTo("password", message=_l("两次输入的密码不一致。"))])
    submit = SubmitField(_l("提交报名"))


class ProfileRegisterForm(FlaskForm):
    """A logged-in trainee with a profile only chooses the unit."""

    unit_id = SelectField(_l("所在单位"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("提交报名"))


class RosterUploadForm(FlaskForm):
    roster = FileField(_l("Excel名单（.xlsx）"), validators=[FileRequired(_l("请选择文件。"))])
    submit = SubmitField(_l("上传并导入"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("理由"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("确定"))


class DecisionForm(FlaskForm):
    """Approve or reject the checked entries (one or many) on the review page."""

    entry_ids = SelectMultipleField(coerce=int, validate_choice=False,
                                    validators=[DataRequired(_l("请至少选择一条报名。"))])
    action = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("退回理由"), validators=[Optional(), Length(max=500)])
    over_quota_reason = StringField(_l("超名额录取理由"), validators=[Optional(), Length(max=500)])


class ReviewFilterForm(FlaskForm):
    """Filters arrive as a GET query; reading is not a state change, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(_l("状态"), choices=choices(
        [("", _l("全部"))] + [(s.value, label) for s, label in STATUS_LABELS.items()]),
        default="", validate_choice=False)
    unit_id = SelectField(_l("单位"), coerce=int, default=0, validate_choice=False)


class ReassignForm(FlaskForm):
    unit_id = SelectField(_l("单位"), coerce=int, validators=[DataRequired()])
    seats = IntegerField(_l("名额数"), validators=[InputRequired(), NumberRange(min=1, max=10000)])
    submit = SubmitField(_l("从公共名额分配"))


class MaterialForm(FlaskForm):
    label = SelectField(_l("材料类别"), validators=[DataRequired()], validate_choice=False)
    file = FileField(_l("文件（PDF、JPG或PNG，不超过10MB）"),
                     validators=[FileRequired(_l("请选择文件。"))])
    submit = SubmitField(_l("上传"))


def quota_form(units, values: dict[int, int]) -> FlaskForm:
    """The quota table: one number field per unit (name ``seats_<unit id>``)."""

    class QuotaForm(FlaskForm):
        submit = SubmitField(_l("保存名额分配"))

    for unit in units:
        setattr(QuotaForm, f"seats_{unit.id}", IntegerField(
            unit.name, default=values.get(unit.id, 0),
            validators=[InputRequired(), NumberRange(min=0, max=10000)]))
    return QuotaForm()
