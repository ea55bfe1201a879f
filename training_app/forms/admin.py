from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from training_app.forms import choices
from training_app.models import Role

ROLE_LABELS = {
    Role.ADMIN: _l("系统管理员"),
    Role.ORGANIZER: _l("承办方"),
    Role.SPONSOR: _l("主办方"),
    Role.UNIT_CONTACT: _l("单位联系人"),
    Role.LECTURER: _l("授课教师/阅卷人"),
    Role.TRAINEE: _l("学员"),
}

MOBILE = Regexp(r"^(1[3-9]\d{9})?$", message=_l("请输入11位手机号码。"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(min=3, max=64)])
    display_name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=64)])
    mobile = StringField(_l("手机号"), validators=[Optional(), MOBILE])
    unit_id = SelectField(_l("所在单位"), coerce=int, default=0)
    roles = MultiCheckboxField(_l("角色"), choices=choices((r.value, label) for r, label in ROLE_LABELS.items()),
                               validators=[DataRequired(message=_l("请至少选择一个角色。"))])
    password = PasswordField(_l("初始密码"), validators=[Optional(), Length(min=8, max=128)])
    submit = SubmitField(_l("保存"))


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("临时密码"), validators=[DataRequired(), Length(min=8, max=128)])
    submit = SubmitField(_l("重置密码"))
