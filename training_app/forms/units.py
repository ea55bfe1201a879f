from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from training_app.forms import choices
from training_app.models import UnitKind

UNIT_KIND_LABELS = {
    UnitKind.CIVIL_AFFAIRS: _l("民政部门"),
    UnitKind.STREET_OFFICE: _l("街道办事处"),
    UnitKind.COMMUNITY: _l("社区居委会"),
    UnitKind.SOCIAL_WORK_AGENCY: _l("社工机构"),
    UnitKind.WELFARE_HOME: _l("社会福利院"),
    UnitKind.SOCIAL_ORGANIZATION: _l("社会组织"),
    UnitKind.VOLUNTEER_ORGANIZATION: _l("志愿者组织"),
    UnitKind.ASSOCIATION: _l("行业协会/培训机构"),
    UnitKind.OTHER: _l("其他"),
}


class UnitForm(FlaskForm):
    name = StringField(_l("单位名称"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("单位类型"), choices=choices((k.value, label) for k, label in UNIT_KIND_LABELS.items()))
    contact_person = StringField(_l("联系人"), validators=[Length(max=64)])
    phone = StringField(_l("联系电话"), validators=[Length(max=32)])
    submit = SubmitField(_l("保存"))
