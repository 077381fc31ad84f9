"""``core.forms.field_html`` and ``form_errors_html`` write ``components/field.html`` and
``components/form_errors.html`` in Python: byte for byte what the includes render, for every
kind of field (plain, checkbox, fieldset), with and without help text and errors."""

import pytest
from django import forms
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from core.forms import FastForm, field_html, form_errors_html
from ideas.forms import (
    CommentForm,
    ConfirmTypeForm,
    EvidenceForm,
    ExpectedValueForm,
    FlagForm,
    MergeForm,
)


class Sample(FastForm):
    text = forms.CharField(label="Name & <role>", help_text=mark_safe("Help <b>bold</b>"))
    optional = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    agree = forms.BooleanField(required=False, help_text="Tick it")
    must = forms.BooleanField(label="Must")
    choice = forms.ChoiceField(choices=[("a", "A & a"), ("b", "B")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(
        choices=[("x", "X")], widget=forms.CheckboxSelectMultiple, help_text="Any"
    )
    number = forms.IntegerField(min_value=1)


def _forms():
    yield Sample()
    yield Sample({"text": "<x>", "choice": "zz", "number": "0", "many": ["nope"]})
    yield Sample(auto_id=False)
    yield Sample({"number": "x"}, auto_id=False)
    yield Sample(prefix="p")
    yield CommentForm(can_internal=True)
    yield CommentForm({"body": ""}, can_internal=True)
    yield EvidenceForm(customer=False)
    yield EvidenceForm({"kind": "nope"}, customer=True)
    yield ExpectedValueForm()
    yield ExpectedValueForm({"expected_revenue_generated": "-5", "non_financial": "on"})
    yield ConfirmTypeForm()
    yield MergeForm({"target": "0"})
    yield FlagForm(prefix="flag")


@pytest.mark.parametrize("form", list(_forms()), ids=lambda f: type(f).__name__)
def test_it_renders_each_field_as_the_template_does(form):
    template = get_template("components/field.html")
    for field in form:
        assert field_html(field) == template.render({"field": field}), field.name


@pytest.mark.parametrize("form", list(_forms()), ids=lambda f: type(f).__name__)
def test_it_renders_the_error_summary_as_the_template_does(form):
    template = get_template("components/form_errors.html")
    assert form_errors_html(form) == template.render({"form": form})
