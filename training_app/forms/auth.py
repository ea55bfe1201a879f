from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    identifier = StringField(_l("用户名或手机号"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=128)])
    submit = SubmitField(_l("登录"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired()])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(
        _l("确认新密码"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("两次输入的密码不一致。"))],
    )
    submit = SubmitField(_l("修改密码"))


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state (logout, deactivate)."""

    submit = SubmitField(_l("确定"))
