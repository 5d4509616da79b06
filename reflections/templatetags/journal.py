"""Tags for the pieces a page repeats once per entry, note or pair: `{% load journal %}`.

- `{% pk_url "reflections:entry-detail" entry.pk %}`: `{% url %}` for a route whose one argument
  is an id, without matching the route's pattern again for every link (ips_journal.links).
- `{% task_badge entry.task %}`: the task's badge, without an `{% include %}` per entry or note.
"""

from django import template
from django.utils.html import format_html

from ips_journal.links import pk_url

from ..models import Task

register = template.Library()
register.simple_tag(pk_url, name="pk_url")

TASK_LABELS = dict(Task.choices)


@register.simple_tag
def task_badge(task):
    """The task's name as a badge coloured by task (styles: .task--<task>)."""
    return format_html('<span class="task task--{}">{}</span>', task, TASK_LABELS.get(task, task))
