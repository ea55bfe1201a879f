from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional


class AuditFilterForm(FlaskForm):
    """Filters arrive as a GET query; reading is not a state change, so no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField(_l("操作"), choices=[], validate_choice=False, default="")
    target_type = StringField(_l("对象类型"), validators=[Optional()])
    since = DateField(_l("起始日期"), validators=[Optional()])
    until = DateField(_l("截止日期"), validators=[Optional()])
