from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from training_app.forms import choices
from training_app.models.feedback import DIMENSIONS
from training_app.services.feedback import DIMENSION_LABELS, KIND_LABELS


def _score_choices():
    return choices([("", _("请选择")), *((str(s), str(s)) for s in range(10, 0, -1))])


def response_form(lectures, questions):
    """The trainee's form: the four dimensions, one rating per lecture, the organizer's
    questions, then free comments. Built per request because lectures and questions vary."""

    class ResponseForm(FlaskForm):
        pass

    for key in DIMENSIONS:
        setattr(ResponseForm, key, SelectField(_(DIMENSION_LABELS[key]), choices=_score_choices(),
                                               validators=[DataRequired()]))
    for item in lectures:
        lecturer = item.lecturer.display_name if item.lecturer else ""
        setattr(ResponseForm, f"lecture_{item.id}", SelectField(
            f"{item.title}（{lecturer}）", choices=_score_choices(), validators=[DataRequired()]))
    for question in questions:
        name = f"question_{question.id}"
        if question.kind == "text":
            field = TextAreaField(question.text, validators=[Length(max=2000)],
                                  render_kw={"rows": 2})
        elif question.kind == "choice":
            field = SelectField(question.text, choices=choices(
                [("", _("请选择")), *((str(i), o) for i, o in enumerate(question.options))]))
        else:
            field = SelectField(question.text, choices=_score_choices())
        setattr(ResponseForm, name, field)
    ResponseForm.comments = TextAreaField(_l("意见和建议"), validators=[Length(max=2000)],
                                          render_kw={"rows": 4})
    ResponseForm.submit = SubmitField(_l("提交评估反馈"))
    return ResponseForm()


class QuestionForm(FlaskForm):
    kind = SelectField(_l("题型"), choices=[])
    text = StringField(_l("问题"), validators=[DataRequired(), Length(max=300)])
    options = TextAreaField(_l("选项（单选题，每行一个）"), render_kw={"rows": 3})
    required = BooleanField(_l("必答"))
    submit = SubmitField(_l("增加问题"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices((k, _(label)) for k, label in KIND_LABELS.items())
