"""Forms of the certificates area (结业证书、优秀学员证书)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from training_app.forms import choices
from training_app.models import BatchOrder, CertificateImageKind, CertificateKind, PrintMode
from training_app.services.certificate_render import STOCK_FIELDS

KIND_LABELS = {
    CertificateKind.COMPLETION: _l("结业证书"),
    CertificateKind.OUTSTANDING: _l("优秀学员证书"),
}
STATE_LABELS = {"valid": _l("有效"), "revoked": _l("已撤销")}
DESIGN_LABELS = {"classic": _l("典雅（红色双线边框）"), "modern": _l("简约（深蓝标题带）"),
                 "custom": _l("自定义模板")}
ORDER_LABELS = {BatchOrder.ROSTER: _l("花名册顺序"), BatchOrder.GROUP: _l("按分组顺序")}
MODE_LABELS = {PrintMode.DESIGN: _l("完整证书（白纸打印）"),
               PrintMode.STOCK: _l("套打（只打印填写内容）")}
IMAGE_KIND_LABELS = {CertificateImageKind.SEAL: _l("公章"),
                     CertificateImageKind.SIGNATURE: _l("签名")}
BATCH_STATUS_LABELS = {"queued": _l("排队中"), "running": _l("生成中"), "done": _l("已完成"),
                       "failed": _l("失败")}
PHASE_LABELS = {"issue": _l("正在颁发证书"), "render": _l("正在排版"), "join": _l("正在合并"),
                "": ""}
STOCK_LABELS = {"name": _l("姓名"), "class_title": _l("培训班名称"), "date_range": _l("培训日期"),
                "hours": _l("学时"), "issue_date": _l("发证日期"), "serial": _l("证书编号"),
                "qr": _l("二维码（宽度，毫米）")}


class SettingsForm(FlaskForm):
    serial_pattern = StringField(
        _l("证书编号格式"), validators=[DataRequired(), Length(max=60)],
        description=_l("例如 WFSG-{year}-{seq:04d} 得到 WFSG-2016-0001。占位符：{year} 发证年份，"
                       "{kind} 证书类别（JY 结业、YX 优秀），{class} 培训班编号，{seq} 流水号"
                       "（{seq:04d} 补足4位）。编号全库唯一、永不重复使用。"))
    completion_design = SelectField(_l("结业证书样式"),
                                    choices=choices(DESIGN_LABELS.items()))
    outstanding_design = SelectField(_l("优秀学员证书样式"),
                                     choices=choices(DESIGN_LABELS.items()))
    issuers = TextAreaField(_l("落款单位（每行一个；留空则为主办方和承办方）"),
                            validators=[Optional(), Length(max=500)])
    issue_date = DateField(_l("发证日期（留空则为结业当天）"), validators=[Optional()])
    custom_html = TextAreaField(_l("自定义模板 HTML（Jinja，沙箱中渲染）"),
                                validators=[Optional(), Length(max=50000)])
    custom_css = TextAreaField(_l("自定义模板 CSS"), validators=[Optional(), Length(max=50000)])
    submit = SubmitField(_l("保存设置"))


def _mm(label, low, high):
    return DecimalField(label, places=1, validators=[InputRequired(), NumberRange(low, high)])


class StockForm(FlaskForm):
    """Pre-printed stock (套打): paper size, printer offsets and one position per field."""

    stock_width_mm = _mm(_l("纸张宽度（毫米）"), 50, 600)
    stock_height_mm = _mm(_l("纸张高度（毫米）"), 50, 600)
    stock_offset_x_mm = _mm(_l("打印机水平偏移（毫米，向右为正）"), -50, 50)
    stock_offset_y_mm = _mm(_l("打印机垂直偏移（毫米，向下为正）"), -50, 50)
    submit = SubmitField(_l("保存套打设置"))


for _field in STOCK_FIELDS:  # one x, y, size and show per variable field
    setattr(StockForm, f"{_field.name}_x", _mm(_l("左边距"), 0, 600))
    setattr(StockForm, f"{_field.name}_y", _mm(_l("上边距"), 0, 600))
    setattr(StockForm, f"{_field.name}_size", _mm(_l("字号"), 4, 80))
    setattr(StockForm, f"{_field.name}_show", BooleanField(_l("打印")))


class ImageForm(FlaskForm):
    kind = SelectField(_l("类别"), choices=choices(IMAGE_KIND_LABELS.items()))
    label = StringField(_l("说明（如：协会公章、会长签名）"),
                        validators=[Optional(), Length(max=60)])
    file = FileField(_l("PNG图片（透明背景，不超过5MB）"),
                     validators=[FileRequired(_l("请选择文件。"))])
    x_mm = _mm(_l("距左边（毫米）"), 0, 297)
    y_mm = _mm(_l("距上边（毫米）"), 0, 210)
    width_mm = _mm(_l("宽度（毫米）"), 5, 200)
    on_completion = BooleanField(_l("用于结业证书"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():  # over the issuers' names in both default designs
            self.x_mm.data, self.y_mm.data, self.width_mm.data = 205, 128, 40
    on_outstanding = BooleanField(_l("用于优秀学员证书"), default=True)
    submit = SubmitField(_l("上传"))


class ImagePositionForm(FlaskForm):
    x_mm = _mm(_l("距左边（毫米）"), 0, 297)
    y_mm = _mm(_l("距上边（毫米）"), 0, 210)
    width_mm = _mm(_l("宽度（毫米）"), 5, 200)
    on_completion = BooleanField(_l("用于结业证书"))
    on_outstanding = BooleanField(_l("用于优秀学员证书"))
    active = BooleanField(_l("启用"))
    submit = SubmitField(_l("保存"))


class BatchForm(FlaskForm):
    kind = SelectField(_l("证书类别"), choices=choices(KIND_LABELS.items()))
    order = SelectField(_l("排列顺序"), choices=choices(ORDER_LABELS.items()))
    mode = SelectField(_l("打印方式"), choices=choices(MODE_LABELS.items()))
    submit = SubmitField(_l("颁发并生成PDF"))


class ReasonForm(FlaskForm):
    reason = StringField(_l("原因"), validators=[DataRequired(), Length(max=500)])
