"""The `journal` template tags: pk_url gives exactly what reverse() gives, task_badge the task."""

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    include,
    path,
    reverse,
    set_script_prefix,
    set_urlconf,
)
from django.urls.converters import IntConverter

from ips_journal.links import pk_url
from reflections.models import Task
from reflections.templatetags.journal import task_badge

# A second URLconf for the test that moves the app's routes (ROOT_URLCONF changed in a test).
urlpatterns = [path("elsewhere/", include(("reflections.urls", "reflections")))]


def routes_with_one_id(patterns=None, namespace=""):
    """The names of every route in the project whose one argument is an integer id."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes_with_one_id(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters
            if len(converters) == 1 and isinstance(next(iter(converters.values())), IntConverter):
                yield f"{namespace}{entry.name}"


ROUTES = sorted(set(routes_with_one_id()))


def test_the_project_has_the_routes_the_pages_use():
    assert {"reflections:entry-detail", "reflections:annotation-resolve", "reflections:reply-delete"} <= set(
        ROUTES
    )


@pytest.mark.parametrize("name", ROUTES)
def test_pk_url_is_what_reverse_gives_for_every_route_with_one_id(name):
    for pk in (1, 42, 8264019735, 1_000_776):
        assert pk_url(name, pk) == reverse(name, args=[pk])


def test_pk_url_follows_the_script_prefix_the_app_is_served_under():
    set_script_prefix("/journal/")
    try:
        assert pk_url("reflections:entry-detail", 512) == "/journal/entries/512/"
        assert pk_url("reflections:entry-detail", 512) == reverse("reflections:entry-detail", args=[512])
    finally:
        set_script_prefix("/")
    assert pk_url("reflections:entry-detail", 512) == "/entries/512/"


def test_pk_url_follows_a_changed_urlconf():
    assert pk_url("reflections:entry-detail", 7) == "/entries/7/"
    with override_settings(ROOT_URLCONF=__name__):
        assert pk_url("reflections:entry-detail", 7) == "/elsewhere/entries/7/"
    assert pk_url("reflections:entry-detail", 7) == "/entries/7/"


@pytest.mark.parametrize("pk", [73, "73", "007", 0])
def test_pk_url_takes_an_id_as_reverse_does(pk):
    assert pk_url("reflections:entry-detail", pk) == reverse("reflections:entry-detail", args=[pk])


@pytest.mark.parametrize("pk", [None, -1, True, 5.9, "", "73/../../admin", "٣"])
def test_pk_url_refuses_what_reverse_refuses(pk):
    with pytest.raises(NoReverseMatch):
        reverse("reflections:entry-detail", args=[pk])
    with pytest.raises(NoReverseMatch):
        pk_url("reflections:entry-detail", pk)


def test_pk_url_follows_a_urlconf_set_for_the_request():
    # What a middleware setting request.urlconf does: set_urlconf() for the rest of the request.
    set_urlconf(__name__)
    try:
        assert pk_url("reflections:annotation-edit", 12) == ("/elsewhere/notes/12/edit/")
    finally:
        set_urlconf(None)
    assert pk_url("reflections:annotation-edit", 12) == "/notes/12/edit/"


def test_the_tags_render_in_a_template_as_url_and_the_old_include_did():
    rendered = Template(
        "{% load journal %}<a href=\"{% pk_url 'reflections:annotation-edit' note_id %}\">"
        "{% task_badge task %}</a>"
    ).render(Context({"note_id": 3081, "task": Task.MOVING_TOWARDS}))
    assert rendered == (
        '<a href="/notes/3081/edit/"><span class="task task--moving_towards">Moving Towards</span></a>'
    )


@pytest.mark.parametrize("task", Task)
def test_task_badge_names_each_task(task):
    assert task_badge(task.value) == f'<span class="task task--{task.value}">{task.label}</span>'


def test_task_badge_escapes_a_value_that_is_not_a_task():
    # Entries only hold the four tasks (choices); a stray value still cannot write markup.
    assert task_badge('"><script>') == (
        '<span class="task task--&quot;&gt;&lt;script&gt;">&quot;&gt;&lt;script&gt;</span>'
    )
