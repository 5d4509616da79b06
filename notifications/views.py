from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.context_processors import look_again
from accounts.models import User

from . import emails, flows
from .forms import PreferencesForm
from .models import Notification, Preferences

PER_PAGE = 30


def notification_list(request):
    """The person's notifications, newest first, unread ones marked. A fixed number of queries
    however many there are (tests/notifications/test_views.py)."""
    user = request.user
    visible = Notification.objects.for_recipient(user)
    # Unread ones whose subject the person can no longer read (made private again, a team they
    # left) would keep the header's count up forever: they count as read from now on.
    gone = (
        Notification.objects.filter(recipient=user, read__isnull=True)
        .exclude(pk__in=visible.values("pk"))
        .update(read=timezone.now())
    )
    if gone:
        look_again(user)  # the header's count was looked up with the access queries, before this
    page = Paginator(visible.select_related("actor"), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "has_unread": any(n.read is None for n in page.object_list)},
    )


def notification_open(request, pk):
    """Mark one notification read and go to what it is about."""
    notification = get_object_or_404(Notification.objects.for_recipient(request.user), pk=pk)
    if notification.read is None:
        flows.mark_read(request.user, [notification])
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        raise Http404
    return redirect(notification.url)


@require_POST
def mark_all_read(request):
    count = flows.mark_read(request.user)
    if count:
        messages.success(request, _("All caught up."))
    return redirect("notifications:list")


def preferences(request):
    prefs = Preferences.for_user(request.user)
    was_on = prefs.reminder and not prefs._state.adding
    form = PreferencesForm(request.POST or None, instance=prefs)
    if request.method == "POST" and form.is_valid():
        prefs = form.save(commit=False)
        if prefs.reminder and not was_on:
            # Counted from now: turning reminders on just after the chosen hour sends nothing today.
            prefs.reminder_sent = timezone.now()
        prefs.save()
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")
    now = timezone.now()
    return render(
        request,
        "notifications/preferences_form.html",
        {
            "form": form,
            "next_reminder": prefs.next_reminder_moment(now) if prefs.reminder else None,
        },
        status=400 if form.is_bound else 200,
    )


@login_not_required
@csrf_exempt  # mail clients' one-click unsubscribe (RFC 8058) posts without a CSRF token
def unsubscribe(request, token):
    """Stop digests or reminders from a link in the email, signed in or not. The signed token is
    the permission: it names one person and one kind of email, and changes nothing else. A GET
    only asks (link scanners open links); the button, or the mail client's own unsubscribe,
    posts."""
    found = emails.read_unsubscribe_token(token)
    user = User.objects.filter(pk=found[0], is_active=True).first() if found else None
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    what = found[1]
    prefs = Preferences.for_user(user)
    if request.method == "POST":
        if what == emails.DIGEST:
            prefs.digest = Preferences.Digest.OFF
        else:
            prefs.reminder = False
        prefs.save()
        return redirect(request.path)
    subscribed = prefs.digest != Preferences.Digest.OFF if what == emails.DIGEST else prefs.reminder
    local, _at, domain = user.email.partition("@")
    context = {
        "what": what,
        "subscribed": subscribed,
        "masked_email": f"{local[:1]}…@{domain}",
        "signed_in_as_them": request.user.is_authenticated and request.user.pk == user.pk,
    }
    return render(request, "notifications/unsubscribe.html", context)
