from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from training_app.models import ReviewStatus

EXTRA_CHAPTER_ROWS = 3

REVIEW_STATUS_LABELS = {
    ReviewStatus.DRAFT: _l("草稿"),
    ReviewStatus.SUBMITTED: _l("待审批"),
    ReviewStatus.APPROVED: _l("已批准"),
    ReviewStatus.RETURNED: _l("已退回"),
}


class UploadManualForm(FlaskForm):
    pdf = FileField(_l("教材PDF文件（不超过50MB）"), validators=[FileRequired()])
    note = StringField(_l("版本说明"), validators=[Length(max=500)])
    submit = SubmitField(_l("上传"))


class ImportMarkdownForm(FlaskForm):
    markdown = FileField(_l("Markdown教材文件（章标题为“## 第N章 …”）"), validators=[FileRequired()])
    render_pdf = BooleanField(_l("同时由Markdown生成教材PDF并计算页码"), default=True)
    submit = SubmitField(_l("导入章节"))


class ChapterRowForm(FlaskForm):
    class Meta:
        csrf = False

    number = IntegerField(_l("章号"), validators=[Optional(), NumberRange(1, 999)])
    title = StringField(_l("章标题"), validators=[Length(max=200)])
    page_from = IntegerField(_l("起始页"), validators=[Optional(), NumberRange(1, 100000)])
    page_to = IntegerField(_l("结束页"), validators=[Optional(), NumberRange(1, 100000)])


class ChaptersForm(FlaskForm):
    chapters = FieldList(FormField(ChapterRowForm))
    submit = SubmitField(_l("保存章节"))


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("审批意见（退回时必填）"))
    approve = SubmitField(_l("批准"))
    reject = SubmitField(_l("退回修改"))


class NewVersionForm(FlaskForm):
    submit = SubmitField(_l("新建版本"))
