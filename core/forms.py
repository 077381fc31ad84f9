"""Forms that render their fields fast: :class:`FastRenderer` and the :class:`FastForm` base.

Django renders every widget through templates: a ``<select>`` of 150 campaigns is ~450
template nodes (an ``include`` per option, and another per option for its attributes), and
the board's filter form of nine fields was two thirds of the board's rendering time. The
renderer below writes the commonest widgets (inputs, textareas, selects) in Python, with
exactly the markup of Django's own templates (a test compares the two, widget by widget), and
hands everything else to the templates as before.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

_WIDGETS = "django/forms/widgets/"
# Templates that are only ``{% include "django/forms/widgets/input.html" %}`` and a newline.
_INPUT_TEMPLATES = {
    f"{_WIDGETS}{name}.html"
    for name in (
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "checkbox",
        "tel",
        "search",
        "date",
        "datetime",
        "time",
        "color",
        "file",
    )
}
_OPTION_TEMPLATE = f"{_WIDGETS}select_option.html"


class _Slow(Exception):
    """A value the Python rendering does not reproduce exactly: use the templates."""


def _text(value) -> str:
    """``{{ value }}`` for the values widgets carry (text); anything else goes the slow way
    (numbers and dates would be localized by the template)."""
    if isinstance(value, (str, Promise)):
        return str(conditional_escape(value))
    raise _Slow


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: safe input stays unescaped, as the filter is
    ``is_safe``."""
    # ``"%s" % value`` is ``str(value)`` for anything but a tuple, which the filter turns
    # into its ``str`` first.
    text = str(value)
    return text if isinstance(value, SafeData) else str(conditional_escape(text))


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}")
        if value is not True:
            out.append(f'="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    """``input.html`` as included by ``text.html`` and its siblings. (The renderer strips
    the whitespace around a widget's markup, so no template's closing newline shows.)"""
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    body = _text(value) if value else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{body}</textarea>'


def _select(widget: dict) -> str:
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION_TEMPLATE:
                raise _Slow
            out.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


_FAST: dict[str, Callable[[dict], str]] = {
    **dict.fromkeys(_INPUT_TEMPLATES, _input),
    f"{_WIDGETS}textarea.html": _textarea,
    f"{_WIDGETS}select.html": _select,
}


class FastRenderer(DjangoTemplates):
    """Django's default form renderer, with inputs, textareas and selects written in
    Python (the same markup); every other template renders as before."""

    def render(self, template_name, context, request=None):
        fast = _FAST.get(template_name)
        if fast is not None and request is None:
            try:
                return fast(context["widget"]).strip()
            except _Slow:
                pass
        return super().render(template_name, context, request)


# One instance: a renderer builds its template engine once, on first use.
FAST_RENDERER = FastRenderer()


class FastRendering:
    """Mixin for a form (or formset) class: render with :data:`FAST_RENDERER`."""

    default_renderer = FAST_RENDERER


class FastForm(FastRendering, forms.Form):
    """A ``Form`` rendered with :data:`FAST_RENDERER` (e.g. a FilterSet's ``Meta.form``)."""


# The whitespace before a field's help and errors inside a fieldset and inside a div.
_IN_FIELDSET = "\n  "
_IN_DIV = "\n    "


def _field_messages(field, auto_id: str, indent: str) -> str:
    """The help text and the error list of ``components/field.html``, with its whitespace."""
    out = [indent]
    if field.help_text:
        # ``{{ field.help_text|safe }}``: help texts are the forms' own markup.
        out.append(f'<div class="help" id="{auto_id}_helptext">{field.help_text}</div>')
    out.append(indent)
    errors = field.errors
    if errors:
        items = "".join(
            f'<p class="error" role="alert">{conditional_escape(e)}</p>' for e in errors
        )
        out.append(f'<div id="{auto_id}_error">{items}</div>')
    return "".join(out)


def field_html(field) -> SafeString:
    """``{% include "components/field.html" %}`` for the bound field ``field``, written in
    Python with exactly the template's markup and whitespace (a test compares the two, field
    by field): an include costs a template lookup, a context push and ~25 nodes per field,
    and a manager's idea page shows about twenty fields."""
    auto_id = conditional_escape(field.auto_id)
    label = conditional_escape(field.label)
    required = field.field.required
    has_error = " has-error" if field.errors else ""
    if field.use_fieldset:
        described = ""
        if field.help_text or field.errors:
            ids = (f"{auto_id}_helptext" if field.help_text else "") + (
                f" {auto_id}_error" if field.errors else ""
            )
            described = f' aria-describedby="{ids}"'
        legend = ' class="required"' if required else ""
        return mark_safe(
            f'\n\n<fieldset class="field{has_error}"{described}>\n'
            f"  <legend{legend}>{label}</legend>"
            f"{_field_messages(field, auto_id, _IN_FIELDSET)}\n  {field}\n</fieldset>\n\n"
        )
    if field.widget_type == "checkbox":
        control = (
            f'<label for="{conditional_escape(field.id_for_label)}" class="check">{field} '
            f"<span>{label}</span></label>"
        )
        return mark_safe(
            f'\n\n<div class="field{has_error}">\n  \n    {control}'
            f"{_field_messages(field, auto_id, _IN_DIV)}\n  \n</div>\n\n"
        )
    css = ' class="required"' if required else ""
    return mark_safe(
        f'\n\n<div class="field{has_error}">\n  \n'
        f'    <label for="{conditional_escape(field.id_for_label)}"{css}>{label}</label>'
        f"{_field_messages(field, auto_id, _IN_DIV)}\n    {field}\n  \n</div>\n\n"
    )


# What ``{% include "components/form_errors.html" %}`` renders for a form without errors.
_NO_FORM_ERRORS = mark_safe("\n\n")


def form_errors_html(form) -> SafeString:
    """``{% include "components/form_errors.html" %}`` for ``form``: its template only when
    the form has errors (rare), else the include's own empty output, without the include."""
    if not form.errors:
        return _NO_FORM_ERRORS
    return get_template("components/form_errors.html").render({"form": form})
