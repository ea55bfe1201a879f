from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from training_app.forms.admin import MultiCheckboxField


class MarkForm(FlaskForm):
    # Text, not a number field: the service checks 0..max in 0.5 steps (qb.check_manual_mark).
    score = StringField(_l("得分"), validators=[DataRequired(), Length(max=10)],
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    comment = TextAreaField(_l("评语（可选）"), validators=[Length(max=1000)],
                            render_kw={"rows": 2})
    submit = SubmitField(_l("保存并评下一份"))


class GraderForm(FlaskForm):
    user_id = SelectField(_l("阅卷人"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("指定阅卷人"))


class KeyForm(FlaskForm):
    answer = MultiCheckboxField(_l("正确答案"), coerce=int)
    preview = SubmitField(_l("预览重新计分"))
    apply = SubmitField(_l("确认更正并重新计分"))
