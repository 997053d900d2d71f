"""The Jinja2 environment: NHS.UK frontend macros plus Django's url, static and messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader, pass_context
from markupsafe import Markup

from . import forms_nhs, navigation, text, vocabulary


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def _local(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return value


def uk_date(value, fmt: str = "%-d %B %Y") -> str:
    """23 November 2026: the NHS style for dates."""
    if not value:
        return ""
    return _local(value).strftime(fmt)


def uk_datetime(value) -> str:
    if not value:
        return ""
    value = _local(value)
    return f"{value.strftime('%-d %B %Y')} at {value.strftime('%-I:%M%p').lower()}"


def css_string(value) -> Markup:
    """Text as a quoted CSS string for a print stylesheet (`content: {{ marking | css_string }}`):
    anything but letters, digits and spaces as a CSS escape, because HTML escaping means nothing
    inside <style> (the header would read "OFFICIAL &amp; SENSITIVE") and a quote or "</style>"
    must not end the string."""
    safe = "".join(
        char if (char.isascii() and char.isalnum()) or char == " " else f"\\{ord(char):x} "
        for char in str(value or "")
    )
    return Markup(f'"{safe}"')  # noqa: S704 (every character but letters and digits escaped)


def _pdf_svg(svg: str) -> Markup:
    from qsg.pdf import svg_image

    return svg_image(svg)


def uk_time(value) -> str:
    if not value:
        return ""
    return _local(value).strftime("%H:%M")


def querystring(request, **changes: Any) -> str:
    """The current query string with some keys replaced (None removes a key)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = urlencode(sorted((k, v) for k in params for v in params.getlist(k)))
    return f"?{encoded}" if encoded else ""


def printable(value: Any) -> Any:
    """Every printed value, pages and PDFs alike, loses its bidi controls (see qsg.text)."""
    if isinstance(value, str):  # Markup's translate() keeps it Markup
        return text.without_bidi_controls(value)
    return value


@pass_context
def say_filter(_context, text) -> str:
    """`vocabulary.say` as a filter. Taking the context keeps Jinja from folding a literal
    (`"holds the ring" | say`) into the compiled template under whichever profile and
    overrides were in force when it was first compiled."""
    return vocabulary.say(text)


def environment(**options: Any) -> Environment:
    options.pop("undefined", None)
    loader = options.pop("loader", None)
    loaders = [PackageLoader("nhsuk_frontend_jinja", package_path="templates")]
    if loader is not None:
        loaders.insert(0, loader)
    options.pop("autoescape", None)
    env = Environment(
        autoescape=True,
        undefined=ChainableUndefined,
        loader=ChoiceLoader(loaders),
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        finalize=printable,
        **options,
    )
    env.globals.update(
        {
            "url": url,
            "static": static,
            "get_messages": get_messages,
            "settings_marking": settings.QSG_PROTECTIVE_MARKING,
            "querystring": querystring,
            "field": forms_nhs.field_params,
            "error_list": forms_nhs.error_list,
            "primary_navigation": navigation.primary_items,
            "home_panels": navigation.home_panels,
            "now": timezone.now,
            "term": vocabulary.term,
            "say": vocabulary.say,
        }
    )
    env.filters.update(
        {
            "uk_date": uk_date,
            "uk_datetime": uk_datetime,
            "uk_time": uk_time,
            "css_string": css_string,
            "pdf_svg": _pdf_svg,
            "say": say_filter,
        }
    )
    return env
