"""The journal as one Markdown file: headings by day, the trainee's own Markdown as written, and
the feedback conversation under each shared entry. Only ever built for the journal's author."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


def _quote(text):
    """Feedback is someone else's writing: set it off as a block quote."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.strip().splitlines())


def journal_markdown(user, cohort, days):
    """`days` is [(day, [training entries with feedback and replies prefetched])]."""
    lines = [
        f"# {_('Training journal')} — {cohort.name}",
        "",
        f"{user.name} · {cohort.team.name}",
        "",
    ]
    if days:
        first, last = days[0][0].date, days[-1][0].date
        lines += [
            _("Training days: %(first)s – %(last)s")
            % {"first": formats.date_format(first, "j F Y"), "last": formats.date_format(last, "j F Y")},
            "",
        ]
    lines += [_("Exported %(when)s.") % {"when": _when(timezone.now())}, ""]
    for day, entries in days:
        lines += [
            f"## {_('Day %(number)s') % {'number': day.number}} — {day.title}",
            "",
            f"*{formats.date_format(day.date, 'l j F Y')}*",
            "",
        ]
        if day.topic_list:
            lines += [f"{_('Topics')}:", "", *[f"- {topic}" for topic in day.topic_list], ""]
        if not entries:
            lines += [f"*{_('Nothing written on this day.')}*", ""]
        for training_entry in entries:
            entry = training_entry.entry
            shared = _("shared with the trainers") if training_entry.is_shared else _("private")
            lines += [
                f"### {entry.title or entry.get_task_display()}",
                "",
                f"*{entry.get_task_display()} · {_when(entry.created)} · {shared}*",
                "",
                entry.body.strip(),
                "",
            ]
            for feedback in training_entry.feedback.all():
                lines += [
                    f"#### {_('Feedback from %(name)s') % {'name': feedback.author.name}} — {_when(feedback.created)}",
                    "",
                    _quote(feedback.body),
                    "",
                ]
                for reply in feedback.replies.all():
                    lines += [
                        f"**{_('Reply from %(name)s') % {'name': reply.author.name}}** — {_when(reply.created)}",
                        "",
                        _quote(reply.body),
                        "",
                    ]
    return "\n".join(lines).rstrip() + "\n"
