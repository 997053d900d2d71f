"""The flow every form page shares, written once.

A form page's view finds what it works on through the access layer (404 or 403), builds its
form with `posted(request)` (bound on a POST only) and then:

    form = ThingForm(posted(request), initial=...)
    return submit(
        request,
        form,
        lambda data: services.thing_create(actor=request.user, **data),
        done="The thing has been added",
        then=lambda thing: thing.get_absolute_url(),
        scope="thing-create",  # only for a page that creates: a double submit makes one
    ) or render(request, "app/thing_form.jinja", {"form": form})

`submit` answers a valid POST whose service call succeeded with a flash message and a redirect;
otherwise it returns None and the view renders the page: a GET, an invalid form, or a service's
ValidationError, which `apply_errors` has put on the form's fields. The template shows the
NHS.UK error summary from the form's errors (`error_list`, "Error: " before the title). With a
`scope` the call runs once per form token (`qsg.once`): a repeated submit redirects without
writing or saying anything again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from . import once
from .pagination import UnionCountPaginator

PAGE_SIZE = 50


def posted(request):
    """The submitted data on a POST (even if empty), None on a GET: forms bind only on POST."""
    return request.POST if request.method == "POST" else None


def apply_errors(form, error: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form, field by field where it names fields.

    `rename` maps a service's field to the form's where they differ (a date and a time field
    for one `starts_at`); errors on fields the form does not have go to the top of the form.
    """
    if not hasattr(form, "cleaned_data"):
        form.is_valid()
    if hasattr(error, "error_dict"):
        for field_name, errors in error.error_dict.items():
            field_name = (rename or {}).get(field_name, field_name)
            target = field_name if field_name in form.fields else None
            for e in errors:
                form.add_error(target, e)
    else:
        for message in error.messages:
            form.add_error(None, message)


def submit(
    request,
    form,
    save: Callable[[dict], Any],
    *,
    then: str | Callable[[Any], str],
    done: str | Callable[[Any], str] | None = None,
    scope: str | None = None,
    model=None,
    rename: dict[str, str] | None = None,
) -> HttpResponse | None:
    """Validate a POSTed form, save through a service, say so and redirect; None: render the page.

    `save(data)` gets the cleaned data without the form token; `done` and `then` are the
    message and the place to go, or functions of what `save` returned (None for a repeated
    submit, unless `model` names what `save` makes: then the first submit's object). `rename`:
    see `apply_errors`.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    data = {k: v for k, v in form.cleaned_data.items() if k != once.FIELD}
    try:
        if scope:
            result, first = once.run_once(
                lambda: save(data),
                user=request.user,
                scope=scope,
                token=once.token_of(form),
                model=model,
            )
        else:
            result, first = save(data), True
    except ValidationError as error:
        apply_errors(form, error, rename)
        return None
    if first and done:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(then(result) if callable(then) else then)


def page_of(
    request, queryset, size: int = PAGE_SIZE, *, count_parts=None, count_cap=None, capped_order=None
):
    """One page of the list; `count_parts`, `count_cap`, `capped_order`: see
    `qsg.pagination.UnionCountPaginator`."""
    paginator = UnionCountPaginator(
        queryset, size, count_parts=count_parts, count_cap=count_cap, capped_order=capped_order
    )
    return paginator.get_page(request.GET.get("page"))
