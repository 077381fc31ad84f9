"""``core.forms.FastRenderer`` writes inputs, textareas and selects in Python: its markup must
be exactly what Django's widget templates render, for every widget and value the forms use."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from core.forms import FAST_RENDERER, FastForm

TEMPLATES = DjangoTemplates()

CHOICES = [
    ("", "Any campaign"),
    ("a&b", "Fish & <chips>"),
    ("quote", 'Say "hi"'),
    (3, "Three"),
]
GROUPED = [
    ("", "—"),
    ("Buy", [(1, "Discover"), (2, "Consider")]),
    ("Own", [(3, "Use <it>")]),
]

WIDGETS = [
    forms.TextInput(),
    forms.TextInput(attrs={"placeholder": "a <b>", "minlength": 3, "required": True}),
    forms.NumberInput(attrs={"min": 0, "step": "any"}),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.CheckboxInput(),
    forms.DateInput(),
    forms.SearchInput(),
    forms.Textarea(attrs={"rows": 3}),
    forms.Textarea(attrs={"rows": 2, "maxlength": 500, "disabled": False}),
    forms.Select(choices=CHOICES),
    forms.Select(choices=GROUPED),
    forms.Select(choices=CHOICES, attrs={"class": "wide", "data-x": mark_safe("<safe>")}),
    forms.SelectMultiple(choices=CHOICES),
    forms.FileInput(),
    # Not written in Python: these must fall back to the templates, unchanged.
    forms.ClearableFileInput(),
    forms.RadioSelect(choices=CHOICES),
    forms.CheckboxSelectMultiple(choices=CHOICES),
]
VALUES = [
    None,
    "",
    "a&b",
    'x "y" <z>',
    "  padded\n  lines  ",
    mark_safe("<i>safe</i>"),
    3,
    0,
    True,
    False,
    ["a&b", 3],
    datetime.date(2026, 11, 30),
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("attrs", [None, {"id": "id_f", "aria-describedby": "id_f_helptext"}])
def test_the_python_markup_is_the_templates_markup(widget, value, attrs):
    expected = widget.render("field", value, attrs, renderer=TEMPLATES)
    assert widget.render("field", value, attrs, renderer=FAST_RENDERER) == expected


class Sample(FastForm):
    name = forms.CharField(max_length=20, help_text="Your name.")
    count = forms.IntegerField(initial=1, min_value=0)
    kind = forms.ChoiceField(choices=CHOICES)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    agree = forms.BooleanField(required=False)
    on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class SlowSample(Sample):
    default_renderer = TEMPLATES


@pytest.mark.parametrize(
    "data", [None, {"name": "<Ann>", "count": "x", "kind": "quote", "agree": "on", "on": "bad"}]
)
def test_a_whole_form_renders_the_same(data):
    fast, slow = Sample(data), SlowSample(data)
    for name in fast.fields:
        assert str(fast[name]) == str(slow[name])
    assert fast.as_div() == slow.as_div()
