from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from training_app.forms import choices
from training_app.models import NoticeIssuers, NoticeKind, NoticeStatus

KIND_LABELS = {
    NoticeKind.PRELIMINARY: _l("预备通知"),
    NoticeKind.FORMAL: _l("培训通知"),
}
ISSUER_LABELS = {
    NoticeIssuers.SPONSOR: _l("主办方单独发文"),
    NoticeIssuers.JOINT: _l("主办方与承办方联合发文"),
}
NOTICE_STATUS_LABELS = {
    NoticeStatus.DRAFT: _l("草稿"),
    NoticeStatus.SUBMITTED: _l("待审批"),
    NoticeStatus.APPROVED: _l("已批准"),
    NoticeStatus.RETURNED: _l("已退回"),
    NoticeStatus.PUBLISHED: _l("已发布"),
}


class NewNoticeForm(FlaskForm):
    kind = SelectField(_l("通知类型"),
                       choices=choices((k.value, label) for k, label in KIND_LABELS.items()))
    issuers = SelectField(_l("发文单位"), default=NoticeIssuers.SPONSOR.value,
                          choices=choices((i.value, label) for i, label in ISSUER_LABELS.items()))
    submit = SubmitField(_l("起草通知"))


class NoticeForm(FlaskForm):
    purpose = TextAreaField(_l("培训目的"), render_kw={"rows": 5})
    issuers = SelectField(_l("发文单位"),
                         choices=choices((i.value, label) for i, label in ISSUER_LABELS.items()))
    document_number = StringField(_l("文号（可选）"), validators=[Length(max=64)])
    submit = SubmitField(_l("保存"))
