from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange

from training_app.forms import choices

POLICY_LABELS = {
    "all_or_nothing": _l("全对得分（默认）"),
    "half_if_subset": _l("少选得一半分，错选不得分"),
    "proportional": _l("按比例得分"),
}


class BankForm(FlaskForm):
    name = StringField(_l("题库名称"), validators=[DataRequired(), Length(max=120)])
    class_id = SelectField(_l("所属培训班"), coerce=int, default=0)
    submit = SubmitField(_l("新建题库"))


class BankImportForm(FlaskForm):
    file = FileField(_l("题库文件（.xlsx / .gift / .txt / .xml）"), validators=[
        FileRequired(), FileAllowed(["xlsx", "gift", "txt", "xml"], _l("只支持 .xlsx、.gift、.txt、.xml 文件。"))])
    submit = SubmitField(_l("导入"))


class ExamForm(FlaskForm):
    title = StringField(_l("考试名称"), validators=[DataRequired(), Length(max=200)])
    bank_id = SelectField(_l("题库"), coerce=int)
    window_start = DateTimeLocalField(_l("开始时间"), validators=[DataRequired()])
    window_end = DateTimeLocalField(_l("结束时间"), validators=[DataRequired()])
    duration_minutes = IntegerField(_l("考试时长（分钟）"), default=60,
                                    validators=[DataRequired(), NumberRange(min=1, max=600)])
    multiple_policy = SelectField(_l("多选题计分规则"), choices=choices(POLICY_LABELS.items()))
    submit = SubmitField(_l("创建考试"))


class ExtendForm(FlaskForm):
    minutes = IntegerField(_l("延长（分钟）"), default=10, validators=[DataRequired(), NumberRange(min=1, max=120)])
    submit = SubmitField(_l("延时"))
