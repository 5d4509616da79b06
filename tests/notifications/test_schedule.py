"""Digests and weekly reminders, each person on their own clock; one-click unsubscribe."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from notifications.emails import DIGEST, REMINDER, unsubscribe_token
from notifications.models import Notification, Preferences
from notifications.schedule import send_due
from tests.search.world import NOTE_MARKER, PEER_MARKER, PRIVATE_MARKER

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def at(year, month, day, hour, minute=0, zone=LONDON):
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


@pytest.fixture
def activity(journal):
    """The journal's notifications, all made on Tuesday 3 March 2026 at 10:00 London time."""
    Notification.objects.update(created=at(2026, 3, 3, 10))
    return journal


def mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def html_of(message):
    return message.alternatives[0][0]


# --- Digests ----------------------------------------------------------------------------------------


def test_a_daily_digest_waits_for_the_next_morning_then_gathers_everything(activity):
    author = activity.author

    assert send_due(at(2026, 3, 4, 7, 55)) == (0, 0)
    assert send_due(at(2026, 3, 4, 8, 5)) == (4, 0)  # Maya, Sam, Rosa, and Kofi at Harbour Street

    [digest] = mails_to(author)
    assert digest.subject == "[IPS Journal] 4 new things in your journal"
    assert "Sam Lindqvist wrote a note on a reflection in your thread." in digest.body
    assert "Rosa Delgado left a review note on your thread." in digest.body
    assert not Notification.objects.filter(recipient=author, emailed__isnull=True).exists()


def test_a_digest_is_sent_once(activity):
    send_due(at(2026, 3, 4, 8, 5))
    mail.outbox.clear()

    assert send_due(at(2026, 3, 4, 8, 10)) == (0, 0)
    assert send_due(at(2026, 3, 4, 17, 0)) == (0, 0)
    assert mail.outbox == []


def test_news_after_the_morning_waits_for_the_next_one(activity):
    send_due(at(2026, 3, 4, 8, 5))
    mail.outbox.clear()
    Notification.objects.filter(recipient=activity.author).update(emailed=None, created=at(2026, 3, 4, 9))

    assert send_due(at(2026, 3, 4, 20)) == (0, 0)
    assert send_due(at(2026, 3, 5, 8, 1)) == (1, 0)


def test_what_was_read_in_the_app_is_not_emailed(activity):
    Notification.objects.filter(recipient=activity.author).update(read=at(2026, 3, 3, 11))

    send_due(at(2026, 3, 4, 8, 5))

    assert mails_to(activity.author) == []


def test_a_weekly_digest_comes_on_monday_morning(activity):
    Preferences.objects.create(user=activity.author, digest=Preferences.Digest.WEEKLY)

    send_due(at(2026, 3, 4, 8, 5))  # Wednesday
    assert mails_to(activity.author) == []

    send_due(at(2026, 3, 9, 8, 5))  # Monday
    [digest] = mails_to(activity.author)
    assert "this past week" in digest.body


def test_no_digest_for_someone_who_turned_them_off(activity):
    Preferences.objects.create(user=activity.author, digest=Preferences.Digest.OFF)

    send_due(at(2026, 3, 4, 8, 5))

    assert mails_to(activity.author) == []


def test_the_morning_is_the_persons_own(activity):
    author = activity.author
    author.time_zone = "America/New_York"
    author.save(update_fields=["time_zone"])
    # 14:00 in London is 09:00 in New York: after that morning's digest moment there.
    Notification.objects.filter(recipient=author).update(created=at(2026, 3, 3, 14))

    send_due(at(2026, 3, 4, 8, 5))  # London's morning; 03:05 in New York
    assert mails_to(author) == []

    send_due(at(2026, 3, 4, 8, 5, zone=ZoneInfo("America/New_York")))
    assert len(mails_to(author)) == 1


def test_a_digest_carries_names_and_links_never_writing(activity, settings):
    settings.SITE_URL = "https://journal.example.org"

    send_due(at(2026, 3, 4, 8, 5))

    for message in mail.outbox:
        for text in (message.subject, message.body, html_of(message)):
            for written in (NOTE_MARKER, PEER_MARKER, PRIVATE_MARKER, "marigold", "kettle", "Bus timetables"):
                assert written not in text
    [digest] = mails_to(activity.author)
    links = re.findall(r"https?://\S+", digest.body)
    assert links and all(link.startswith("https://journal.example.org/") for link in links)
    assert "https://journal.example.org/notifications/" in digest.body
    unsubscribe = digest.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("https://journal.example.org/unsubscribe/")
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f'href="{unsubscribe}"' in html_of(digest)


def test_the_digest_opens_each_notification_through_the_app(activity, client_for):
    send_due(at(2026, 3, 4, 8, 5))
    [digest] = mails_to(activity.author)
    link = next(
        line.strip()
        for line in digest.body.splitlines()
        if "/notifications/" in line and line.strip().startswith("http")
    )
    path = "/" + link.split("/", 3)[3]

    response = client_for(activity.author).get(path)

    assert response.status_code == 302


# --- Reminders ----------------------------------------------------------------------------------------


@pytest.fixture
def wants_reminders(author):
    """Maya asked for a reminder on Fridays at 16:00 (she set it up long ago)."""
    return Preferences.objects.create(
        user=author, reminder=True, reminder_day=4, reminder_hour=16, reminder_sent=at(2026, 1, 1, 0)
    )


def test_reminders_are_opt_in(author, peer):
    assert send_due(at(2026, 3, 6, 16, 5)) == (0, 0)
    assert mail.outbox == []


