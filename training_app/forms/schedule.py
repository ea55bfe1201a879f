"""Forms of the schedule area: an item, the standard agenda, sub-venue coordinators."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from training_app.forms import choices
from training_app.models import LectureMode, ScheduleKind

K = ScheduleKind
KIND_LABELS = {
    K.SIGN_IN: _l("报到签到"),
    K.OPENING: _l("开班仪式"),
    K.ICE_BREAKING: _l("破冰活动"),
    K.BRIEFING: _l("形势介绍"),
    K.EXAM: _l("开卷考试"),
    K.KEYNOTE: _l("主题授课"),
    K.EXCHANGE: _l("学员交流"),
    K.CULTURE: _l("文体活动"),
    K.GRADUATION: _l("结业仪式"),
    K.LECTURE: _l("讲座"),
    K.DISCUSSION: _l("讨论"),
    K.CASE_STUDY: _l("案例研讨"),
    K.ROLE_PLAY: _l("角色扮演"),
    K.VISIT: _l("参观考察"),
    K.MEAL: _l("用餐"),
    K.FREE: _l("自由活动"),
}
LECTURE_MODE_LABELS = {
    LectureMode.NONE: _l("不适用"),
    LectureMode.PUBLIC: _l("公开授课（分区就座）"),
    LectureMode.TRAINEES_ONLY: _l("仅限学员（标准座次）"),
}


class ItemForm(FlaskForm):
    kind = SelectField(_l("类型"), choices=choices(KIND_LABELS.items()))
    title = StringField(_l("标题"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(_l("开始时间"), validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("结束时间"), validators=[DataRequired()])
    venue = SelectField(_l("会场"))
    lecturer_id = SelectField(_l("授课教师"), coerce=int)
    responsible_id = SelectField(_l("负责人（事事有人管）"), coerce=int)
    lecture_mode = SelectField(_l("授课方式"), choices=choices(LECTURE_MODE_LABELS.items()))
    audience_zones = TextAreaField(_l("分区安排（公开授课）"), render_kw={"rows": 2},
                                   validators=[Optional(), Length(max=2000)])
    seating_plan = TextAreaField(_l("座次安排（仅限学员）"), render_kw={"rows": 2},
                                 validators=[Optional(), Length(max=5000)])
    notes = TextAreaField(_l("备注"), render_kw={"rows": 2},
                          validators=[Optional(), Length(max=2000)])
    takes_attendance = BooleanField(_l("需要签到（考勤）"))
    checkin_opens_at = DateTimeLocalField(_l("签到开始（留空：开始前30分钟）"),
                                          validators=[Optional()])
    checkin_closes_at = DateTimeLocalField(_l("签到截止（留空：开始后30分钟）"),
                                           validators=[Optional()])
    submit = SubmitField(_l("保存"))


class StandardAgendaForm(FlaskForm):
    replace = BooleanField(_l("替换现有日程"))
    submit = SubmitField(_l("生成标准日程"))


class CoordinatorForm(FlaskForm):
    venue = SelectField(_l("分会场名称"))
    user_id = SelectField(_l("负责人"), coerce=int)
    submit = SubmitField(_l("指定"))
