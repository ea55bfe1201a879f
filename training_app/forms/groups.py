"""Forms of the groups area: grouping, committee, group identity, exchange, programme."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from training_app.forms import choices
from training_app.forms.admin import MultiCheckboxField
from training_app.models import ActKind, CommitteeRole

COMMITTEE_LABELS = {
    CommitteeRole.MONITOR: _l("班长"),
    CommitteeRole.VICE_MONITOR: _l("副班长"),
    CommitteeRole.STUDY: _l("学习委员"),
    CommitteeRole.CULTURE: _l("文体委员"),
    CommitteeRole.PUBLICITY: _l("宣传委员"),
    CommitteeRole.LIFE: _l("生活委员"),
}
ACT_KIND_LABELS = {
    ActKind.SONG: _l("歌曲"),
    ActKind.DANCE: _l("舞蹈"),
    ActKind.RECITAL: _l("朗诵"),
    ActKind.SKIT: _l("小品"),
    ActKind.INSTRUMENT: _l("器乐"),
    ActKind.GAME: _l("游戏"),
    ActKind.SPORT: _l("体育比赛"),
    ActKind.OTHER: _l("其他"),
}


class AutoGroupForm(FlaskForm):
    seed = IntegerField(_l("随机种子（相同种子得到相同分组）"), default=1,
                        validators=[DataRequired(), NumberRange(min=1, max=999999)])
    submit = SubmitField(_l("自动分组"))


class MoveForm(FlaskForm):
    user_id = SelectField(_l("学员"), coerce=int)
    group_id = SelectField(_l("调入"), coerce=int)
    submit = SubmitField(_l("调整"))


class LeaderForm(FlaskForm):
    user_id = SelectField(_l("组长"), coerce=int)
    submit = SubmitField(_l("设为组长"))


class CommitteeForm(FlaskForm):
    role = SelectField(_l("班委职务"), choices=choices(COMMITTEE_LABELS.items()))
    user_id = SelectField(_l("学员"), coerce=int)
    submit = SubmitField(_l("任命"))


class IdentityForm(FlaskForm):
    name = StringField(_l("组名"), validators=[Optional(), Length(max=60)])
    song = StringField(_l("组歌"), validators=[Optional(), Length(max=120)])
    slogan = StringField(_l("口号"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("保存"))


class ReportForm(FlaskForm):
    representatives = MultiCheckboxField(_l("交流代表（1-2人）"), coerce=int)
    outline = TextAreaField(_l("汇报提纲"), validators=[Optional(), Length(max=5000)],
                            render_kw={"rows": 8})
    submit = SubmitField(_l("提交汇报"))


class ActForm(FlaskForm):
    title = StringField(_l("节目名称"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("节目类型"), choices=choices(ACT_KIND_LABELS.items()))
    performers = StringField(_l("表演者"), validators=[Optional(), Length(max=200)])
    minutes = IntegerField(_l("时长（分钟）"), default=5,
                           validators=[DataRequired(), NumberRange(min=1, max=60)])
    submit = SubmitField(_l("登记节目"))


class BulletinForm(FlaskForm):
    title = StringField(_l("简报标题"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("正文"), validators=[Optional(), Length(max=20000)],
                         render_kw={"rows": 14})
    submit = SubmitField(_l("保存草稿"))
