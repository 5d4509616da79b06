"""Background work of the accounts app, run by `manage.py db_worker`."""

from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from notifications import emails
from notifications.flows import Verb, notify

from . import export as exports
from .models import DataExport


@task
def build_export(export_id):
    """Build a large export, then tell its owner it is ready (in the app and by email)."""
    export = (
        DataExport.objects.select_related("user")
        .filter(pk=export_id, status=DataExport.Status.PENDING)
        .first()
    )
    if export is None:
        return False
    try:
        exports.build(export)
    except Exception:
        export.status, export.finished = DataExport.Status.FAILED, timezone.now()
        export.save(update_fields=["status", "finished"])
        raise
    page = reverse("accounts:export")
    notify([export.user], verb=Verb.EXPORT_READY, url=page)
    emails.send(
        export.user,
        "accounts/email/export_ready",
        {"export": export, "export_url": emails.absolute(page), "days": exports.EXPORT_LIFETIME.days},
    )
    return True
