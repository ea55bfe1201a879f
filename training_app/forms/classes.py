from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from training_app.forms import choices
from training_app.forms.admin import MultiCheckboxField
from training_app.models import ClassStatus, Qualification, TrainingFormat, TrainingMode

MAX_ELIGIBILITY_ROWS = 3

STATUS_LABELS = {
    ClassStatus.DRAFT: _l("草稿"),
    ClassStatus.PRELIMINARY: _l("预备通知"),
    ClassStatus.REGISTRATION_OPEN: _l("报名中"),
    ClassStatus.REGISTRATION_CLOSED: _l("报名截止"),
    ClassStatus.IN_SESSION: _l("培训中"),
    ClassStatus.GRADUATED: _l("已结业"),
    ClassStatus.ARCHIVED: _l("已归档"),
}
MODE_LABELS = {
    TrainingMode.CLOSED: _l("封闭式"),
    TrainingMode.DISTANCE: _l("远程教育式"),
    TrainingMode.MEETING: _l("以会代训式"),
    TrainingMode.STUDY_TOUR: _l("组团考察式"),
}
FORMAT_LABELS = {
    TrainingFormat.LECTURE: _l("讲授法"),
    TrainingFormat.REMOTE_AV: _l("远程视听"),
    TrainingFormat.DISCUSSION: _l("讨论法"),
    TrainingFormat.CASE_STUDY: _l("案例研讨法"),
    TrainingFormat.ROLE_PLAY: _l("角色扮演法"),
    TrainingFormat.SELF_STUDY: _l("自学法"),
    TrainingFormat.INTERACTIVE_GROUP: _l("互动小组法"),
    TrainingFormat.ONLINE: _l("网络培训法"),
}
QUALIFICATION_LABELS = {
    Qualification.NONE: _l("无"),
    Qualification.ASSISTANT: _l("助理社会工作师"),
    Qualification.INTERMEDIATE: _l("社会工作师"),
    Qualification.SENIOR: _l("高级社会工作师"),
}


class EligibilityRowForm(FlaskForm):
    """One alternative of the eligibility rule: a qualification level and minimum years."""

    class Meta:
        csrf = False

    qualification = SelectField(
        _l("资格等级"), default="",
        choices=choices([("", _l("（不使用）"))]
                        + [(str(q.value), label) for q, label in QUALIFICATION_LABELS.items()]))
    min_years = IntegerField(_l("最少工作年限"), validators=[Optional(), NumberRange(0, 60)])


class ClassForm(FlaskForm):
    title = StringField(_l("培训班名称"), validators=[DataRequired(), Length(max=200)])
    sponsor_unit_id = SelectField(_l("主办方（牵头）"), coerce=int)
    co_sponsor_ids = SelectMultipleField(_l("联合主办方"), coerce=int, validate_choice=True)
    organizer_unit_id = SelectField(_l("承办方"), coerce=int)
    start_date = DateField(_l("开始日期"), validators=[DataRequired()])
    end_date = DateField(_l("结束日期"), validators=[DataRequired()])
    registration_deadline = DateField(_l("报名截止日期"), validators=[Optional()])
    venue = StringField(_l("主会场"), validators=[Length(max=200)])
    sub_venues = TextAreaField(_l("分会场（每行一个）"), render_kw={"rows": 3})
    mode = SelectField(_l("培训方式"),
                       choices=choices((m.value, label) for m, label in MODE_LABELS.items()))
    formats = MultiCheckboxField(
        _l("培训形式"), choices=choices((f.value, label) for f, label in FORMAT_LABELS.items()))
    capacity = IntegerField(_l("计划人数"), default=80,
                            validators=[DataRequired(), NumberRange(1, 100000)])
    credit_hours = IntegerField(_l("学时（留空则按每天8学时计算）"),
                                validators=[Optional(), NumberRange(0, 10000)])
    eligibility = FieldList(FormField(EligibilityRowForm), min_entries=MAX_ELIGIBILITY_ROWS,
                            max_entries=MAX_ELIGIBILITY_ROWS)
    eligibility_text = StringField(_l("报名条件说明（留空则按上面的条件生成）"),
                                   validators=[Length(max=500)])
    required_materials = TextAreaField(_l("报名材料"), render_kw={"rows": 4})
    rules_text = TextAreaField(_l("培训纪律"), render_kw={"rows": 3})
    contacts = TextAreaField(_l("联系方式"), render_kw={"rows": 3})
    description = TextAreaField(_l("培训目的与内容"), render_kw={"rows": 4})
    submit = SubmitField(_l("保存"))

    def eligibility_rules(self) -> list[dict]:
        return [{"qualification": int(row.qualification.data), "min_years": row.min_years.data or 0}
                for row in self.eligibility if row.qualification.data not in (None, "")]

    def sub_venue_list(self) -> list[str]:
        return (self.sub_venues.data or "").splitlines()


class CopyClassForm(FlaskForm):
    title = StringField(_l("新培训班名称"), validators=[DataRequired(), Length(max=200)])
    start_date = DateField(_l("开始日期"), validators=[DataRequired()])
    end_date = DateField(_l("结束日期"), validators=[DataRequired()])
    credit_hours = IntegerField(_l("学时（留空则沿用或按每天8学时计算）"),
                                validators=[Optional(), NumberRange(0, 10000)])
    submit = SubmitField(_l("复制"))