def test_a_reminder_comes_at_the_chosen_day_and_hour(wants_reminders, author):
    assert send_due(at(2026, 3, 6, 15, 55)) == (0, 0)  # Friday, just before
    assert send_due(at(2026, 3, 6, 16, 2)) == (0, 1)
    assert send_due(at(2026, 3, 6, 16, 30)) == (0, 0)  # not twice
    assert send_due(at(2026, 3, 13, 16, 1)) == (0, 1)  # next Friday
    assert len(mails_to(author)) == 2


def test_a_reminder_follows_the_persons_zone_and_summer_time(wants_reminders, author):
    author.time_zone = "Asia/Kolkata"
    author.save(update_fields=["time_zone"])
    kolkata = ZoneInfo("Asia/Kolkata")

    assert send_due(at(2026, 3, 6, 15, 55, zone=kolkata)) == (0, 0)
    assert send_due(at(2026, 3, 6, 16, 5, zone=kolkata)) == (0, 1)
    # In summer, 16:00 in London is 15:00 UTC.
    london = Preferences(user=author, reminder_day=4, reminder_hour=16)
    author.time_zone = "Europe/London"
    assert london.last_reminder_moment(at(2026, 7, 10, 18)).astimezone(dt.UTC).hour == 15


def test_a_missed_reminder_is_skipped_rather_than_sent_at_night(wants_reminders, author):
    assert send_due(at(2026, 3, 6, 23, 30)) == (0, 0)  # the scheduler was down all evening
    assert send_due(at(2026, 3, 13, 16, 1)) == (0, 1)


def test_the_reminder_invites_and_never_scolds(wants_reminders, author, settings):
    settings.SITE_URL = "https://journal.example.org"

    send_due(at(2026, 3, 6, 16, 2))

    [reminder] = mails_to(author)
    assert reminder.subject == "[IPS Journal] A moment for reflection this week?"
    text = f"{reminder.body} {html_of(reminder)}".lower()
    assert "hello maya okafor" in text
    assert "nudge you asked for" in text and "nothing you need to catch up on" in text
    assert "https://journal.example.org/entries/new/" in text
    for scolding in (
        "you haven't",
        "you have not",
        "overdue",
        "missed",
        "behind",
        "you must",
        "you should",
        "failed",
        "compliance",
    ):
        assert scolding not in text
    assert reminder.extra_headers["List-Unsubscribe"].startswith("<https://journal.example.org/unsubscribe/")


def test_turning_reminders_on_after_the_hour_sends_nothing_until_next_week(client_for, author):
    client_for(author).post(
        reverse("notifications:preferences"),
        {"digest": "daily", "reminder": "on", "reminder_day": "0", "reminder_hour": "0"},
    )

    assert send_due(dt.datetime.now(dt.UTC)) == (0, 0)


def test_the_command_queues_what_is_due(activity):
    call_command("send_due_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115

    # Now is long after 3 March: everyone with news gets their digest.
    assert len(mail.outbox) == 4


# --- Preferences page ---------------------------------------------------------------------------------


def test_preferences_are_saved_and_shown_in_the_persons_zone(client_for, author):
    author.time_zone = "America/New_York"
    author.save(update_fields=["time_zone"])
    client = client_for(author)

    response = client.post(
        reverse("notifications:preferences"),
        {"digest": "weekly", "reminder": "on", "reminder_day": "2", "reminder_hour": "18"},
    )

    assert response.status_code == 302
    prefs = Preferences.objects.get(user=author)
    assert (prefs.digest, prefs.reminder, prefs.reminder_day, prefs.reminder_hour) == ("weekly", True, 2, 18)
    page = client.get(reverse("notifications:preferences")).text
    assert "America/New_York" in page
    assert re.search(r"Your next reminder: Wednesday \d+ \w+, 18:00\.", page)


def test_an_unknown_choice_is_refused(client_for, author):
    response = client_for(author).post(
        reverse("notifications:preferences"), {"digest": "hourly", "reminder_day": "9", "reminder_hour": "25"}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert not Preferences.objects.filter(user=author).exists()


# --- Unsubscribe ----------------------------------------------------------------------------------------


def test_unsubscribe_works_signed_out(author):
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(author, DIGEST)])
    client = Client()

    page = client.get(url)
    assert page.status_code == 200
    assert "Stop the emails about new activity sent to m…@riverside.example.org?" in page.text
    assert Preferences.for_user(author).digest == "daily"  # a GET only asks

    response = client.post(url)

    assert response.status_code == 302
    assert Preferences.objects.get(user=author).digest == Preferences.Digest.OFF
    assert "You won’t get any more activity emails" in client.get(url).text


def test_one_click_unsubscribe_from_the_mail_client_needs_no_csrf_token(author, wants_reminders):
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(author, REMINDER)])

    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 302
    prefs = Preferences.objects.get(user=author)
    assert prefs.reminder is False and prefs.digest == "daily"  # only what the link names


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        unsubscribe_token.__name__,
        "eyJ1IjoxLCJ3IjoiZGlnZXN0In0:1tXyZa:forged-signature-0000000000",
    ],
)
def test_a_forged_unsubscribe_link_changes_nothing(author, token):
    response = Client().post(reverse("notifications:unsubscribe", args=[token]))

    assert response.status_code == 404
    assert not Preferences.objects.exists()


def test_an_unsubscribe_token_is_scoped_to_one_person_and_one_kind_of_email(author, peer):
    mine = unsubscribe_token(author, DIGEST)

    assert mine != unsubscribe_token(peer, DIGEST) != unsubscribe_token(author, REMINDER)
    Client().post(reverse("notifications:unsubscribe", args=[mine]))
    assert Preferences.for_user(peer).digest == "daily"
