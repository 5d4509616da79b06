"""“Export my data”: everything one person wrote — and nothing anyone else wrote — in one zip.

    README.md          what is inside, in plain words
    data.json          machine-readable, described by schema.json (JSON Schema 2020-12)
    schema.json
    entries/<week>-<task>-<id>.md
                       one Markdown file per entry, with YAML front matter (title, task, week,
                       written, updated, version, shared) and the body exactly as written

The kinds of writing come from `search.registry`, so writing another app registers (the training
journal's feedback and its replies, training/search_kinds.py) is exported with no change here.

Small exports are built during the request; larger ones by the `build_export` task, and the
person is told (notification and email) when theirs is ready. A zip is kept for EXPORT_LIFETIME
in the default storage, downloadable only by its owner, then `send_due_notifications` deletes it.
"""

import json
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path

from django.core.files import File
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from reflections.models import Task
from search import registry

from .models import DataExport

FORMAT, VERSION = "ips-journal-export", 1
SCHEMA = Path(__file__).with_name("export_schema.json")
EXPORT_LIFETIME = timedelta(days=7)
# Pieces of writing an export may hold and still be built during the request.
INLINE_LIMIT = 400


def count_writing(user):
    return sum(kind.authored(user).count() for kind in registry.kinds())


def collect(user):
    """The data.json document for one person: one query (plus prefetches) per kind of writing."""
    memberships = user.memberships.select_related("team").order_by("team__name", "role")
    data = {
        "format": FORMAT,
        "version": VERSION,
        "exported": timezone.now().isoformat(),
        "person": {
            "name": user.name,
            "email": user.email,
            "time_zone": user.time_zone,
            "joined": user.date_joined.isoformat(),
            "teams": [{"team": m.team.name, "role": m.role} for m in memberships],
        },
        "writing": {},
    }
    for kind in registry.kinds():
        queryset = kind.authored(user).order_by(*kind.export_order)
        if kind.select_related:
            queryset = queryset.select_related(*kind.select_related)
        if kind.prefetch:
            queryset = queryset.prefetch_related(*kind.prefetch)
        data["writing"][kind.key] = [kind.export(obj) for obj in queryset.iterator(chunk_size=500)]
    return data


def _yaml(value):
    # JSON scalars are valid YAML: quoting, escapes and Unicode all come out right.
    return json.dumps(value, ensure_ascii=False)


def _shared_line(shared):
    if shared is None:
        return _("Private")
    if shared["where"] == "thread":
        return _("Co-reflection thread with %(name)s (%(team)s)") % {
            "name": shared["with"],
            "team": shared["team"],
        }
    if shared["where"] == "training_trainers":
        return _("Training journal, shared with the trainers")
    return _("Training journal, private")


def entry_markdown(entry):
    """One entry (its data.json object) as a Markdown file with front matter."""
    task = Task(entry["task"]).label if entry["task"] in Task.values else entry["task"]
    front = {
        "title": entry["title"] or None,
        "task": str(task),
        "week": entry["week"],
        "written": entry["created"],
        "updated": entry["updated"],
        "version": entry["version"],
        "shared": str(_shared_line(entry["shared"])),
    }
    lines = ["---", *(f"{key}: {_yaml(value)}" for key, value in front.items()), "---", ""]
    if entry["title"]:
        lines += [f"# {entry['title']}", ""]
    return "\n".join([*lines, entry["body"].replace("\r\n", "\n").rstrip()]) + "\n"


def entry_filename(entry):
    return f"entries/{entry['week']}-{slugify(entry['task'])}-{entry['id']}.md"


def _readme(data):
    counts = "\n".join(
        f"- {kind.count_label(len(data['writing'].get(kind.key, [])))}" for kind in registry.kinds()
    )
    return "\n".join(
        [
            "# " + _("Your IPS Journal export"),
            "",
            _("Everything %(name)s wrote in IPS Journal, exported %(when)s (UTC).")
            % {"name": data["person"]["name"], "when": data["exported"][:16].replace("T", " ")},
            "",
            counts,
            "",
            _(
                "- `entries/`: one Markdown file per reflection, with its task, week and where it is "
                "shared in the front matter."
            ),
            _(
                "- `data.json`: everything, including earlier versions of each reflection, your notes, "
                "replies and review notes, and the feedback and replies you wrote in the training "
                "journal, for other programs. `schema.json` describes it."
            ),
            "",
            _(
                "Only your own writing is here. Your peers’ reflections and notes, and your trainers’ "
                "feedback, stay theirs; a note you wrote on someone else’s reflection is included without "
                "the passage it quotes."
            ),
            "",
        ]
    )


def write_zip(data, fileobj):
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.md", _readme(data))
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("schema.json", SCHEMA.read_text())
        for entry in data["writing"].get("entry", []):
            archive.writestr(entry_filename(entry), entry_markdown(entry))


def build(export):
    """Build the zip for a DataExport and mark it ready."""
    data = collect(export.user)
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as buffer:
        write_zip(data, buffer)
        export.size = buffer.tell()
        buffer.seek(0)
        export.file.save("export.zip", File(buffer), save=False)
    export.status = DataExport.Status.READY
    export.finished = timezone.now()
    export.expires = export.finished + EXPORT_LIFETIME
    export.save()
    return export


def start(user):
    """Begin an export: built now when small, otherwise queued. Returns (export, queued)."""
    from .tasks import build_export

    export = DataExport.objects.create(user=user)
    if count_writing(user) <= INLINE_LIMIT:
        return build(export), False
    # The database queue stores the task in this transaction: it runs only if the export row exists.
    build_export.enqueue(export.pk)
    return export, True


def delete_files(exports):
    for export in exports:
        if export.file:
            export.file.delete(save=False)


def prune_expired_exports(now=None):
    """Delete exports past their expiry (and failed or stuck ones a day old), files included."""
    now = now or timezone.now()
    unfinished = ~Q(status=DataExport.Status.READY) & Q(created__lte=now - timedelta(days=1))
    stale = list(DataExport.objects.filter(Q(expires__lte=now) | unfinished))
    delete_files(stale)
    DataExport.objects.filter(pk__in=[e.pk for e in stale]).delete()
    return len(stale)
