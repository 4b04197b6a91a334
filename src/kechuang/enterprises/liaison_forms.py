"""Forms of the liaison pages: assignments, the visit log with its needs and follow-ups, and their actions."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.core.widgets import FastSelect

from .enums import NeedKind, NeedStatus

NEED_ROWS = 3
FOLLOW_UP_ROWS = 2


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def person_label(user) -> str:
    """A person with the region they work for, so two 张三 of different towns can be told apart."""
    region = user.region.name if user.region_id else ""
    return f"{user}（{region}）" if region else str(user)


class PersonChoiceField(forms.ModelChoiceField):
    widget = FastSelect

    def label_from_instance(self, user):
        return person_label(user)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return person_label(user)


class AssignmentForm(OnceFormMixin):
    staff = PersonChoiceField(label=_("挂联干部"), queryset=None)
    since = forms.DateField(label=_("挂联起"), widget=DateInput)
    until = forms.DateField(label=_("挂联止"), required=False, widget=DateInput)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = candidates
        self.fields["since"].initial = timezone.localdate()


class AssignmentEndForm(OnceFormMixin):
    until = forms.DateField(label=_("挂联止"), required=False, widget=DateInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VisitForm(OnceFormMixin):
    visited_on = forms.DateField(label=_("走访日期"), widget=DateInput)
    visitors = PeopleChoiceField(
        label=_("走访人员"),
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("可多选（电脑上按住 Ctrl 键点选）。"),
    )
    met = forms.CharField(label=_("企业接待人员"), required=False, max_length=200)
    summary = forms.CharField(label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, candidates, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitors"].queryset = candidates
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["visitors"].initial = [by.pk]


class NeedForm(forms.Form):
    kind = forms.ChoiceField(label=_("需求类型"), choices=[("", "—"), *NeedKind.choices], widget=FastSelect)
    description = forms.CharField(
        label=_("需求描述"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") and not (data.get("description") or "").strip():
            self.add_error("description", _("请填写需求描述。"))
        return data


class FollowUpForm(forms.Form):
    action = forms.CharField(label=_("跟进事项"), max_length=300)
    owner = PersonChoiceField(label=_("责任人"), queryset=None)
    due_on = forms.DateField(label=_("完成期限"), widget=DateInput)
    need = forms.TypedChoiceField(
        label=_("对应需求"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(str(n), _("需求%(n)s") % {"n": n}) for n in range(1, NEED_ROWS + 1)],
        widget=FastSelect,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = candidates


NeedFormSet = forms.formset_factory(NeedForm, extra=NEED_ROWS, max_num=20)
FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=FOLLOW_UP_ROWS, max_num=20)


def filled(formset) -> list[tuple[int, dict]]:
    """(row number from 1, cleaned data) of the rows the user filled in; untouched extra rows are skipped."""
    return [
        (number, form.cleaned_data)
        for number, form in enumerate(formset.forms, 1)
        if form.has_changed() and form.cleaned_data
    ]


class NeedStatusForm(OnceFormMixin):
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[(s, label) for s, label in NeedStatus.choices if s != NeedStatus.TO_MARKET],
        widget=FastSelect,
    )
    reason = forms.CharField(label=_("说明"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NeedToDemandForm(OnceFormMixin):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FollowUpCreateForm(OnceFormMixin):
    action = forms.CharField(label=_("跟进事项"), max_length=300)
    owner = PersonChoiceField(label=_("责任人"), queryset=None)
    due_on = forms.DateField(label=_("完成期限"), widget=DateInput)
    need = forms.ModelChoiceField(label=_("对应需求"), queryset=None, required=False, widget=FastSelect)

    def __init__(self, *args, candidates, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = candidates
        self.fields["need"].queryset = needs


class FollowUpCompleteForm(OnceFormMixin):
    result = forms.CharField(label=_("办理结果"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    done_on = forms.DateField(label=_("完成日期"), required=False, widget=DateInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
