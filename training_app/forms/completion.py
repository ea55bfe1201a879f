from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from training_app.forms.admin import MultiCheckboxField


class RuleForm(FlaskForm):
    min_attendance_percent = DecimalField(_l("最低出勤率（%）"),
                                          validators=[InputRequired(), NumberRange(0, 100)])
    min_exam_score = DecimalField(_l("最低考试成绩（分）"),
                                  validators=[InputRequired(), NumberRange(min=0)])
    exam_id = SelectField(_l("计分考试"), coerce=int)
    weight_exam = IntegerField(_l("权重：考试成绩"), validators=[InputRequired(), NumberRange(0, 100)])
    weight_attendance = IntegerField(_l("权重：出勤率"),
                                     validators=[InputRequired(), NumberRange(0, 100)])
    weight_organizer = IntegerField(_l("权重：承办方推荐"),
                                    validators=[InputRequired(), NumberRange(0, 100)])
    weight_group = IntegerField(_l("权重：小组推荐"), validators=[InputRequired(), NumberRange(0, 100)])
    outstanding_percent = DecimalField(_l("优秀学员比例上限（%）"),
                                       validators=[InputRequired(), NumberRange(0, 100)])
    submit = SubmitField(_l("保存"))


class ConfirmForm(FlaskForm):
    user_ids = MultiCheckboxField(_l("优秀学员"), coerce=int)
    submit = SubmitField(_l("确认优秀学员名单"))


class GroupNominationForm(FlaskForm):
    user_id = SelectField(_l("本组推荐的优秀学员"), coerce=int)
    submit = SubmitField(_l("提交推荐"))
