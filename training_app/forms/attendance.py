"""Forms of the attendance area: leave requests and decisions."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class LeaveForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("请假开始"), validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("请假结束"), validators=[DataRequired()])
    reason = TextAreaField(_l("请假事由"), validators=[DataRequired(), Length(max=2000)],
                           render_kw={"rows": 3})
    submit = SubmitField(_l("提交申请"))


class DecideLeaveForm(FlaskForm):
    note = StringField(_l("审批意见"), validators=[Optional(), Length(max=500)])
    approve = SubmitField(_l("批准"))
    refuse = SubmitField(_l("不批准"))
