"""The Django admin in the deployment's words (issue 16).

Models, apps and fields are declared in the 2013 words (`QSG`, `QSG role`, `Risk summits`); the
admin's own pages would show them to a 2022 deployment's administrators. This site puts its
header, the names in its index and sidebar, each page's title and the labels of each form
through `vocabulary.say`, as the product's own pages do. Names held as data are untouched.
"""

from __future__ import annotations

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.template.response import TemplateResponse

from . import vocabulary


class WorkspaceAdminSite(admin.AdminSite):
    index_title = vocabulary.say_lazy("Site administration")

    @property
    def site_header(self) -> str:
        return f"{vocabulary.term('service', capital=True)} administration"

    @property
    def site_title(self) -> str:
        return vocabulary.term("service", capital=True)

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            app["name"] = vocabulary.say(str(app["name"]))
            for model in app["models"]:
                model["name"] = vocabulary.say(str(model["name"]))
        return app_list

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def in_profile_words(request, *args, **kwargs):
            response = inner(request, *args, **kwargs)
            if isinstance(response, TemplateResponse) and response.context_data:
                _say_context(response.context_data)
            return response

        return update_wrapper(in_profile_words, inner)


class _InWords:
    """An object as the admin's templates read it, with its names in the profile's words: a
    model's options (breadcrumbs, "Add ...", "5 QSGs") and their app; the rest is its own."""

    NAMES = ("verbose_name", "verbose_name_plural", "verbose_name_raw")

    def __init__(self, target) -> None:
        self._target = target

    def __getattr__(self, name):
        value = getattr(self._target, name)
        if name in self.NAMES:
            return vocabulary.say(str(value))
        if name == "app_config":
            return _InWords(value)
        return value


def _say_context(context: dict) -> None:
    for key in ("title", "subtitle"):
        if context.get(key):
            context[key] = vocabulary.say(str(context[key]))
    if context.get("opts") is not None:
        context["opts"] = _InWords(context["opts"])
    changelist = context.get("cl")
    if changelist is not None:
        changelist.opts = _InWords(changelist.opts)
    action_form = context.get("action_form")
    if action_form is not None and "action" in action_form.fields:
        field = action_form.fields["action"]
        field.choices = [(value, vocabulary.say(str(label))) for value, label in field.choices]
    form = getattr(context.get("adminform"), "form", None)
    for field in getattr(form, "fields", {}).values():
        if field.label:
            field.label = vocabulary.say(str(field.label))
        if field.help_text:
            field.help_text = vocabulary.say(str(field.help_text))


class WorkspaceAdminConfig(AdminConfig):
    default_site = "qsg.admin_site.WorkspaceAdminSite"
